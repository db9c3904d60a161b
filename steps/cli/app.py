"""The ``autotune`` command group and the error handling every command shares.

Command modules attach themselves with ``@main.command()`` / ``@step.command()``;
``steps.cli`` imports them all. Heavy SDKs (optuna, hera, boto3, kubernetes) are
imported inside the commands so ``autotune --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from steps import __version__
from steps.errors import AutotuneError

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="autotune")
def main() -> None:
    """Tune the launch parameters of an LLM inference engine."""


@main.group()
def step() -> None:
    """The programs of one study's DAG (what Argo and the local executor run)."""


def guarded(func: F) -> F:
    """Turn project errors into one line per problem on stderr and the step's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AutotuneError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


store_option = click.option(
    "--store",
    "store_uri",
    required=True,
    envvar="AUTOTUNE_STORE",
    help="Results store: a folder, file:///path or s3://bucket/prefix.",
)
study_option = click.option("--study", required=True, help="Study id (folder under studies/).")
slot_option = click.option("--slot", type=click.IntRange(min=0), required=True, help="Trial slot.")
