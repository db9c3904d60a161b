"""What only S3 can get wrong: endpoints, prefixes in a shared bucket, transport
errors and credentials leaking into text."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import steps.store.s3 as s3_module
from steps.errors import StoreError, TaskError
from steps.store import S3Store, open_store
from tests.store.conftest import FAKE_KEY_ID, FAKE_SECRET


def test_importing_the_store_package_does_not_import_boto3() -> None:
    code = "import sys, steps.store; assert 'boto3' not in sys.modules, 'boto3 imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prefixes_share_a_bucket_without_seeing_each_other(bucket: str, moto_endpoint: str) -> None:
    a = S3Store(bucket, "a", endpoint_url=moto_endpoint)
    ab = S3Store(bucket, "/ab/", endpoint_url=moto_endpoint)  # slashes are trimmed
    whole = S3Store(bucket, endpoint_url=moto_endpoint)
    a.write_text("k", "from a")
    ab.write_text("k", "from ab")
    assert a.list("") == ["k"]
    assert ab.list("") == ["k"]
    assert a.read_text("k") == "from a"
    assert whole.list("") == ["a/k", "ab/k"]
    a.delete_prefix("")
    assert whole.list("") == ["ab/k"]


def test_delete_prefix_in_batches(
    bucket: str, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_module, "_DELETE_BATCH", 2)
    store = S3Store(bucket, "p", endpoint_url=moto_endpoint)
    for i in range(5):
        store.write_bytes(f"x/{i}", b"x")
    store.write_bytes("y/keep", b"x")
    store.delete_prefix("x/")
    assert store.list("") == ["y/keep"]


def test_folder_markers_are_not_keys(bucket: str, moto_endpoint: str) -> None:
    store = S3Store(bucket, endpoint_url=moto_endpoint)
    store._client().put_object(Bucket=bucket, Key="studies/s/", Body=b"")
    store.write_text("studies/s/task.yaml", "x")
    assert store.list("studies/") == ["studies/s/task.yaml"]


def test_endpoint_from_environment(
    bucket: str, moto_endpoint: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    assert S3Store(bucket).endpoint_url == moto_endpoint
    # AUTOTUNE_S3_ENDPOINT wins over AWS_ENDPOINT_URL.
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("AUTOTUNE_S3_ENDPOINT", moto_endpoint)
    store = S3Store(bucket)
    store.write_text("k", "v")
    assert store.read_text("k") == "v"
    # The URI leaves an environment-chosen endpoint to the environment.
    assert store.uri == f"s3://{bucket}/"
    # And an explicit endpoint wins over both.
    assert S3Store(bucket, endpoint_url="http://minio:9000").endpoint_url == "http://minio:9000"


def test_unreachable_endpoint_raises_store_error_quickly(aws_env: None, closed_port: int) -> None:
    endpoint = f"http://127.0.0.1:{closed_port}"
    store = S3Store("results", "p", endpoint_url=endpoint, max_attempts=1, connect_timeout=1)
    for call in (
        lambda: store.read_bytes("k"),
        lambda: store.write_bytes("k", b"x"),
        lambda: store.exists("k"),  # not False: "cannot tell" is not "absent"
        lambda: store.list(""),
    ):
        start = time.monotonic()
        with pytest.raises(StoreError) as err:
            call()
        assert time.monotonic() - start < 5
        message = str(err.value)
        assert endpoint in message
        assert "'results'" in message
        assert FAKE_KEY_ID not in message
        assert FAKE_SECRET not in message
        assert err.value.exit_code == 75


def test_missing_bucket_names_bucket_and_fix_without_credentials(
    aws_env: None, moto_endpoint: str
) -> None:
    store = S3Store("no-such-bucket-here", endpoint_url=moto_endpoint)
    with pytest.raises(StoreError) as err:
        store.write_text("k", "v")
    message = str(err.value)
    assert "NoSuchBucket" in message
    assert "'no-such-bucket-here'" in message
    assert "create the bucket" in message
    for text in (message, str(err.value.__cause__)):
        assert FAKE_KEY_ID not in text
        assert FAKE_SECRET not in text


def test_missing_credentials_say_where_to_put_them(
    aws_env: None, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError, match="AWS_ACCESS_KEY_ID"):
        S3Store("results", endpoint_url=moto_endpoint, max_attempts=1).read_bytes("k")


def test_str_and_repr_hold_no_credentials(bucket: str, moto_endpoint: str) -> None:
    store = S3Store(bucket, "p", endpoint_url=moto_endpoint, region="eu-west-1")
    store.write_text("k", "v")  # the client (and its credentials) now exist
    for text in (str(store), repr(store), str(vars(store))):
        assert FAKE_KEY_ID not in text
        assert FAKE_SECRET not in text
    assert repr(store) == f"S3Store({store.uri!r})"


def test_uri_round_trips_endpoint_region_and_prefix() -> None:
    store = S3Store("results", "team a/runs", endpoint_url="http://minio:9000", region="eu-1")
    again = open_store(store.uri)
    assert isinstance(again, S3Store)
    assert (again.bucket, again.prefix, again.endpoint_url, again.region) == (
        "results",
        "team a/runs",
        "http://minio:9000",
        "eu-1",
    )
    assert again.uri == store.uri


@pytest.mark.parametrize("bucket", ["A", "ab", "Results", "bad_bucket", "-x-"])
def test_invalid_bucket_is_a_task_error(bucket: str) -> None:
    with pytest.raises(TaskError, match="bucket"):
        S3Store(bucket)


def test_endpoint_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(TaskError) as err:
        S3Store("results", endpoint_url=f"http://{FAKE_KEY_ID}:{FAKE_SECRET}@minio:9000")
    assert FAKE_SECRET not in str(err.value)
    assert FAKE_KEY_ID not in str(err.value)


def test_endpoint_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOTUNE_S3_ENDPOINT", "minio:9000")
    with pytest.raises(TaskError, match="AUTOTUNE_S3_ENDPOINT 'minio:9000' is not an http"):
        S3Store("results")
