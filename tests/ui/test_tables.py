"""The leaderboard as the page shows it."""

from __future__ import annotations

import pandas as pd

from ui.tables import display_frame


def test_leaderboard_cells_read_as_numbers_without_exponents_or_none() -> None:
    frame = pd.DataFrame({"rank": [1.0, None], "ttft": [13990.4, 2.3456], "tok": [315.12, None]})
    shown = display_frame(frame)
    assert shown.to_dict("list") == {
        "rank": ["1", ""],
        "ttft": ["13990", "2.35"],
        "tok": ["315.1", ""],
    }
