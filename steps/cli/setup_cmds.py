"""``autotune setup-model``: make the demo model the embedded default tunes."""

from __future__ import annotations

import time
from pathlib import Path

import click

from steps.cli.app import guarded, main

DEFAULT_MODEL_DIR = Path("examples") / "models" / "tiny-llama"


@main.command("setup-model")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_MODEL_DIR,
    show_default=True,
    help="Folder for model.gguf and the HF-style tokenizer (relative to the current directory).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Same seed, byte-identical files.")  # fmt: skip
@guarded
def setup_model(out_dir: Path, seed: int) -> None:
    """Generate the demo llama model (random weights, locally trained tokenizer); no download."""
    try:
        from steps.demo_model import SHAPE, generate_demo_model, is_generated
    except ModuleNotFoundError as exc:  # gguf / tokenizers live in the `demo` extra
        raise click.ClickException(
            f"{exc.name} is not installed: pip install 'inference-autotuner[demo]'"
        ) from exc
    reused = is_generated(out_dir, seed)
    started = time.monotonic()
    generate_demo_model(out_dir, seed=seed)
    elapsed = time.monotonic() - started
    verb = "kept (already generated for this seed)" if reused else f"wrote in {elapsed:.1f} s"
    click.echo(f"demo model {verb}: {out_dir}")
    for path in sorted(out_dir.iterdir()):
        if not path.name.startswith("."):
            click.echo(f"  {path.name:<26} {path.stat().st_size:>12,d} bytes")
    click.echo(
        f"  llama architecture, {SHAPE.parameter_count() / 1e6:.1f}M parameters, "
        f"{SHAPE.layers} layers x {SHAPE.hidden}, vocab {SHAPE.vocab_size}, seed {seed}"
    )
    click.echo(f"  task: model.path={out_dir / 'model.gguf'}  model.tokenizer={out_dir}")
