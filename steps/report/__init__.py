"""The ``report`` step: leaderboard, best config, gain over the baseline, plots, summary."""

from steps.report.build import build_report
from steps.report.summary import ReportSummary, format_summary

__all__ = ["ReportSummary", "build_report", "format_summary"]
