"""``autotune validate`` and ``autotune convert``: check task files, convert prototype ones.

Neither command creates or changes anything: they read files and print.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from steps.cli.app import guarded, main
from steps.errors import EXIT_BAD_INPUT, TaskError


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-v", "--verbose", is_flag=True, help="Also print the notes of a legacy file's conversion."
)
@guarded
def validate_cmd(files: tuple[str, ...], verbose: bool) -> None:
    """Check task files (YAML, or the earlier prototype's JSON) without running anything.

    For each valid FILE prints `ok: FILE (N trials, strategy, engine)`; every problem goes
    to stderr as `FILE: field.path: what is wrong; allowed: ...`, one line each. A file in
    the prototype's format is checked through its conversion (see `autotune convert`).
    Exits 2 when any file is invalid, after checking all of them.
    """
    from steps.spec.loader import load_task_with_notes

    invalid = 0
    for file in files:
        try:
            task, notes = load_task_with_notes(file)
        except TaskError as exc:
            invalid += 1
            for line in exc.problems:
                click.echo(line, err=True)
            continue
        if verbose:
            for note in notes:
                click.echo(f"{file}: note: {note}", err=True)
        search = task.search
        click.echo(f"ok: {file} ({search.trials} trials, {search.strategy}, {task.engine.kind})")
    if invalid:
        sys.exit(EXIT_BAD_INPUT)


@main.command("convert")
@click.argument("file", type=click.Path(dir_okay=False))
@guarded
def convert_cmd(file: str) -> None:
    """Convert a task FILE of the earlier prototype (JSON) to the current YAML spec.

    Prints the YAML on stdout, headed by comments on the choices the conversion made and
    on what it could not convert. Each key that could not be converted, and each problem
    of the converted task, goes to stderr as `FILE: key.path: message`. Exits 0 when
    everything converted and the result validates, else 2 (the YAML is printed anyway,
    to be finished by hand): `autotune convert old.json > task.yaml`.
    """
    from steps.spec.legacy import legacy_conversion, render_conversion
    from steps.spec.loader import is_legacy, read_task_data, resolve_paths, task_from_dict

    path = Path(file)
    try:
        data = read_task_data(path)
    except TaskError as exc:
        raise TaskError([f"{file}: {line}" for line in exc.problems]) from None
    if not is_legacy(data):
        raise TaskError(
            f"{file}: not in the prototype's format (it has no task_name nor optimization key); "
            f"check it as a task spec with `autotune validate {file}`"
        )
    conversion = legacy_conversion(data)
    invalid: list[str] = []
    try:
        task_from_dict(resolve_paths(conversion.data, path.parent))
    except TaskError as exc:
        invalid = exc.problems
    click.echo(render_conversion(conversion, file, invalid), nl=False)
    for line in conversion.problems + invalid:
        click.echo(f"{file}: {line}", err=True)
    if conversion.problems or invalid:
        sys.exit(EXIT_BAD_INPUT)
