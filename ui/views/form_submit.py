"""The form's file and submit parts: import, export, the compiled preview, submit."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from steps.errors import TaskError
from ui import argo_side, settings
from ui.submit import study_exists, study_problem, submit_local, task_to_submit
from ui.taskfile import Imported, export_yaml, import_path, import_text
from ui.textfmt import plain
from ui.validation import Checked, preview
from ui.views import argo_panel
from ui.views import form_state as fs

IMPORT_REPORT = "form_import_report"
STUDY_PAGE = "app_pages/study.py"


def import_panel() -> None:
    with st.expander("Import a task file (YAML, JSON, or the prototype's legacy JSON)"):
        left, right = st.columns(2)
        upload = left.file_uploader("Upload", type=["yaml", "yml", "json"], key="import_upload")
        left.button("Load the upload", on_click=_load_upload, disabled=upload is None)
        right.text_input("or a path on this machine", key="import_path")
        right.button("Load the file", on_click=_load_path)
    report: Imported | None = st.session_state.get(IMPORT_REPORT)
    if report is not None:
        if report.values is not None:
            st.success(
                "Task file loaded into the form"
                + (" (converted from legacy JSON)" if report.legacy else "")
            )
        for line in report.problems:
            st.warning(plain(line))
        for line in report.notes:
            st.caption(plain(line))


def _load_upload() -> None:
    upload = st.session_state.get("import_upload")
    if upload is not None:
        _apply(import_text(upload.getvalue().decode(errors="replace"), upload.name))


def _load_path() -> None:
    path = str(st.session_state.get("import_path") or "").strip()
    if path:
        _apply(import_path(path))


def _apply(imported: Imported) -> None:
    st.session_state[IMPORT_REPORT] = imported
    if imported.values is not None:
        fs.load(imported.values)


def export_and_preview(checked: Checked) -> None:
    name = (
        (checked.data.get("name") or "task")
        if isinstance(checked.data.get("name"), str)
        else "task"
    )
    left, right = st.columns([1, 3])
    left.download_button(
        "Export task YAML", export_yaml(checked), file_name=f"{name}.yaml", mime="text/yaml"
    )
    if checked.task is None:
        right.caption("The export holds the draft as it is; fix the problems to validate it.")
        return
    with st.expander("Preview: the compiled Argo Workflow"):
        target = st.radio(
            "Compiled for", ["this machine", "Argo (cluster mode)"], horizontal=True,
            key="preview_target",
        )  # fmt: skip
        cluster = target != "this machine"
        kind = "cron" if cluster and checked.task.pipeline.schedule else "workflow"
        store = argo_side.CLUSTER_STORE if cluster else _preview_store()
        try:
            text = preview(checked.task, store, kind, cluster)
        except TaskError as exc:
            for line in exc.problems:
                st.error(plain(line))
            return
        st.caption(f"{kind} manifest, store {store}")
        st.code(text, language="yaml")


def _preview_store() -> str:
    store = settings.store()
    return store.uri if store.uri.startswith(("file://", "s3://")) else settings.DEFAULT_STORE


def submit_panel(checked: Checked) -> None:
    st.subheader("Submit")
    target = st.radio(
        "Run on", ["this machine (local executor)", "Argo"], horizontal=True, key="submit_target"
    )
    if target == "Argo":
        argo_panel.submit_to_argo(checked)
        return
    store = settings.store()
    default_study = str(checked.data.get("name") or "")
    study = st.text_input(
        "Study id (default: the study name)", key="submit_study", placeholder=default_study,
        help="the same id resumes that study: finished slots are kept",
    ).strip() or default_study  # fmt: skip
    st.caption(f"store: {store.uri}")
    problem = study_problem(study)
    if problem:
        st.error(plain(problem))
    elif study_exists(store, study):
        st.info(
            f"Study {study} exists in the store: submitting resumes it (finished slots are kept)."
        )
    if st.button("Run locally", type="primary", key="submit_local"):
        if not checked.ok:
            st.error(
                f"Not submitted: the task has {len(checked.problems)} problem(s), listed above."
            )
            return
        try:
            submit_local(store, checked, study, settings.state_dir(), Path.cwd())
        except TaskError as exc:
            for line in exc.problems:
                st.error(plain(line))
            return
        st.session_state["flash"] = f"Study {study} started on this machine."
        st.switch_page(STUDY_PAGE, query_params={"study": study})


__all__ = ["export_and_preview", "import_panel", "submit_panel", "task_to_submit"]
