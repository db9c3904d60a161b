"""``autotune report STUDY``: rebuild a study's report from the store and print its summary."""

from __future__ import annotations

import click

from steps.cli.app import guarded, main, store_option


@main.command("report")
@click.argument("study")
@store_option
@guarded
def report_cmd(study: str, store_uri: str) -> None:
    """Write STUDY's leaderboard, best config and plots to the store, and print the summary."""
    # imported here: matplotlib and optuna would slow down `autotune --help`
    from steps.report import build_report
    from steps.store import open_store

    summary = build_report(open_store(store_uri), study)
    click.echo(summary.text)
