"""Engine kinds, chosen by ``engine.kind`` through an explicit registry."""

from __future__ import annotations

from steps.engines.base import Engine, Flag, Launch, Scalar
from steps.engines.llamacpp import LlamaCpp
from steps.engines.sglang import SGLang
from steps.engines.vllm import VLLM
from steps.errors import TaskError

ENGINES: dict[str, type[Engine]] = {"sglang": SGLang, "vllm": VLLM, "llama.cpp": LlamaCpp}


def get_engine(kind: str) -> Engine:
    try:
        return ENGINES[kind]()
    except KeyError:
        raise TaskError(
            f"engine.kind: {kind!r} is not an engine kind; allowed: {', '.join(ENGINES)}"
        ) from None


__all__ = ["ENGINES", "Engine", "Flag", "Launch", "Scalar", "get_engine"]
