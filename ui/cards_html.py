"""A row of small labelled cards (the study header): values wrap instead of being cut.

``st.metric`` truncates a long value ("output throu...") to one line; the best
objective and a start time are exactly such values.
"""

from __future__ import annotations

import html

_CSS = """
<style>
.at-cards {display: flex; flex-wrap: wrap; gap: 10px; margin: 4px 0 10px 0;}
.at-card {border: 1px solid #e6e9ef; border-radius: 8px; padding: 8px 14px; min-width: 120px;
          background: #ffffff;}
.at-card .at-label {font-size: 0.8rem; color: #6b7280;}
.at-card .at-value {font-size: 1.15rem; font-weight: 600; color: #1f2937;}
</style>
"""


def cards_html(cards: list[tuple[str, str, tuple[str, str] | None]]) -> str:
    """(label, value, (background, text colour) or None) per card."""
    parts = []
    for label, value, colours in cards:
        style = f' style="background:{colours[0]};color:{colours[1]}"' if colours else ""
        parts.append(
            f'<div class="at-card"{style}><div class="at-label">{html.escape(label)}</div>'
            f'<div class="at-value"{style}>{html.escape(value)}</div></div>'
        )
    return f'{_CSS}<div class="at-cards">{"".join(parts)}</div>'
