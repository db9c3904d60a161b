"""What only a folder can get wrong: torn writes, temp files, file modes, OS errors."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from steps.errors import StoreError, TaskError
from steps.store import Layout, LocalStore

L = Layout("s")


def test_reader_never_sees_a_partial_record(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    size = 512 * 1024  # large enough that a non-atomic write is caught mid-way
    key = L.result(1)
    store.write_bytes(key, b"a" * size)
    done = threading.Event()
    torn: list[int] = []
    reads = 0

    def writer() -> None:
        try:
            for i in range(150):
                store.write_bytes(key, bytes([ord("a") + i % 26]) * size)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set():
        data = store.read_bytes(key)
        reads += 1
        if len(data) != size or data.count(data[:1]) != size:
            torn.append(len(data))
    thread.join()
    assert torn == []
    assert reads > 10  # the reader really did race the writer


def test_no_temp_files_listed_or_left_behind(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for i in range(20):
        store.write_text(L.params(1), str(i))
    folder = tmp_path / "studies/s/trials/1"
    assert sorted(os.listdir(folder)) == ["params.json"]
    # A crashed writer's leftover must stay invisible.
    (folder / ".params.json.0123456789ab.tmp").write_text("half")
    assert store.list("") == [L.params(1)]
    assert L.slots(store) == [1]


def test_temp_file_names_are_not_keys(tmp_path: Path) -> None:
    with pytest.raises(TaskError, match="temp file"):
        LocalStore(tmp_path).write_text("a/.x.0123456789ab.tmp", "x")


def test_records_get_the_umask_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        LocalStore(tmp_path).write_text(L.task, "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / L.task).stat().st_mode) == 0o644


def test_unwritable_root_raises_store_error(tmp_path: Path) -> None:
    root = tmp_path / "a-file"
    root.write_text("not a folder")
    store = LocalStore(root)
    with pytest.raises(StoreError) as err:
        store.write_text(L.task, "x")
    assert store.uri in str(err.value)
    assert L.task in str(err.value)
    assert err.value.exit_code == 75


def test_a_record_cannot_also_be_a_folder(tmp_path: Path) -> None:
    # S3 could hold both "a" and "a/b"; a folder cannot, and the layout never needs it.
    store = LocalStore(tmp_path)
    store.write_text("a", "x")
    with pytest.raises(StoreError, match="no record sits where a folder is needed"):
        store.write_text("a/b", "y")
    assert store.list("") == ["a"]


def test_missing_root_reads_as_empty(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "not" / "yet")
    assert store.list("") == []
    assert not store.exists(L.task)
    store.write_text(L.task, "x")  # created on first write
    assert store.list("") == [L.task]


def test_relative_root_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalStore(Path("results"))
    assert store.root == tmp_path / "results"
    assert store.uri == (tmp_path / "results").as_uri()
