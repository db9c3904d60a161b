"""The progress display of a running study: plain lines off a terminal, a live panel on one."""

from __future__ import annotations

import io
from pathlib import Path

from pipelines.executor.progress import Progress

from .test_study_local import plan, study


def test_plain_lines_show_slots_steps_and_the_best_so_far(tmp_path: Path, fake_dir: Path) -> None:
    plan(fake_dir, benchmark={"sleep": 0.4})
    local = study(tmp_path)
    out = io.StringIO()
    with Progress(local.store, local.study, local.task, stream=out, live=False) as progress:
        outcome = local.executor(keep=[], on_tick=progress).run()
    assert outcome.succeeded
    lines = out.getvalue().splitlines()
    assert any("running: slot-0 benchmark" in line and "slot-1 benchmark" in line for line in lines)
    assert "slots 3/3 done" in lines[-1]
    # the stand-in scores slot k as 10 + k: slot 2 is best
    assert "best: slot 2: output throughput 12 tok/s (engine defaults)" in lines[-1]


def test_the_live_panel_renders(tmp_path: Path, fake_dir: Path) -> None:
    local = study(tmp_path, trials=2)
    out = io.StringIO()
    with Progress(local.store, local.study, local.task, stream=out, live=True) as progress:
        assert local.executor(keep=[], on_tick=progress).run().succeeded
    text = out.getvalue()
    assert "study fake" in text and "2/2 done" in text and "best" in text
