"""Open the results store a URI names: a local folder or an S3 bucket.

Every step takes the store as a URI (``--store``), so the URI must say all the
step needs; each store's ``.uri`` opens the same data again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from steps.errors import TaskError
from steps.store.base import Layout, Store
from steps.store.local import LocalStore
from steps.store.s3 import S3Store

__all__ = ["Layout", "LocalStore", "S3Store", "Store", "open_store"]

ALLOWED = "a folder, file:///path, s3://bucket/prefix"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_S3_QUERY = ("endpoint", "region")


def open_store(uri: str) -> Store:
    """The store ``uri`` names; a string without ``scheme://`` is a folder path."""
    if not uri.strip():
        raise TaskError(f"store: the store URI is empty; allowed: {ALLOWED}")
    match = _SCHEME.match(uri)
    if match is None:
        return LocalStore(Path(uri))
    opener = _OPENERS.get(match.group(1).lower())
    if opener is None:
        raise TaskError(f"store: {_shown(uri)!r} is not a store URI; allowed: {ALLOWED}")
    return opener(uri)


def _open_file(uri: str) -> Store:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost") or parts.query or not parts.path.startswith("/"):
        raise TaskError(
            f"store: {_shown(uri)!r} is not a local folder URI; use file:///absolute/path"
        )
    return LocalStore(Path(unquote(parts.path)))


def _open_s3(uri: str) -> Store:
    parts = urlsplit(uri)
    if "@" in uri.partition("?")[0]:
        # Not echoed: whatever precedes '@' is meant to be a secret, and it may hold
        # a '/' that makes urlsplit see it as bucket and path. ('@' in a prefix is %40.)
        raise TaskError(
            "store: an s3:// URI must not carry credentials (user:password@bucket); set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(_S3_QUERY))
    if unknown:
        # Only the names: an unexpected value might be a secret someone tried to pass.
        raise TaskError(
            f"store: s3://{parts.netloc} has unknown query parameters {unknown}; "
            f"allowed: {', '.join(_S3_QUERY)} (credentials come from the AWS environment)"
        )
    if not parts.netloc:
        raise TaskError(f"store: {_shown(uri)!r} names no bucket; use s3://bucket/optional/prefix")
    return S3Store(
        parts.netloc,
        unquote(parts.path),
        endpoint_url=query.get("endpoint", [None])[-1] or None,
        region=query.get("region", [None])[-1] or None,
    )


def _shown(uri: str) -> str:
    """``uri`` fit for a message: no query, and anything before an '@' replaced by ***."""
    head, query, _ = uri.partition("?")
    scheme, sep, rest = head.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}{query and '?...'}"


_OPENERS: dict[str, Callable[[str], Store]] = {"file": _open_file, "s3": _open_s3}
