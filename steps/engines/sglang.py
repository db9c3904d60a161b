"""SGLang's ``launch_server``: the engine the cluster path tunes through OME."""

from __future__ import annotations

from collections.abc import Mapping

from steps.engines.base import Engine, Flag, Scalar


class SGLang(Engine):
    kind = "sglang"
    health_path = "/health"
    flags: Mapping[str, Flag] = {
        "tp-size": Flag("int", "tensor parallel size (GPUs per replica)", minimum=1, maximum=64),
        "dp-size": Flag("int", "data parallel size", minimum=1, maximum=64),
        "mem-fraction-static": Flag(
            "float", "fraction of GPU memory for weights and KV cache",
            minimum=0.0, maximum=0.99, exclusive_minimum=True,
        ),
        "max-running-requests": Flag("int", "max concurrently running requests", minimum=1),
        "max-total-tokens": Flag("int", "KV cache size in tokens", minimum=1),
        "max-prefill-tokens": Flag("int", "max tokens in one prefill batch", minimum=1),
        "chunked-prefill-size": Flag(
            "int", "prefill chunk size, -1 disables", minimum=1, also=(-1,)
        ),
        "schedule-policy": Flag(
            "str", "request scheduling policy",
            choices=("lpm", "random", "fcfs", "dfs-weight", "lof"),
        ),
        "schedule-conservativeness": Flag(
            "float", "how conservative admission is", minimum=0.0, exclusive_minimum=True
        ),
        "cuda-graph-max-bs": Flag("int", "largest batch captured in a CUDA graph", minimum=1),
        "disable-cuda-graph": Flag("bool", "disable CUDA graphs"),
        "disable-radix-cache": Flag("bool", "disable the prefix (radix) cache"),
        "enable-torch-compile": Flag("bool", "torch.compile the model"),
        "enable-mixed-chunk": Flag("bool", "mix prefill and decode in one batch"),
        "attention-backend": Flag(
            "str", "attention kernels", choices=("flashinfer", "triton", "torch_native", "fa3")
        ),
        "kv-cache-dtype": Flag("str", "KV cache dtype", choices=("auto", "fp8_e5m2", "fp8_e4m3")),
        "context-length": Flag("int", "max context length", minimum=1),
        "stream-interval": Flag("int", "tokens per streamed chunk", minimum=1),
    }  # fmt: skip

    def base_command(
        self, *, model_path: str, served_model_name: str, host: str, port: int, binary: str | None
    ) -> list[str]:
        return [
            binary or "python3", "-m", "sglang.launch_server",
            "--model-path", model_path,
            "--served-model-name", served_model_name,
            "--host", host,
            "--port", str(port),
        ]  # fmt: skip

    def combination_problems(self, params: Mapping[str, Scalar]) -> list[str]:
        chunk, prefill = params.get("chunked-prefill-size"), params.get("max-prefill-tokens")
        if isinstance(chunk, int) and isinstance(prefill, int) and chunk > 0 and chunk > prefill:
            return [f"chunked-prefill-size {chunk} > max-prefill-tokens {prefill}"]
        return []
