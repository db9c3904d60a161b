"""The new-study form's sections: study, model, engine and deploy, search, objective,
benchmark, schedule. Each draws its widgets and then the problems that point into it."""

from __future__ import annotations

from itertools import product
from typing import get_args

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from steps.engines import ENGINES
from steps.spec.model import SLO, Metric
from ui.flags import flag_table, known_flags, starting_row
from ui.paramtable import PARAM_COLUMNS, PARAM_TYPES, blank_param, complete_rows
from ui.taskform import AUTO, extra_paths, run_label, split_levels, split_scenarios
from ui.textfmt import plain
from ui.validation import Checked
from ui.views import form_state as fs
from ui.views.form_state import key

STRATEGIES = ("tpe", "random", "grid", "nsga2")
METRICS: tuple[str, ...] = get_args(Metric)
STATS = ("mean", "p50", "p90", "p99")
SLO_KEYS = tuple(SLO.model_fields)
FIXED_BLANK: dict[str, object] = {"flag": "", "value": ""}
SLO_BLANK: dict[str, object] = {"slo": "", "value": None}


class Spots:
    """Places beside the widgets where problems go, filled once every widget has run
    (a table's edits only arrive when its editor is drawn)."""

    def __init__(self) -> None:
        self.places: list[tuple[tuple[str, ...], DeltaGenerator]] = []

    def here(self, *sections: str) -> None:
        self.places.append((sections, st.container()))

    def fill(self, checked: Checked) -> None:
        for sections, place in self.places:
            for section in sections:
                for line in checked.section(section):
                    place.error(plain(line), icon="⚠️")


def study_section(spots: Spots) -> None:
    st.text_input("Study name", key=key("name"), help="DNS-1123 label, at most 40 characters")
    spots.here("study")


def model_section(spots: Spots) -> None:
    st.subheader("Model")
    left, middle, right = st.columns(3)
    left.text_input("Served model name", key=key("model_name"))
    middle.text_input(
        "Weights (path or model id)",
        key=key("model_path"),
        help="./ paths are relative to the folder `autotune ui` started in",
    )
    right.text_input("Tokenizer (HF folder or id)", key=key("model_tokenizer"))
    spots.here("model")


def engine_section(spots: Spots) -> None:
    st.subheader("Engine and deployment")
    left, middle, right = st.columns(3)
    left.selectbox("Engine kind", list(ENGINES), key=key("engine_kind"))
    middle.radio(
        "Deploy backend", ["local", "ome"], key=key("backend"), horizontal=True,
        help="local: the engine runs on this machine; ome: an OME InferenceService",
    )  # fmt: skip
    right.number_input("Ready timeout (s)", step=10, key=key("ready_timeout_s"))
    ome = st.session_state.get(key("backend")) == "ome"
    left, middle, _ = st.columns(3)
    left.text_input("Namespace (ome)", key=key("namespace"), disabled=not ome)
    middle.text_input("ClusterServingRuntime (ome)", key=key("runtime"), disabled=not ome)
    spots.here("engine", "deploy")


def parameters_section(spots: Spots) -> None:
    st.subheader("Parameters to tune")
    kind = str(st.session_state.get(key("engine_kind"), "llama.cpp"))
    flags = known_flags(kind) if kind in ENGINES else {}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        f"Add a known {kind} flag", list(flags), index=None, placeholder="pick a flag",
        key=key("add_flag"),
        format_func=lambda name: f"--{name}: {flags[name].help}" if name in flags else name,
    )  # fmt: skip
    right.button(
        "Add", disabled=chosen is None, on_click=_add_flag, args=(kind, chosen), key=key("add")
    )
    rows = complete_rows(fs.rows("params"), blank_param())
    frame = pd.DataFrame(rows, columns=list(PARAM_COLUMNS))
    result = st.data_editor(
        frame,
        key=fs.editor_key("params"),
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "flag": st.column_config.TextColumn("flag", help="long flag without the dashes"),
            "type": st.column_config.SelectboxColumn("type", options=PARAM_TYPES, required=True),
            "low": st.column_config.NumberColumn("low"),
            "high": st.column_config.NumberColumn("high"),
            "values": st.column_config.TextColumn(
                "values / choices", help="comma-separated, instead of low and high"
            ),
            "log": st.column_config.CheckboxColumn("log"),
            "step": st.column_config.NumberColumn("step"),
            "raw": st.column_config.CheckboxColumn("raw", help="pass an unlisted flag unchecked"),
        },
    )
    fs.keep_edited("params", _records(result))
    spots.here("parameters")
    with st.expander(f"Fixed flags and the {kind} flag table"):
        fixed = st.data_editor(
            pd.DataFrame(complete_rows(fs.rows("fixed"), FIXED_BLANK), columns=["flag", "value"]),
            key=fs.editor_key("fixed"),
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "flag": st.column_config.TextColumn("fixed flag"),
                "value": st.column_config.TextColumn("value", help="set on every trial"),
            },
        )
        fs.keep_edited("fixed", _records(fixed))
        st.dataframe(pd.DataFrame(flag_table(kind)), hide_index=True, width="stretch")
    spots.here("fixed")


def _add_flag(kind: str, name: str | None) -> None:
    if name is not None and name in known_flags(kind):
        fs.add_row("params", starting_row(kind, name))
        st.session_state[key("add_flag")] = None


def search_section(spots: Spots) -> None:
    st.subheader("Search")
    cols = st.columns(5, vertical_alignment="bottom")
    cols[0].selectbox("Strategy", STRATEGIES, key=key("strategy"))
    cols[1].number_input("Trials (slots)", step=1, key=key("trials"))
    cols[2].number_input("Parallelism", step=1, key=key("parallelism"))
    cols[3].number_input("Seed", step=1, key=key("seed"))
    cols[4].checkbox("Slot 0 = baseline", key=key("baseline"), help="engine defaults first")
    spots.here("search")


def objective_section(spots: Spots) -> None:
    st.subheader("Objective")
    cols = st.columns(4)
    metrics = cols[0].multiselect("Metric(s)", METRICS, key=key("metrics"), max_selections=2)
    directions = [AUTO] + [
        ", ".join(c) for c in product(("maximize", "minimize"), repeat=len(metrics) or 1)
    ]
    _keep_option("direction", directions)
    cols[1].selectbox("Direction", directions, key=key("direction"))
    cols[2].selectbox("Latency statistic", STATS, key=key("stat"))
    scenarios = split_scenarios(str(st.session_state.get(key("scenarios"), "")))
    levels = split_levels(str(st.session_state.get(key("concurrency"), "")))
    runs = [AUTO] + [run_label(s, c) for s in scenarios for c in levels]
    _keep_option("at", runs)
    cols[3].selectbox("Scored run", runs, key=key("at"), help="auto: the only benchmark run")
    st.caption("SLOs: a trial that violates one is infeasible")
    slos = st.data_editor(
        pd.DataFrame(complete_rows(fs.rows("slos"), SLO_BLANK), columns=["slo", "value"]),
        key=fs.editor_key("slos"),
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "slo": st.column_config.SelectboxColumn("SLO", options=SLO_KEYS),
            "value": st.column_config.NumberColumn("limit"),
        },
    )
    fs.keep_edited("slos", _records(slos))
    spots.here("objective")


def benchmark_section(spots: Spots) -> None:
    st.subheader("Benchmark")
    cols = st.columns(4)
    cols[0].text_input("Scenarios", key=key("scenarios"), help="space-separated, e.g. D(100,64)")
    cols[1].text_input("Concurrency levels", key=key("concurrency"), help="e.g. 1, 4, 8")
    cols[2].number_input("Max requests per run", step=10, key=key("max_requests_per_run"))
    cols[3].number_input("Max minutes per run", step=1, key=key("max_time_per_run_min"))
    spots.here("benchmark")


def schedule_section(spots: Spots) -> None:
    with st.expander("Schedule and pipeline settings"):
        st.text_input(
            "Schedule (cron, optional)", key=key("schedule"),
            help="e.g. 0 3 * * 1; a schedule needs Argo (a CronWorkflow)",
        )  # fmt: skip
        if str(st.session_state.get(key("schedule"), "")).strip():
            st.info("Schedules need Argo: a local run starts once, now. See the Schedules page.")
        cols = st.columns(3)
        cols[0].text_input("Steps image", key=key("image"))
        cols[1].number_input("Trial timeout (s)", step=60, key=key("trial_timeout_s"))
        cols[2].number_input("Step retries", step=1, key=key("step_retries"))
        cols = st.columns(3)
        cols[0].text_input("Engine binary (local)", key=key("engine_binary"))
        cols[1].text_input("API key env var", key=key("api_key_env"))
        st.text_area("Description", key=key("description"), height=68)
        extra = extra_paths(st.session_state.get(key("extra")) or {})
        if extra:
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.caption(
                "Kept as imported (no field here): " + ", ".join(extra) + ". Edit them in the file."
            )
            right.button("Drop them", key=key("drop_extra"), on_click=_drop_extra)
    spots.here("pipeline", "general")


def sanitize() -> None:
    """Replace values no widget can show (an imported file's typo) by the widget's default;
    the import already listed the file's problems."""
    choices = {
        "engine_kind": list(ENGINES),
        "backend": ["local", "ome"],
        "strategy": list(STRATEGIES),
        "stat": list(STATS),
    }
    for name, options in choices.items():
        if st.session_state.get(key(name)) not in options:
            st.session_state[key(name)] = options[0] if name != "engine_kind" else "llama.cpp"
    metrics = st.session_state.get(key("metrics")) or []
    kept = [m for m in metrics if m in METRICS][:2]
    st.session_state[key("metrics")] = kept or ["output_throughput"]


def _drop_extra() -> None:
    st.session_state[key("extra")] = {}


def _keep_option(name: str, options: list[str]) -> None:
    # a choice that no longer exists (the scenarios changed) falls back to auto
    if st.session_state.get(key(name)) not in options:
        st.session_state[key(name)] = AUTO


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {k: (None if _missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
