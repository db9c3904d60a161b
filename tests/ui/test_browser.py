"""A person's path through the app in a real browser: fill the form, run a tiny study,
watch every slot reach Succeeded; the study page is saved as a screenshot."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from steps.spec import load_task
from tests.ui.browser import app_server, chromium
from tests.ui.helpers import real_engine_task, write_task

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STUDY = "ui-browser"

pytestmark = [pytest.mark.slow, pytest.mark.engine, pytest.mark.genai_bench]
GRID_SCRIPT = """() => Array.from(document.querySelectorAll("table.at-grid tr")).map(
    tr => Array.from(tr.querySelectorAll("td")).map(
        (td, i) => i === 0 ? td.innerText.trim() : td.getAttribute("data-phase")))"""


def grid_state(page: Any) -> dict[str, list[str]]:
    """Phases of the node grid as the browser shows them (row label -> cells), read in
    one go: the page redraws the grid every couple of seconds."""
    rows = page.evaluate(GRID_SCRIPT)
    return {row[0]: row[1:] for row in rows if row}


def all_succeeded(state: dict[str, list[str]], slots: int) -> bool:
    rows = [state.get(f"slot {k}") for k in range(slots)] + [state.get("report")]
    return all(row and all(p == "Succeeded" for p in row) for row in rows)


def test_a_tiny_study_submitted_from_the_form_runs_to_the_end(
    tmp_path: Path, llama_server: str, demo_model: Path, genai_bench: str
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    task_file = write_task(tmp_path, real_engine_task(demo_model, llama_server, name="from-file"))
    store = tmp_path / "store"
    env = {**os.environ, "AUTOTUNE_UI_STATE": str(tmp_path / "state"),
           "AUTOTUNE_WORKDIR": str(tmp_path / "work")}  # fmt: skip
    for name in ("ARGO_SERVER", "ARGO_TOKEN"):
        env.pop(name, None)
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(store, env) as url, chromium(height=1000) as page:
        page.goto(f"{url}/new")
        page.get_by_text("Import a task file").click()
        path = page.get_by_role("textbox", name="or a path on this machine")
        path.fill(str(task_file))
        path.press("Enter")
        page.get_by_role("button", name="Load the file").click()
        page.get_by_text("Task file loaded into the form").wait_for(timeout=30_000)
        # the page is drawn top to bottom: typing before its end would send the lower
        # widgets' old values back with the next rerun
        expect(page.get_by_role("textbox", name="Scenarios")).to_have_value(
            "D(32,16)", timeout=30_000
        )
        name = page.get_by_role("textbox", name="Study name", exact=True)
        name.fill(STUDY)
        name.press("Enter")
        page.get_by_text("The task is valid.").wait_for(timeout=30_000)
        expect(page.get_by_role("textbox", name="Study name", exact=True)).to_have_value(STUDY)
        page.get_by_role("button", name="Run locally").click()
        page.wait_for_url(re.compile(rf"/study\?study={STUDY}"), timeout=60_000)
        page.locator("table.at-grid").wait_for(timeout=60_000)

        seen_running = False
        for _ in range(600):  # the page refreshes itself; no reload here
            state = grid_state(page)
            running = any(
                "Running" in phases for row, phases in state.items() if row.startswith("slot")
            )
            if running and not seen_running:  # what a person sees while it runs
                page.wait_for_timeout(1000)
                page.screenshot(path=str(ARTIFACTS / "ui-study-page-running.png"))
            seen_running = seen_running or running
            if all_succeeded(state, 2):
                break
            page.wait_for_timeout(500)
        assert all_succeeded(grid_state(page), 2), grid_state(page)
        assert seen_running  # it was watched live, not only read at the end
        page.get_by_text("Best configuration: slot").wait_for(timeout=60_000)
        page.set_viewport_size({"width": 1400, "height": 2400})
        page.wait_for_timeout(1500)  # charts lay out again at the new size
        page.screenshot(path=str(ARTIFACTS / "ui-study-page.png"), full_page=True)
    assert (store / "studies" / STUDY / "report" / "best.json").exists()
    submitted = load_task(store / "studies" / STUDY / "task.yaml")
    assert submitted.benchmark.scenarios == ["D(32,16)"]  # what the imported file said
    assert submitted.search.trials == 2
