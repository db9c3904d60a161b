"""What the Argo commands print: a workflow's node table, the recurring studies.

The node table is the local executor's (``pipelines.executor.table``): it reads the
``status`` shape both executors share, so a study reads the same wherever it ran.
"""

from __future__ import annotations

from typing import Any

from pipelines.argo.connection import ArgoConnection


def status_record(workflow: dict[str, Any]) -> dict[str, Any]:
    """``{"name": ..., **status}``: what ``pipelines.executor.table.render`` reads."""
    return {"name": workflow["metadata"]["name"], **(workflow.get("status") or {})}


def render_status(workflow: dict[str, Any], connection: ArgoConnection, console: Any) -> None:
    from pipelines.executor.table import render

    render(status_record(workflow), console)
    metadata = workflow["metadata"]
    console.print(connection.workflow_url(metadata["name"], metadata.get("namespace")))


CRON_COLUMNS = ("name", "schedule", "state", "last run", "active", "succeeded", "failed")


def cron_rows(crons: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for cron in crons:
        spec, status = cron.get("spec") or {}, cron.get("status") or {}
        schedules = spec.get("schedules") or ([spec["schedule"]] if spec.get("schedule") else [])
        rows.append(
            (
                str(cron["metadata"]["name"]),
                ", ".join(schedules) or "-",
                "suspended" if spec.get("suspend") else "active",
                str(status.get("lastScheduledTime") or "never"),
                str(len(status.get("active") or [])),
                str(status.get("succeeded", 0)),
                str(status.get("failed", 0)),
            )
        )
    return rows


def render_crons(crons: list[dict[str, Any]], console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="recurring studies (CronWorkflows)", title_justify="left")
    for column in CRON_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in cron_rows(crons):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
