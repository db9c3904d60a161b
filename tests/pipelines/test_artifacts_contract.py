"""The steps write their artifact copies exactly where the cluster manifest tells Argo to look.

The compiled container args are run as they are (Argo's variables substituted, the
artifacts folder moved under tmp_path) against a real study in a local store; each
output artifact's path must then hold the store's record, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines import naming
from pipelines.artifacts import ARTIFACTS_DIR
from pipelines.compile import compile_task
from pipelines.options import CompileOptions
from steps.cli import main
from steps.store import Layout, Store
from tests.report.studies import STUDY, mixed_study

from .helpers import make_task, templates

SLOT = 1


def _run_step(store: Store, template: dict, artifacts: Path) -> None:
    values = {
        "{{workflow.parameters.store}}": store.uri,
        "{{workflow.parameters.study}}": STUDY,
        "{{inputs.parameters.slot}}": str(SLOT),
        ARTIFACTS_DIR: str(artifacts),
    }
    args = [values.get(arg, arg) for arg in template["container"]["args"]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def study(tmp_path: Path) -> Store:
    store = mixed_study(tmp_path)
    layout = Layout(STUDY)
    store.write_text(layout.engine_log(SLOT), "engine started\nengine stopped\n")
    store.write_text(f"{layout.bench_dir(SLOT)}/run_time_20s.json", '{"aggregated_metrics": {}}')
    store.write_text(f"{layout.bench_dir(SLOT)}/logs/genai-bench.log", "ok\n")
    return store


@pytest.mark.parametrize("step", [naming.TEARDOWN, "benchmark", naming.REPORT])
def test_each_step_writes_its_artifact_where_the_manifest_looks(
    study: Store, tmp_path: Path, step: str
):
    template = templates(compile_task(make_task(), CompileOptions(mode="cluster")))[step]
    artifacts = tmp_path / "pod-fs"
    _run_step(study, template, artifacts)
    (artifact,) = template["outputs"]["artifacts"]
    found = Path(artifact["path"].replace(ARTIFACTS_DIR, str(artifacts)))
    layout = Layout(STUDY)
    record = {
        naming.TEARDOWN: layout.engine_log(SLOT),
        "benchmark": layout.bench_dir(SLOT),
        naming.REPORT: layout.report(),
    }[step]
    if found.is_file():
        assert found.read_bytes() == study.read_bytes(record)
    else:
        keys = study.list(f"{record}/")
        assert keys, f"the store has no {record}/ to compare with"
        copied = sorted(p.relative_to(found).as_posix() for p in found.rglob("*") if p.is_file())
        assert copied == sorted(k[len(record) + 1 :] for k in keys)
        for key in keys:
            assert (found / key[len(record) + 1 :]).read_bytes() == study.read_bytes(key)


def test_a_slot_without_the_record_writes_nothing_and_succeeds(study: Store, tmp_path: Path):
    """Slot 3 was infeasible at wait-ready: no bench folder; the artifact is optional."""
    template = templates(compile_task(make_task(), CompileOptions(mode="cluster")))["benchmark"]
    args = [{"{{inputs.parameters.slot}}": "3"}.get(a, a) for a in template["container"]["args"]]
    template = {"container": {"args": args}}
    artifacts = tmp_path / "pod-fs"
    _run_step(study, template, artifacts)
    assert not (artifacts / "bench").exists()


def test_teardown_all_does_not_take_artifacts(study: Store, tmp_path: Path):
    result = CliRunner().invoke(
        main,
        ["step", "teardown", "--store", study.uri, "--study", STUDY, "--all", "--artifacts", "x"],
    )
    assert result.exit_code == 2 and "--artifacts needs --slot" in result.output
