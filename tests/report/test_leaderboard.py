"""The leaderboard in its three formats, read back the way a consumer would."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from steps.report import build_report
from steps.store.base import Layout, Store
from tests.report.studies import STUDY, mixed_study

# mixed_study: slot 2 (165 tok/s), 1 (150), 5 (120), baseline 0 (100); then
# 3 infeasible, 4 failed, 6 running
ORDER = [2, 1, 5, 0, 3, 4, 6]


def report_file(store: Store, name: str) -> str:
    return store.read_text(Layout(STUDY).report(name))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = mixed_study(tmp_path)
    build_report(store, STUDY)
    return store


def test_csv_rows_best_first_with_metrics_in_ms_and_params(store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(report_file(store, "leaderboard.csv"))))
    assert [int(r["slot"]) for r in rows] == ORDER
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "", "", ""]
    assert [r["state"] for r in rows] == ["complete"] * 4 + ["infeasible", "failed", "running"]
    top = rows[0]
    assert top["kind"] == "sampled"
    assert float(top["obj_output_throughput"]) == 165.0
    assert float(top["gain_vs_baseline_pct"]) == pytest.approx(65.0)
    assert float(top["output_tok_s"]) == 165.0
    assert float(top["req_s"]) == pytest.approx(1.65)
    assert float(top["ttft_p90_ms"]) == pytest.approx(900.0)
    assert float(top["ttft_p50_ms"]) == pytest.approx(675.0)
    assert float(top["tpot_p50_ms"]) == pytest.approx(39.0)
    assert float(top["e2e_p90_ms"]) == pytest.approx(4600.0)
    assert float(top["error_rate"]) == pytest.approx(0.05)
    assert (top["--parallel"], top["--threads"], top["--ubatch-size"]) == ("8", "2", "512")
    baseline = rows[3]
    assert baseline["kind"] == "baseline" and baseline["--parallel"] == ""
    assert rows[4]["reason"] == "OOMKilled | exit 137"
    assert rows[4]["obj_output_throughput"] == "" and rows[4]["--parallel"] == "8"


def test_json_has_the_same_rows_and_describes_the_objectives(store: Store) -> None:
    doc = json.loads(report_file(store, "leaderboard.json"))
    assert doc["study"] == STUDY and doc["engine"] == "llama.cpp"
    assert doc["objectives"] == [
        {"column": "obj_output_throughput", "metric": "output_throughput", "stat": "mean",
         "direction": "maximize"}
    ]  # fmt: skip
    rows = doc["rows"]
    assert [r["slot"] for r in rows] == ORDER
    assert rows[0]["rank"] == 1 and rows[4]["rank"] is None
    assert rows[0]["ttft_p90_ms"] == pytest.approx(900.0)
    assert rows[0]["--parallel"] == 8  # numbers stay numbers
    assert rows[6]["state"] == "running" and rows[6]["output_tok_s"] is None


def test_markdown_table_lists_every_slot_in_order(store: Store) -> None:
    text = report_file(store, "leaderboard.md")
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header, body = lines[0], lines[1:]
    assert "output throughput (tok/s) ↑" in header and "--ubatch-size" in header
    cells = [[c.strip() for c in line.strip("|").split(" | ")] for line in body]
    assert [int(c[1]) for c in cells] == ORDER
    width = len(header.strip("|").split(" | "))
    # the '|' inside the OOM reason is escaped, so every row keeps the header's width
    assert all(len(c) == width for c in cells)
    assert "OOMKilled \\| exit 137" in text
    assert cells[0][4] == "165.0" and cells[0][5] == "+65.0%"


def test_minimize_objective_orders_lowest_first(tmp_path: Path) -> None:
    store = mixed_study(tmp_path, metric="ttft", stat="p90")
    build_report(store, STUDY)
    rows = list(csv.DictReader(io.StringIO(report_file(store, "leaderboard.csv"))))
    assert [int(r["slot"]) for r in rows] == [5, 1, 0, 2, 3, 4, 6]
    assert float(rows[0]["obj_ttft_p90_ms"]) == pytest.approx(400.0)
    # 800 ms -> 400 ms is a +50% gain; 900 ms is worse than the baseline: negative
    assert float(rows[0]["gain_vs_baseline_pct"]) == pytest.approx(50.0)
    assert float(rows[3]["gain_vs_baseline_pct"]) == pytest.approx(-12.5)
    assert "TTFT p90 (ms) ↓" in report_file(store, "leaderboard.md")
