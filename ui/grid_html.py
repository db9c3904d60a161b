"""The node grid as an HTML table: a row per slot, a column per step, coloured by phase.

Hovering a cell shows its phase, duration and message (the ``title`` attribute: no
script needed). Every text that comes from a record is escaped: a failure message is
whatever an engine printed.
"""

from __future__ import annotations

import html
import time

from ui.nodes import STEPS, Cell, NodeGrid
from ui.phases import PHASE_COLOURS, symbol

_CSS = """
<style>
.at-grid {border-collapse: collapse; font-size: 0.85rem; margin: 0.2rem 0 0.6rem 0;}
.at-grid th {padding: 4px 10px; text-align: center; font-weight: 600; color: #31333f;}
.at-grid td {padding: 4px 10px; text-align: center; border: 2px solid #ffffff;
             border-radius: 4px; white-space: nowrap; min-width: 84px;}
.at-grid td.at-slot {text-align: left; font-weight: 600; background: #f0f2f6;}
.at-legend span {display: inline-block; padding: 2px 8px; margin: 0 4px 4px 0;
                 border-radius: 4px; font-size: 0.8rem;}
</style>
"""


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.0f}s"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _cell(cell: Cell, label: str, now: float) -> str:
    background, colour = PHASE_COLOURS.get(cell.phase, PHASE_COLOURS["Pending"])
    took = _duration(cell.duration_s(now))
    tip = f"{label}: {cell.phase}" + (f" after {took}" if took else "")
    if len(cell.attempts) > 1:
        tip += f", {len(cell.attempts)} attempts"
    if cell.message:
        tip += f"\n{cell.message}"
    text = f"{symbol(cell.phase)} {cell.phase}" + (f" · {took}" if took else "")
    return (
        f'<td style="background:{background};color:{colour}" title="{html.escape(tip)}" '
        f'data-phase="{html.escape(cell.phase)}">{html.escape(text)}</td>'
    )


def grid_html(grid: NodeGrid, now: float | None = None) -> str:
    """The table, with init and report as rows of their own around the slots."""
    now = time.time() if now is None else now
    head = "".join(f"<th>{html.escape(step)}</th>" for step in STEPS)
    rows = [f"<tr><th></th><th>overall</th>{head}</tr>"]
    span = len(STEPS)
    rows.append(_single("init", grid.init, span, now))
    for row in grid.slots:
        slot_cell = Cell(phase=row.phase, message=row.message)
        cells = "".join(_cell(row.cells[step], f"slot-{row.slot}.{step}", now) for step in STEPS)
        rows.append(
            f'<tr data-slot="{row.slot}"><td class="at-slot">slot {row.slot}</td>'
            f"{_cell(slot_cell, f'slot-{row.slot}', now)}{cells}</tr>"
        )
    rows.append(_single("report", grid.report, span, now))
    return f'{_CSS}<table class="at-grid">{"".join(rows)}</table>'


def _single(label: str, cell: Cell, span: int, now: float) -> str:
    inner = _cell(cell, label, now).replace("<td ", f'<td colspan="{span + 1}" ', 1)
    return f'<tr><td class="at-slot">{label}</td>{inner}</tr>'


def legend_html() -> str:
    spans = "".join(
        f'<span style="background:{bg};color:{fg}">{symbol(phase)} {phase}</span>'
        for phase, (bg, fg) in PHASE_COLOURS.items()
    )
    return f'{_CSS}<div class="at-legend">{spans}</div>'
