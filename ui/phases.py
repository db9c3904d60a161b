"""Argo's phases as the app shows them: one colour and one symbol each, everywhere.

Colours are light backgrounds with dark text of the same hue (readable, and still
distinct for most colour-blind readers thanks to the symbol beside the word).
"""

from __future__ import annotations

# phase -> (background, text colour)
PHASE_COLOURS: dict[str, tuple[str, str]] = {
    "Succeeded": ("#d3f2d9", "#14532d"),
    "Running": ("#d6e8ff", "#0b3d91"),
    "Pending": ("#f0f2f6", "#4b5563"),
    "Failed": ("#fddcdc", "#8b1212"),
    "Error": ("#fddcdc", "#8b1212"),
    "Omitted": ("#f5f5f5", "#9ca3af"),
    "Skipped": ("#f5f5f5", "#9ca3af"),
}

_SYMBOLS = {
    "Succeeded": "✔",
    "Running": "⟳",
    "Pending": "…",
    "Failed": "✖",
    "Error": "✖",
    "Omitted": "-",
    "Skipped": "-",
}

# The phases after which nothing will change without a retry or a resubmission.
FINISHED = ("Succeeded", "Failed", "Error")


def symbol(phase: str) -> str:
    return _SYMBOLS.get(phase, "?")


def running(phase: str) -> bool:
    return phase in ("Running", "Pending")
