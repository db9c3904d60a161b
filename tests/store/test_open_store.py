"""``open_store``: which URIs name which store, and which are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from steps.errors import TaskError
from steps.store import LocalStore, S3Store, open_store


def test_plain_path_is_a_folder(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "results"))
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "results"


def test_file_uri_is_a_folder_and_round_trips(tmp_path: Path) -> None:
    folder = tmp_path / "with space=and:colon"
    store = open_store(folder.as_uri())
    assert isinstance(store, LocalStore)
    assert store.root == folder
    assert open_store(store.uri).uri == store.uri
    assert isinstance(open_store(f"file://localhost{folder}"), LocalStore)


def test_s3_uri_parts() -> None:
    store = open_store("s3://results/team/runs/?endpoint=http://minio:9000&region=us-east-1")
    assert isinstance(store, S3Store)
    assert store.bucket == "results"
    assert store.prefix == "team/runs"
    assert store.endpoint_url == "http://minio:9000"
    assert store.region == "us-east-1"
    bare = open_store("s3://results")
    assert isinstance(bare, S3Store)
    assert (bare.prefix, bare.region) == ("", None)


def test_unknown_scheme_names_the_allowed_forms() -> None:
    with pytest.raises(TaskError) as err:
        open_store("xyz://somewhere/else")
    assert str(err.value) == (
        "store: 'xyz://somewhere/else' is not a store URI; "
        "allowed: a folder, file:///path, s3://bucket/prefix"
    )
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "uri",
    ["", "  ", "file://otherhost/x", "file://relative", "s3://", "s3:///prefix", "gs://b/p"],
)
def test_malformed_uris_are_task_errors(uri: str) -> None:
    with pytest.raises(TaskError, match="store"):
        open_store(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "s3://AKIAXX:s3cr3t-value@results/p",
        "s3://results/p?endpoint=http://minio:9000&secret_key=s3cr3t-value",
        "s3://results/p?endpoint=http://AKIAXX:s3cr3t-value@minio:9000",
        "gs://AKIAXX:s3cr3t-value@results/p",
        # AWS secret keys may hold '/', which moves the '@' out of urlsplit's netloc.
        "s3://AKIAXX:s3cr3t-value/with/slash@results/p",
        "gs://AKIAXX:s3cr3t-value/with/slash@results/p",
        "s3://results/p?endpoint=http://AKIAXX:s3cr3t-value/with/slash@minio:9000",
        "gs://results/p?token=s3cr3t-value",
    ],
)
def test_credentials_in_a_uri_are_refused_and_not_echoed(uri: str) -> None:
    with pytest.raises(TaskError) as err:
        open_store(uri)
    assert "s3cr3t-value" not in str(err.value)
