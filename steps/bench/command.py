"""The genai-bench 0.0.5 command line and environment for one benchmark invocation.

One invocation runs every scenario x concurrency level of the task (its fixed cost is
about 15 s, so one per trial). Every option genai-bench marks required is given, or it
would prompt on a terminal. The engine's API key never goes on the command line, where
``ps`` and genai-bench's own ``experiment_metadata.json`` would show it: it travels in
``MODEL_API_KEY``, which genai-bench prefers over ``--api-key`` for the sglang backend.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from steps.errors import TaskError
from steps.spec.model import Task

# genai-bench refuses to start the sglang backend without an --api-key; engines that do
# not check keys accept anything, and the real key (if any) overrides this one.
PLACEHOLDER_KEY = "autotune-no-key"
EXPERIMENT_DIR = "experiment"
LOG_DIR = "logs"
LOG_FILE = "genai-bench.log"
SERVER_ENGINE = {"sglang": "SGLang", "vllm": "vLLM", "llama.cpp": "LlamaCPP"}

# Only these variables reach genai-bench. Several of its options read credentials from the
# environment (AWS_*, AZURE_*, GITHUB_TOKEN, ...) and it logs every option's value, so a
# step pod's store credentials would end up in the benchmark log.
_PASSED_ENV = (
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
    "VIRTUAL_ENV", "PYTHONPATH", "HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
)  # fmt: skip
_FIXED_ENV = {
    "ENABLE_UI": "false",  # no rich live dashboard on a pipe
    "HF_HUB_OFFLINE": "1",  # the tokenizer is a local folder; never reach for a hub
    "TRANSFORMERS_OFFLINE": "1",
    "PYTHONUNBUFFERED": "1",  # progress lines arrive as they happen
}


@dataclass(frozen=True)
class BenchCommand:
    """What to run, where it writes, and which strings must never reach the store."""

    argv: list[str]
    env: dict[str, str]
    out_dir: Path
    experiment_dir: Path
    log_dir: Path
    log_path: Path
    runs: list[tuple[str, int]]  # (scenario, concurrency) in the order genai-bench runs them
    secrets: list[str] = field(default_factory=list)


def find_genai_bench() -> str:
    """genai-bench's console script: beside this interpreter first, then PATH."""
    beside = Path(sys.executable).parent / "genai-bench"
    for candidate in (os.environ.get("GENAI_BENCH"), str(beside), shutil.which("genai-bench")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise TaskError(
        "genai-bench is not installed (looked at $GENAI_BENCH, beside the Python interpreter "
        "and on PATH); pip install 'inference-autotuner[bench]'"
    )


def tokenizer_of(task: Task) -> str:
    """The tokenizer genai-bench counts tokens with: model.tokenizer, else a model folder."""
    if task.model.tokenizer:
        return task.model.tokenizer
    if task.model.path and Path(task.model.path).is_dir():
        return task.model.path
    raise TaskError(
        "model.tokenizer: genai-bench needs the model's tokenizer (an HF-format folder or id)"
    )


def build_command(
    task: Task,
    endpoint: str,
    served_model_name: str,
    out_dir: Path,
    api_key: str | None = None,
    *,
    executable: str | None = None,
    base_env: dict[str, str] | None = None,
) -> BenchCommand:
    """The argv list (never a shell string) and environment; runs nothing."""
    bench = task.benchmark
    out_dir = Path(out_dir).absolute()
    experiment_dir, log_dir = out_dir / EXPERIMENT_DIR, out_dir / LOG_DIR
    argv = [
        executable or find_genai_bench(), "benchmark",
        "--api-backend", "sglang",  # sends ignore_eos: outputs have the requested length
        "--api-base", endpoint.rstrip("/"),
        "--api-key", PLACEHOLDER_KEY,
        "--api-model-name", served_model_name,
        "--model", served_model_name,
        "--model-tokenizer", tokenizer_of(task),
        "--task", bench.task,
        "--iteration-type", "num_concurrency",
        "--max-requests-per-run", str(bench.max_requests_per_run),
        "--max-time-per-run", str(bench.max_time_per_run_min),  # whole minutes
        "--metrics-time-unit", "s",
        "--experiment-base-dir", str(out_dir),
        "--experiment-folder-name", EXPERIMENT_DIR,
        "--log-dir", str(log_dir),
    ]  # fmt: skip
    if task.engine.kind in SERVER_ENGINE:
        argv += ["--server-engine", SERVER_ENGINE[task.engine.kind]]
    if bench.warmup_ratio > 0:
        argv += ["--warmup-ratio", str(bench.warmup_ratio)]
    for scenario in bench.scenarios:
        argv += ["--traffic-scenario", scenario]
    for level in bench.concurrency:
        argv += ["--num-concurrency", str(level)]

    source = os.environ if base_env is None else base_env
    env = {name: source[name] for name in _PASSED_ENV if name in source}
    env.update(_FIXED_ENV)
    secrets = [PLACEHOLDER_KEY]
    if api_key:
        env["MODEL_API_KEY"] = api_key
        secrets.insert(0, api_key)
    return BenchCommand(
        argv=argv,
        env=env,
        out_dir=out_dir,
        experiment_dir=experiment_dir,
        log_dir=log_dir,
        log_path=out_dir / LOG_FILE,
        runs=[(s, c) for s in bench.scenarios for c in bench.concurrency],
        secrets=secrets,
    )
