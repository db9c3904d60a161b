"""The real llama-server loads the demo model and serves both OpenAI endpoints."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tests.engines.llama_proc import start_llama_server

pytestmark = pytest.mark.engine


def test_serves_completions_and_chat_on_the_demo_model(
    llama_server: str, demo_model: Path, tmp_path: Path
) -> None:
    with start_llama_server(llama_server, demo_model / "model.gguf", tmp_path / "s.log") as srv:
        assert srv.ready_s < 30
        # random weights emit end-of-sequence at random: ignore_eos makes lengths exact
        done = srv.post(
            "/v1/completions",
            {
                "model": "tiny-llama",
                "prompt": "Shall I compare",
                "max_tokens": 12,
                "ignore_eos": True,
            },
        )
        assert done["usage"]["completion_tokens"] == 12
        assert isinstance(done["choices"][0]["text"], str)
        chat = srv.post(
            "/v1/chat/completions",
            {
                "model": "tiny-llama",
                "max_tokens": 8,
                "ignore_eos": True,
                "messages": [{"role": "user", "content": "Thou art more lovely"}],
            },
        )
        assert chat["usage"]["completion_tokens"] == 8
        assert chat["choices"][0]["message"]["role"] == "assistant"
    assert srv.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(srv.proc.pid, 0)  # the whole process group is gone


@pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None, reason="transformers is not installed"
)
def test_server_and_hf_tokenizer_count_the_same_tokens(
    llama_server: str, demo_model: Path, tmp_path: Path
) -> None:
    # genai-bench sizes prompts with the HF tokenizer; the engine must see the same tokens
    from transformers import AutoTokenizer

    text = "When in disgrace with fortune and men's eyes, I all alone beweep my outcast state 42!"
    hf = AutoTokenizer.from_pretrained(str(demo_model)).encode(text, add_special_tokens=False)
    with start_llama_server(llama_server, demo_model / "model.gguf", tmp_path / "s.log") as srv:
        served = srv.post("/tokenize", {"content": text})["tokens"]
    assert served == hf
