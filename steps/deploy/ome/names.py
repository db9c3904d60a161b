"""Names and labels of the objects a trial creates on the cluster.

An InferenceService is named ``<study>-<slot>``. OME's admission webhook wants a
DNS-1035 label (``[a-z]([-a-z0-9]*[a-z0-9])?``: it must start with a letter), and OME
names Services after it (``<name>-engine``, ``-router``, ``-decoder``), which must
themselves stay within 63 characters: so the name is at most 63 - len("-decoder") = 55.
A study id that does not fit is shortened and keeps a hash of the original, so two
studies never share names.
"""

from __future__ import annotations

import hashlib
import re

GROUP = "ome.io"
VERSION = "v1beta1"
PLURAL = "inferenceservices"
RUNTIMES = "clusterservingruntimes"
KIND = "InferenceService"

# Same spelling as pipelines.naming, so one selector finds a study's pods and workflows.
LABEL_PART_OF = "app.kubernetes.io/part-of"
PART_OF = "inference-autotuner"
LABEL_STUDY = "inference-autotuner/study"
LABEL_SLOT = "inference-autotuner/slot"
ANNOTATION_STUDY = "inference-autotuner/study"  # the full study id, when the label is shortened
# What OME puts on the engine pods of an InferenceService.
POD_LABEL = "ome.io/inferenceservice"

MAX_NAME = 63 - len("-decoder")
MAX_LABEL_VALUE = 63
_NOT_NAME = re.compile(r"[^a-z0-9-]+")
_NOT_LABEL = re.compile(r"[^A-Za-z0-9_.-]+")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:6]


def isvc_name(study: str, slot: int) -> str:
    """``<study>-<slot>`` as a valid InferenceService name of at most ``MAX_NAME`` characters."""
    suffix = f"-{slot}"
    base = _NOT_NAME.sub("-", study.lower()).strip("-")
    base = re.sub(r"-{2,}", "-", base)
    if not base[:1].isalpha():
        base = f"s-{base}".rstrip("-")  # OME's webhook wants a leading letter
    if base != study or len(base) + len(suffix) > MAX_NAME:
        # lossy: keep it unique with a hash of the real study id
        keep = MAX_NAME - len(suffix) - 7
        base = f"{base[:keep].rstrip('-')}-{_digest(study)}"
    return base + suffix


def label_value(text: str) -> str:
    """``text`` as a label value (<= 63 characters, alphanumeric at both ends)."""
    value = _NOT_LABEL.sub("-", text).strip("-_.")
    if value == text and len(value) <= MAX_LABEL_VALUE:
        return value
    keep = MAX_LABEL_VALUE - 7
    return f"{value[:keep].rstrip('-_.')}-{_digest(text)}".lstrip("-")


def pod_selector(name: str) -> str:
    """The label selector of an InferenceService's engine pods."""
    return f"{POD_LABEL}={name},component=engine"
