"""The demo model: a small llama GGUF with random weights and a locally trained tokenizer.

No model hub is reachable from the machines the embedded default runs on, and an engine's
speed depends on the model's shapes, not on its weight values. So the demo model is made
here, deterministically from a seed: a byte-level BPE tokenizer trained on a corpus of
pseudo-words, an HF-style folder around it (genai-bench's ``--model-tokenizer``; vLLM can
load it with ``--load-format dummy``), and ``model.gguf`` with the same tokenizer embedded
for llama-server. Same seed, byte-identical files.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Bump when the output for a given seed changes, so stamped folders are regenerated.
GENERATOR_VERSION = 1
STAMP = ".demo-model.json"
BOS, EOS = "<|begin_of_text|>", "<|end_of_text|>"
# A role-prefixed template both the HF tokenizer and llama-server's Jinja engine render;
# without one llama-server would guess a template for /v1/chat/completions.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"
)


@dataclass(frozen=True)
class Shape:
    """Llama-style shapes: 6 x 768 with grouped-query attention, tied embeddings: ~44M."""

    vocab_size: int = 8192
    hidden: int = 768
    layers: int = 6
    heads: int = 12
    kv_heads: int = 4
    ffn: int = 2048  # the Llama rule: 8/3 x hidden, rounded to a multiple of 256
    context: int = 4096
    rope_theta: float = 10000.0
    rms_eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    def parameter_count(self) -> int:
        kv = self.kv_heads * self.head_dim
        attention = 2 * self.hidden * self.hidden + 2 * self.hidden * kv
        block = attention + 3 * self.hidden * self.ffn + 2 * self.hidden
        return self.layers * block + self.vocab_size * self.hidden + self.hidden


SHAPE = Shape()


def generate_demo_model(out_dir: Path, seed: int = 0, shape: Shape = SHAPE) -> Path:
    """Write the tokenizer folder and ``model.gguf`` into ``out_dir``; return ``out_dir``.

    A folder already stamped with the same seed, shape and generator version is kept as is.
    """
    out_dir = Path(out_dir)
    if is_generated(out_dir, seed, shape):
        return out_dir
    stamp: dict[str, Any] = _stamp(seed, shape)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STAMP).unlink(missing_ok=True)  # a half-written folder must not look done
    rng = np.random.default_rng(seed)
    tokenizer = _train_tokenizer(_corpus(rng), shape.vocab_size)
    tokenizer_json = tokenizer.to_str(pretty=True)
    bos, eos = tokenizer.token_to_id(BOS), tokenizer.token_to_id(EOS)
    files = {
        "tokenizer.json": tokenizer_json,
        "tokenizer_config.json": _dumps(_tokenizer_config(shape)),
        "special_tokens_map.json": _dumps({"bos_token": BOS, "eos_token": EOS}),
        "config.json": _dumps(_hf_config(shape, bos, eos)),
        "generation_config.json": _dumps({"bos_token_id": bos, "eos_token_id": eos}),
    }
    for name, text in files.items():
        _atomic_write(out_dir / name, text.encode())
    _write_gguf(out_dir / "model.gguf", json.loads(tokenizer_json), shape, rng)
    stamp["files"] = sorted([*files, "model.gguf"])
    _atomic_write(out_dir / STAMP, _dumps(stamp).encode())
    return out_dir


def is_generated(out_dir: Path, seed: int = 0, shape: Shape = SHAPE) -> bool:
    """Whether ``out_dir`` already holds this generator's complete output for ``seed``."""
    try:
        found = json.loads((out_dir / STAMP).read_text())
    except (OSError, ValueError):
        return False
    files = found.pop("files", [])
    return found == _stamp(seed, shape) and all((out_dir / name).is_file() for name in files)


def _stamp(seed: int, shape: Shape) -> dict[str, Any]:
    return {"seed": seed, "version": GENERATOR_VERSION, "shape": asdict(shape)}


def _corpus(rng: np.random.Generator, sentences: int = 30_000) -> list[str]:
    """Sentences of pseudo-words with Zipf-like frequencies, so BPE finds ~8k useful merges."""
    onsets = [
        "",
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "k",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "w",
        "z",
        "br",
        "ch",
        "dr",
        "fl",
        "gr",
        "pl",
        "qu",
        "sh",
        "st",
        "th",
        "tr",
    ]
    nuclei = ["a", "e", "i", "o", "u", "y", "ai", "ea", "ee", "ie", "oo", "ou"]
    codas = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "st", "ck", "rt"]  # fmt: skip
    syllables = [o + n + c for o in onsets for n in nuclei for c in codas]
    lexicon_size = 24_000
    lengths = rng.integers(1, 5, size=lexicon_size)
    picks = rng.integers(0, len(syllables), size=int(lengths.sum()))
    lexicon, start = [], 0
    for length in lengths:
        lexicon.append("".join(syllables[i] for i in picks[start : start + length]))
        start += length
    weights = 1.0 / np.arange(1, lexicon_size + 1) ** 1.05
    weights /= weights.sum()
    sentence_lengths = rng.integers(4, 18, size=sentences)
    words = rng.choice(lexicon_size, size=int(sentence_lengths.sum()), p=weights)
    numbers = rng.integers(0, 10_000, size=sentences)
    ends = rng.choice([". ", "? ", "! ", ", ", "; "], size=sentences, p=[0.6, 0.1, 0.05, 0.2, 0.05])
    out, start = [], 0
    for i, length in enumerate(sentence_lengths):
        text = " ".join(lexicon[w] for w in words[start : start + length])
        start += length
        if i % 7 == 0:  # digits and capitals appear in real prompts too
            text = f"{text} {numbers[i]}"
        out.append(text[:1].upper() + text[1:] + str(ends[i]))
    return out


def _train_tokenizer(corpus: list[str], vocab_size: int) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE())
    # GPT-2's regex split: llama.cpp's "gpt-2" pre-tokenizer applies the same one, so both
    # sides count the same tokens for a prompt
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus, trainer=trainer)
    return tokenizer


def _tokenizer_config(shape: Shape) -> dict[str, Any]:
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": BOS,
        "eos_token": EOS,
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": shape.context,
        "chat_template": CHAT_TEMPLATE,
    }


def _hf_config(shape: Shape, bos: int, eos: int) -> dict[str, Any]:
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": shape.vocab_size,
        "hidden_size": shape.hidden,
        "intermediate_size": shape.ffn,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "num_key_value_heads": shape.kv_heads,
        "head_dim": shape.head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": shape.context,
        "rms_norm_eps": shape.rms_eps,
        "rope_theta": shape.rope_theta,
        "tie_word_embeddings": True,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "torch_dtype": "float16",
        "initializer_range": 0.02,
        "attention_bias": False,
        "mlp_bias": False,
    }


def _write_gguf(
    path: Path, tokenizer: dict[str, Any], shape: Shape, rng: np.random.Generator
) -> None:
    import gguf

    vocab: dict[str, int] = tokenizer["model"]["vocab"]
    tokens = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
    if len(tokens) != shape.vocab_size:
        # the corpus was too small for the trainer to find enough merges
        raise RuntimeError(
            f"tokenizer has {len(tokens)} tokens; the shape needs {shape.vocab_size}"
        )
    specials = {t["content"] for t in tokenizer["added_tokens"] if t["special"]}
    # tokenizers >= 0.20 saves merges as pairs, older versions as "a b" strings
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]

    tmp = path.with_name(path.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), "llama")
    writer.add_name("autotune-demo-llama")
    writer.add_context_length(shape.context)
    writer.add_embedding_length(shape.hidden)
    writer.add_block_count(shape.layers)
    writer.add_feed_forward_length(shape.ffn)
    writer.add_head_count(shape.heads)
    writer.add_head_count_kv(shape.kv_heads)
    writer.add_rope_dimension_count(shape.head_dim)
    writer.add_rope_freq_base(shape.rope_theta)
    writer.add_layer_norm_rms_eps(shape.rms_eps)
    writer.add_vocab_size(shape.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types(
        [gguf.TokenType.CONTROL if t in specials else gguf.TokenType.NORMAL for t in tokens]
    )
    writer.add_token_merges(merges)
    writer.add_bos_token_id(vocab[BOS])
    writer.add_eos_token_id(vocab[EOS])
    writer.add_add_bos_token(False)  # as the HF tokenizer: prompt token counts agree
    writer.add_chat_template(CHAT_TEMPLATE)
    for name, array in _tensors(shape, rng):
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, path)


def _tensors(shape: Shape, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """Weights in a fixed order (the order the generator draws them in is part of the seed's
    meaning). numpy shapes are (out, in); gguf reverses them into ggml's order."""
    h, kv = shape.hidden, shape.kv_heads * shape.head_dim

    def weight(*dims: int) -> np.ndarray:
        # small values keep activations finite through 6 random layers
        return (rng.standard_normal(dims, dtype=np.float32) * 0.02).astype(np.float16)

    def norm() -> np.ndarray:
        return np.ones(h, dtype=np.float32)

    out = [("token_embd.weight", weight(shape.vocab_size, h))]
    for i in range(shape.layers):
        out += [
            (f"blk.{i}.attn_norm.weight", norm()),
            (f"blk.{i}.attn_q.weight", weight(h, h)),
            (f"blk.{i}.attn_k.weight", weight(kv, h)),
            (f"blk.{i}.attn_v.weight", weight(kv, h)),
            (f"blk.{i}.attn_output.weight", weight(h, h)),
            (f"blk.{i}.ffn_norm.weight", norm()),
            (f"blk.{i}.ffn_gate.weight", weight(shape.ffn, h)),
            (f"blk.{i}.ffn_up.weight", weight(shape.ffn, h)),
            (f"blk.{i}.ffn_down.weight", weight(h, shape.ffn)),
        ]
    out.append(("output_norm.weight", norm()))  # no output.weight: tied to token_embd
    return out


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
