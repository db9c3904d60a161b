"""vLLM's OpenAI server: a second real engine (its CPU build runs here)."""

from __future__ import annotations

from collections.abc import Mapping

from steps.engines.base import Engine, Flag


class VLLM(Engine):
    kind = "vllm"
    health_path = "/health"
    flags: Mapping[str, Flag] = {
        "tensor-parallel-size": Flag("int", "tensor parallel size", minimum=1, maximum=64),
        "pipeline-parallel-size": Flag("int", "pipeline parallel size", minimum=1, maximum=64),
        "max-num-seqs": Flag("int", "max concurrently running sequences", minimum=1),
        "max-num-batched-tokens": Flag("int", "max tokens per scheduler step", minimum=1),
        "gpu-memory-utilization": Flag(
            "float", "fraction of GPU memory to use", minimum=0.0, maximum=1.0,
            exclusive_minimum=True,
        ),
        "block-size": Flag("int", "KV cache block size", choices=(8, 16, 32, 64, 128)),
        "max-model-len": Flag("int", "max context length", minimum=1),
        "enable-chunked-prefill": Flag("bool", "chunked prefill"),
        "enable-prefix-caching": Flag("bool", "automatic prefix caching"),
        "enforce-eager": Flag("bool", "disable CUDA graphs"),
        "kv-cache-dtype": Flag(
            "str", "KV cache dtype", choices=("auto", "fp8", "fp8_e5m2", "fp8_e4m3")
        ),
        "swap-space": Flag("float", "CPU swap space per GPU in GiB", minimum=0.0),
        "dtype": Flag(
            "str", "weights dtype", choices=("auto", "half", "float16", "bfloat16", "float")
        ),
        "load-format": Flag(
            "str", "how weights are loaded", choices=("auto", "safetensors", "dummy")
        ),
    }  # fmt: skip

    def base_command(
        self, *, model_path: str, served_model_name: str, host: str, port: int, binary: str | None
    ) -> list[str]:
        return [
            binary or "python3", "-m", "vllm.entrypoints.openai.api_server",
            "--model", model_path,
            "--served-model-name", served_model_name,
            "--host", host,
            "--port", str(port),
        ]  # fmt: skip
