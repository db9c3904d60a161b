"""``LocalStore``: the study layout in a local folder (the embedded default).

A key is a file below the root. Writes go to a temp file in the target's own
directory and are renamed over it, so a reader (another step, the UI) sees the
old record or the new one, never a half-written file, and a crash leaves at
most a stray temp file that ``list`` never reports. Unlike S3, a key cannot
also be the folder of other keys ("a" and "a/b"); the layout never asks for that.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from steps.errors import NotFound, StoreError, TaskError
from steps.store.base import Store, check_key, check_prefix

# Temp names are dot-files with a random token so they cannot clash with each
# other (concurrent writers of one key) and can be told apart from records.
_TEMP = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


class LocalStore(Store):
    def __init__(self, root: Path | str) -> None:
        # abspath rather than resolve(): keep the folder the user named, symlinks and all.
        self.root = Path(os.path.abspath(Path(root).expanduser()))
        self.uri = self.root.as_uri()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def __str__(self) -> str:
        return self.uri

    def _path(self, key: str) -> Path:
        check_key(key)
        if _TEMP.match(key.rsplit("/", 1)[-1]):
            raise TaskError(
                f"store key {key!r} looks like a LocalStore temp file (.<name>.<hex>.tmp); "
                "choose another name"
            )
        return self.root / key

    def _failed(self, action: str, key: str, exc: OSError) -> StoreError:
        return StoreError(
            f"store {self.uri}: cannot {action} {key!r}: {exc.strerror or exc} "
            f"({exc.filename}); check that the folder exists, is writable and that no "
            "record sits where a folder is needed"
        )

    def read_bytes(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            # A folder or a path through a file is "no such object", as on S3.
            raise NotFound(
                f"store {self.uri} has no {key!r}; run the step that writes it first, "
                "or check the study name and the store URI"
            ) from None
        except OSError as exc:
            raise self._failed("read", key, exc) from exc

    def write_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # os.open with 0o666 lets the umask decide the mode, as a plain open() would;
            # mkstemp's 0o600 would hide records from a UI running as another user.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            _fsync_dir(path.parent)
        except OSError as exc:
            raise self._failed("write", key, exc) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        check_prefix(prefix)
        # Walk only the deepest folder the prefix names; the rest of the prefix
        # is matched as a string so "trials/1" finds "trials/10/x" exactly as S3 does.
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        top = self.root / folder
        keys = []
        for dirpath, _dirs, files in os.walk(top):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in files:
                if _TEMP.match(name):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if not path.is_file():
            return
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise self._failed("delete", key, exc) from exc


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable, so a power cut cannot bring back the old record."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
