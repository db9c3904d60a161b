"""Remove API keys from everything genai-bench leaves behind.

genai-bench writes the keys it was given in plain text: into ``experiment_metadata.json``
(its command line), its log (every option's value) and the Excel summary, which is a zip
archive, so a byte search of the file would not even find the key there. Every file of
the kept folder is rewritten with each key masked, zip archives member by member.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

MASK = "***"


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in _usable(secrets):
        text = text.replace(secret, MASK)
    return text


def scrub_argv(argv: Sequence[str], secrets: Iterable[str]) -> list[str]:
    keys = _usable(secrets)
    return [scrub_text(arg, keys) for arg in argv]


def scrub_tree(root: Path, secrets: Iterable[str]) -> list[Path]:
    """Mask every secret in every file under ``root``; returns the files that changed."""
    keys = [s.encode() for s in _usable(secrets)]
    changed: list[Path] = []
    if not keys or not root.exists():
        return changed
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        if _scrub_file(path, keys):
            changed.append(path)
    return changed


def leaks(root: Path, secrets: Iterable[str]) -> list[Path]:
    """Files under ``root`` that still hold a secret (zip members included)."""
    keys = [s.encode() for s in _usable(secrets)]
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(k in data for k in keys) or any(k in m for m in _members(path) for k in keys):
            found.append(path)
    return found


def _scrub_file(path: Path, keys: list[bytes]) -> bool:
    if zipfile.is_zipfile(path):
        return _scrub_zip(path, keys)
    data = path.read_bytes()
    cleaned = _mask(data, keys)
    if cleaned == data:
        return False
    _replace(path, cleaned)
    return True


def _scrub_zip(path: Path, keys: list[bytes]) -> bool:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    if not any(k in data for _, data in members for k in keys):
        return False
    tmp = path.with_name(path.name + ".scrub")
    with zipfile.ZipFile(tmp, "w") as archive:
        for info, data in members:
            archive.writestr(info, _mask(data, keys))  # info keeps name, date and compression
    os.replace(tmp, path)
    return True


def _members(path: Path) -> list[bytes]:
    if not zipfile.is_zipfile(path):
        return []
    with zipfile.ZipFile(path) as archive:
        return [archive.read(info) for info in archive.infolist()]


def _mask(data: bytes, keys: list[bytes]) -> bytes:
    for key in keys:
        data = data.replace(key, MASK.encode())
    return data


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".scrub")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _usable(secrets: Iterable[str]) -> list[str]:
    # Longest first so a key that contains another is masked whole. Very short strings
    # are not masked: replacing "a" everywhere would destroy the files and hide nothing.
    return sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
