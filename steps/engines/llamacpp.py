"""llama.cpp's ``llama-server``: the CPU engine of the embedded default.

Its flags map onto SGLang's concepts: ``parallel`` ~ max running requests,
``batch-size``/``ubatch-size`` ~ chunked prefill, ``ctx-size`` ~ KV cache size.
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from steps.engines.base import Engine, Flag, Scalar
from steps.errors import TaskError


def cache_root() -> Path:
    """Where built engines are cached; read at call time, never frozen at import."""
    return Path(os.environ.get("AUTOTUNE_CACHE", Path.home() / ".cache" / "inference-autotuner"))


def find_llama_server(binary: str | None = None) -> str:
    """The llama-server to run: the task's, $LLAMA_SERVER, PATH, then the cached build."""
    candidates = [binary, os.environ.get("LLAMA_SERVER"), shutil.which("llama-server")]
    cache = cache_root()
    candidates += sorted(glob.glob(str(cache / "llama.cpp" / "*" / "bin" / "llama-server")))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise TaskError(
        "engine.binary: no llama-server found (looked at engine.binary, $LLAMA_SERVER, PATH, "
        f"{cache}/llama.cpp/*/bin); run `make setup` to build it"
    )


class LlamaCpp(Engine):
    kind = "llama.cpp"
    health_path = "/health"
    flags: Mapping[str, Flag] = {
        "parallel": Flag("int", "number of server slots (max running requests)", minimum=1),
        "threads": Flag("int", "threads for generation", minimum=1, maximum=256),
        "threads-batch": Flag("int", "threads for prompt processing", minimum=1, maximum=256),
        "batch-size": Flag(
            "int",
            "logical max batch (prefill chunk)",
            minimum=1,
            why="-b 0 aborts llama-server (SIGABRT) at start",
        ),
        "ubatch-size": Flag("int", "physical max batch", minimum=1),
        "ctx-size": Flag("int", "KV cache size in tokens, shared by the slots", minimum=0),
        "cont-batching": Flag("bool", "continuous batching (default on)"),
        "no-cont-batching": Flag("bool", "disable continuous batching"),
        "flash-attn": Flag("str", "flash attention", choices=("on", "off", "auto")),
        "cache-type-k": Flag(
            "str", "KV cache type for K", choices=("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1")
        ),
        "cache-type-v": Flag(
            "str", "KV cache type for V", choices=("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1")
        ),
        "cache-reuse": Flag("int", "min chunk size to reuse from the cache", minimum=0),
        "defrag-thold": Flag("float", "KV cache defragmentation threshold", maximum=1.0),
        "threads-http": Flag("int", "HTTP worker threads", minimum=1, also=(-1,)),
        "kv-unified": Flag("bool", "one KV buffer shared by all slots"),
        "mlock": Flag("bool", "keep the model in RAM"),
        "no-mmap": Flag("bool", "load the model without mmap"),
        "n-gpu-layers": Flag("int", "layers to offload to a GPU", minimum=0),
    }

    def base_command(
        self, *, model_path: str, served_model_name: str, host: str, port: int, binary: str | None
    ) -> list[str]:
        return [
            find_llama_server(binary),
            "--model", model_path,
            "--alias", served_model_name,
            "--host", host,
            "--port", str(port),
            "--no-webui",
        ]  # fmt: skip

    def combination_problems(self, params: Mapping[str, Scalar]) -> list[str]:
        batch, ubatch = params.get("batch-size"), params.get("ubatch-size")
        problems = []
        if isinstance(batch, int) and isinstance(ubatch, int) and ubatch > batch:
            # llama.cpp silently clamps ubatch to batch: the measured candidate would not be
            # the one the sampler asked for
            problems.append(f"ubatch-size {ubatch} > batch-size {batch}: llama.cpp clamps it")
        if params.get("cont-batching") and params.get("no-cont-batching"):
            problems.append("cont-batching and no-cont-batching are both set")
        return problems
