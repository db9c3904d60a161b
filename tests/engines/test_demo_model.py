"""The demo model: deterministic from its seed, ~44M parameters, a tokenizer HF can load."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gguf") is None or importlib.util.find_spec("tokenizers") is None,
    reason="the demo model needs gguf and tokenizers (pip install -e '.[demo]')",
)

FILES = ("model.gguf", "tokenizer.json", "tokenizer_config.json", "config.json")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from steps.demo_model import generate_demo_model

    root = tmp_path_factory.mktemp("demo")
    return {
        "a": generate_demo_model(root / "a", seed=1),
        "b": generate_demo_model(root / "b", seed=1),
        "c": generate_demo_model(root / "c", seed=2),
    }


def test_same_seed_gives_byte_identical_files(generated: dict[str, Path]) -> None:
    names = sorted(p.name for p in generated["a"].iterdir())
    assert names == sorted(p.name for p in generated["b"].iterdir())
    for name in names:
        assert (generated["a"] / name).read_bytes() == (generated["b"] / name).read_bytes(), name


def test_different_seed_gives_different_weights_and_tokenizer(generated: dict[str, Path]) -> None:
    for name in ("model.gguf", "tokenizer.json"):
        assert (generated["a"] / name).read_bytes() != (generated["c"] / name).read_bytes(), name


def test_gguf_is_a_44m_llama_with_the_tokenizer_embedded(generated: dict[str, Path]) -> None:
    import gguf

    from steps.demo_model import SHAPE

    reader = gguf.GGUFReader(generated["a"] / "model.gguf")
    params = sum(int(t.n_elements) for t in reader.tensors)
    assert params == SHAPE.parameter_count()
    assert 42e6 < params < 46e6

    def field(name: str) -> object:
        value = reader.fields[name]
        return value.contents()

    assert field("general.architecture") == "llama"
    assert field("llama.block_count") == 6
    assert field("llama.embedding_length") == 768
    assert field("llama.attention.head_count") == 12
    assert field("tokenizer.ggml.model") == "gpt2"
    tokens = field("tokenizer.ggml.tokens")
    assert isinstance(tokens, list) and len(tokens) == SHAPE.vocab_size
    vocab = json.loads((generated["a"] / "tokenizer.json").read_text())["model"]["vocab"]
    assert tokens == sorted(vocab, key=vocab.__getitem__)  # the same ids on both sides
    matrices = [t for t in reader.tensors if len(t.shape) == 2]
    assert matrices and all(t.tensor_type == gguf.GGMLQuantizationType.F16 for t in matrices)


def test_hf_config_matches_the_gguf_shapes(generated: dict[str, Path]) -> None:
    from steps.demo_model import SHAPE

    config = json.loads((generated["a"] / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"]
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (
        SHAPE.hidden,
        SHAPE.layers,
        SHAPE.vocab_size,
    )
    assert config["num_attention_heads"] == 12


@pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None, reason="transformers is not installed"
)
def test_tokenizer_loads_with_autotokenizer_offline(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # a fresh process with an empty HF cache and the hub switched off: nothing can be fetched
    code = (
        "import sys\n"
        "from transformers import AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained(sys.argv[1])\n"
        "ids = tok.encode('Shall I compare thee to a summer day?', add_special_tokens=False)\n"
        "print(len(tok), tok.eos_token, tok.decode(ids))\n"
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code, str(generated["a"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "8192 <|end_of_text|> Shall I compare thee to a summer day?"


def test_a_generated_folder_is_kept_and_a_broken_one_regenerated(tmp_path: Path) -> None:
    from steps.demo_model import generate_demo_model, is_generated

    folder = generate_demo_model(tmp_path / "m", seed=3)
    assert is_generated(folder, seed=3) and not is_generated(folder, seed=4)
    stamp = {name: (folder / name).stat().st_mtime_ns for name in FILES}
    generate_demo_model(folder, seed=3)
    assert {name: (folder / name).stat().st_mtime_ns for name in FILES} == stamp

    original = (folder / "model.gguf").read_bytes()
    (folder / "model.gguf").unlink()
    assert not is_generated(folder, seed=3)
    generate_demo_model(folder, seed=3)
    assert (folder / "model.gguf").read_bytes() == original


def test_setup_model_command_writes_and_reports(tmp_path: Path) -> None:
    from steps.cli import main

    out = tmp_path / "tiny"
    result = CliRunner().invoke(main, ["setup-model", "--out", str(out), "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert all((out / name).is_file() for name in FILES)
    assert "model.gguf" in result.output and "44.1M parameters" in result.output
    again = CliRunner().invoke(main, ["setup-model", "--out", str(out), "--seed", "5"])
    assert again.exit_code == 0 and "kept" in again.output
