"""Key masking in plain files, zip archives (genai-bench's .xlsx) and argv lists."""

from __future__ import annotations

import zipfile
from pathlib import Path

from steps.bench.scrub import MASK, leaks, scrub_argv, scrub_text, scrub_tree

KEY = "sk-live-0123456789abcdef"


def test_every_file_under_the_folder_is_masked(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "experiment_metadata.json").write_text(f'{{"cmd": "x --api-key {KEY}"}}')
    (tmp_path / "sub" / "genai_bench.log").write_text(f"api_key: {KEY}\nmodel_api_key: {KEY}\n")
    (tmp_path / "plot.png").write_bytes(b"\x89PNG\x00\x01no key here")
    with zipfile.ZipFile(tmp_path / "summary.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>--api-key {KEY}</t>")
        archive.writestr("xl/other.xml", "<t>clean</t>")
    assert len(leaks(tmp_path, [KEY])) == 3  # a byte search alone misses the deflated one

    changed = scrub_tree(tmp_path, [KEY])

    assert sorted(p.name for p in changed) == [
        "experiment_metadata.json",
        "genai_bench.log",
        "summary.xlsx",
    ]
    assert leaks(tmp_path, [KEY]) == []
    log = (tmp_path / "sub" / "genai_bench.log").read_text()
    assert log == f"api_key: {MASK}\nmodel_api_key: {MASK}\n"
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as archive:
        assert archive.read("xl/sharedStrings.xml").decode() == f"<t>--api-key {MASK}</t>"
        assert archive.read("xl/other.xml") == b"<t>clean</t>"
    assert not list(tmp_path.rglob("*.scrub"))


def test_text_and_argv_are_masked_longest_key_first() -> None:
    assert scrub_text(f"a {KEY} b {KEY}x", [KEY[:8], KEY]) == f"a {MASK} b {MASK}x"
    assert scrub_argv(["--api-key", KEY, "--x"], [KEY]) == ["--api-key", MASK, "--x"]


def test_empty_and_trivially_short_secrets_change_nothing(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{"a": 1}')
    assert scrub_tree(tmp_path, ["", "a"]) == []
    assert (tmp_path / "f.json").read_text() == '{"a": 1}'
