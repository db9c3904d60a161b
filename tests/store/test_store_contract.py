"""The Store contract: every implementation must pass every test here.

The ``store`` fixture (conftest.py) runs each test once per implementation, so a
step written against one store behaves the same on the other.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from steps.errors import NotFound, TaskError
from steps.records import RunMetrics, Stats, TrialParams, TrialResult
from steps.store import Layout, Store, open_store

L = Layout("s")


def test_bytes_round_trip(store: Store) -> None:
    payload = bytes(range(256)) * 3  # not valid UTF-8: must not be decoded on the way
    store.write_bytes("a/blob.bin", payload)
    store.write_bytes("a/empty", b"")
    assert store.read_bytes("a/blob.bin") == payload
    assert store.read_bytes("a/empty") == b""


def test_text_round_trip(store: Store) -> None:
    text = "engine log\nmodèle ✓ 模型\n"
    store.write_text(L.engine_log(1), text)
    assert store.read_text(L.engine_log(1)) == text


def test_model_round_trip(store: Store) -> None:
    params = TrialParams(slot=3, kind="sampled", params={"ctx": 4096, "fa": True}, seed=7)
    latency = Stats(mean=0.5, p50=0.4, p90=0.9, p99=1.5)
    run = RunMetrics(
        scenario="D(100,100)",
        concurrency=4,
        num_requests=40,
        num_errors=0,
        error_rate=0.0,
        output_throughput=321.5,
        request_throughput=3.2,
        ttft=latency,
    )
    result = TrialResult(slot=3, state="complete", decided_by="score", values=[321.5], metrics=run)
    store.write_model(L.params(3), params)
    store.write_model(L.result(3), result)
    assert store.read_model(L.params(3), TrialParams) == params
    assert store.read_model(L.result(3), TrialResult) == result
    assert store.read_model_or_none(L.result(4), TrialResult) is None


def test_write_json_is_readable_json(store: Store) -> None:
    store.write_json("x/data.json", {"b": 1, "a": [1, 2]})
    assert json.loads(store.read_text("x/data.json")) == {"a": [1, 2], "b": 1}


def test_overwrite_replaces_whole_object(store: Store) -> None:
    store.write_bytes("k", b"a much longer first version")
    store.write_bytes("k", b"short")
    assert store.read_bytes("k") == b"short"  # no tail of the old bytes left behind
    assert store.list("") == ["k"]


def test_read_missing_raises_not_found_naming_key_and_store(store: Store) -> None:
    with pytest.raises(NotFound) as err:
        store.read_bytes(L.params(9))
    assert L.params(9) in str(err.value)
    assert store.uri in str(err.value)
    assert err.value.exit_code == 2


def test_a_folder_is_not_an_object(store: Store) -> None:
    store.write_text(L.params(1), "{}")
    assert not store.exists(L.trial(1))
    with pytest.raises(NotFound):
        store.read_bytes(L.trial(1))


def test_exists(store: Store) -> None:
    assert not store.exists(L.task)
    store.write_text(L.task, "model: x\n")
    assert store.exists(L.task)


def test_list_is_a_string_prefix_match(store: Store) -> None:
    keys = [L.params(1), L.trial(1, "bench/run.json"), L.params(10), L.params(2), L.task]
    for key in keys:
        store.write_text(key, key)
    assert store.list("studies/s/trials/1/") == [
        "studies/s/trials/1/bench/run.json",
        "studies/s/trials/1/params.json",
    ]
    # Without the trailing slash, "1" is a prefix of "10" too, exactly as on S3.
    assert store.list("studies/s/trials/1") == [
        "studies/s/trials/1/bench/run.json",
        "studies/s/trials/1/params.json",
        "studies/s/trials/10/params.json",
    ]
    assert store.list("studies/s/ta") == [L.task]
    assert store.list("") == sorted(keys)
    assert store.list("studies/other/") == []
    assert store.list("nowhere/at/all/") == []


def test_list_is_sorted(store: Store) -> None:
    # '-' < '/' < '0': a folder walk would put "a/b" before "a-b"; plain string order does not.
    keys = [f"r/{name}" for name in ("b", "a-b", "a/b", "a0", "A", "z/y/x", "10", "9")]
    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    for key in shuffled:
        store.write_bytes(key, b"x")
    listed = store.list("r/")
    assert listed == sorted(keys)


def test_delete_is_idempotent(store: Store) -> None:
    store.write_bytes("d/k", b"x")
    store.delete("d/k")
    assert not store.exists("d/k")
    store.delete("d/k")
    store.delete("never/written")
    assert store.list("d/") == []


def test_delete_prefix_leaves_siblings(store: Store) -> None:
    for slot in (1, 10):
        store.write_text(L.params(slot), "{}")
        store.write_text(L.trial(slot, "bench/a/b.json"), "{}")
    store.delete_prefix(f"{L.trial(1)}/")
    assert store.list(f"{L.trial(1)}/") == []
    assert store.list("studies/") == [L.trial(10, "bench/a/b.json"), L.params(10)]
    store.delete_prefix("nothing/here/")


def test_upload_dir_copies_nested_files(store: Store, tmp_path: Path) -> None:
    bench = tmp_path / "experiment"
    (bench / "D(100,100)" / "deep").mkdir(parents=True)
    (bench / "summary.json").write_text('{"ok": true}')
    (bench / "D(100,100)" / "c4.json").write_bytes(b"\x00\x01")
    (bench / "D(100,100)" / "deep" / "trace.log").write_text("t")
    keys = store.upload_dir(bench, L.bench_dir(2))
    expected = [
        "studies/s/trials/2/bench/D(100,100)/c4.json",
        "studies/s/trials/2/bench/D(100,100)/deep/trace.log",
        "studies/s/trials/2/bench/summary.json",
    ]
    assert sorted(keys) == expected
    assert store.list(f"{L.bench_dir(2)}/") == expected
    assert store.read_bytes(expected[0]) == b"\x00\x01"


def test_layout_paths() -> None:
    assert L.task == "studies/s/task.yaml"
    assert L.params(3) == "studies/s/trials/3/params.json"
    assert L.deploy(3) == "studies/s/trials/3/deploy.json"
    assert L.metrics(3) == "studies/s/trials/3/metrics.json"
    assert L.result(3) == "studies/s/trials/3/result.json"
    assert L.engine_log(3) == "studies/s/trials/3/engine.log"
    assert L.bench_dir(3) == "studies/s/trials/3/bench"
    assert L.report("best.yaml") == "studies/s/report/best.yaml"


def test_layout_slots_are_numeric_and_per_study(store: Store) -> None:
    assert L.slots(store) == []
    for slot in (10, 2, 1):
        store.write_text(L.params(slot), "{}")
    store.write_text(L.trial(2, "bench/x.json"), "{}")
    store.write_text("studies/s/trials/notes/readme.txt", "not a slot")
    store.write_text(Layout("s2").params(5), "{}")  # a sibling study sharing the prefix "s"
    assert L.slots(store) == [1, 2, 10]
    assert Layout("s2").slots(store) == [5]


def test_multi_megabyte_object(store: Store) -> None:
    payload = os.urandom(6 * 1024 * 1024)
    store.write_bytes(L.engine_log(1), payload)
    assert store.read_bytes(L.engine_log(1)) == payload


def test_keys_with_punctuation(store: Store) -> None:
    keys = [
        "studies/s/trials/1/bench/concurrency=4:scenario=D(100,100).json",
        "studies/s/trials/1/bench/a+b c,d@e.json",
        "studies/s/trials/1/bench/modèle.json",
    ]
    for key in keys:
        store.write_text(key, key)
    assert store.list("studies/s/trials/1/bench/") == sorted(keys)
    for key in keys:
        assert store.read_text(key) == key
        assert store.exists(key)


def test_uri_reopens_the_same_data(store: Store) -> None:
    store.write_text(L.task, "model: x\n")
    again = open_store(store.uri)
    assert type(again) is type(store)
    assert again.uri == store.uri
    assert again.read_text(L.task) == "model: x\n"
    assert again.list("") == [L.task]


@pytest.mark.parametrize("key", ["", "/abs", "a//b", "a/./b", "../escape", "a/../../b", "a/"])
def test_invalid_keys_are_refused(store: Store, key: str) -> None:
    with pytest.raises(TaskError, match="store key"):
        store.write_bytes(key, b"x")
    with pytest.raises(TaskError, match="store key"):
        store.read_bytes(key)


@pytest.mark.parametrize("prefix", ["/abs/", "../", "a/../b/"])
def test_invalid_prefixes_are_refused(store: Store, prefix: str) -> None:
    with pytest.raises(TaskError, match="store key"):
        store.list(prefix)
