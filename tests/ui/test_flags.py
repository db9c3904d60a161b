"""Every known flag the form offers starts as a row that validates."""

from __future__ import annotations

import pytest

from steps.engines import ENGINES
from tests.ui.helpers import task_dict
from ui.flags import allowed_text, flag_table, known_flags, starting_row
from ui.paramtable import rows_to_parameters
from ui.taskform import from_task_dict
from ui.validation import check

FLAGS = [(kind, name) for kind in ENGINES for name in known_flags(kind)]


@pytest.mark.parametrize(("kind", "name"), FLAGS, ids=[f"{k}--{n}" for k, n in FLAGS])
def test_a_known_flag_added_to_the_table_validates(kind: str, name: str) -> None:
    row = starting_row(kind, name)
    if row["type"] == "categorical" and not row["values"]:
        row["values"] = "some-value"  # a free-text flag: the person types its choices
    parameters, problems = rows_to_parameters([row])
    assert problems == []
    values = from_task_dict(task_dict(engine={"kind": kind, "binary": None}))
    values.params = [row]
    values.fixed = []
    assert check(values).problems == []
    assert set(parameters) == {name}


def test_the_flag_table_says_what_each_flag_accepts() -> None:
    table = {row["flag"]: row for row in flag_table("llama.cpp")}
    assert table["batch-size"]["allowed"] == ">= 1"
    assert table["flash-attn"]["allowed"] == "on, off, auto"
    assert table["threads-http"]["allowed"] == ">= 1 (or -1)"
    assert table["mlock"]["allowed"] == "true / false"
    assert allowed_text(known_flags("sglang")["mem-fraction-static"]) == "> 0 and <= 0.99"
