#!/usr/bin/env python3
"""Writes a tinylm .safetensors file of sharp random weights, ONLY to test reference.py.

Usage:
    /usr/bin/python3 tools/reference/make_test_weights.py OUT.safetensors [--n-heads 2] [--positional sinusoidal]
        [--context-length 32] [--d-model 64] [--n-layers 3] [--d-ff 128] [--seed 0]

Sharp weights (so that argmax decisions are clear and every component matters): matrices and embeddings
N(0, 0.3), LayerNorm weights 1 + N(0, 0.2), biases (LayerNorm biases too) N(0, 0.2).
The real fixtures come from weights written by tinylm itself; see README.md.
"""
import argparse
import json
import struct
from pathlib import Path

import torch

from reference import CONFIG_KEYS, VOCAB, parameter_specs, read_safetensors, validate_config


def random_weights(cfg, seed):
    """{name: float32 tensor} for every parameter of cfg, in canonical order."""
    g = torch.Generator().manual_seed(seed)
    normal = lambda shape, std: torch.randn(shape, generator=g, dtype=torch.float64) * std
    weights = {}
    for name, shape in parameter_specs(cfg):
        is_norm = name.startswith("ln_f.") or ".ln1." in name or ".ln2." in name
        if is_norm and name.endswith(".weight"):
            w = 1 + normal(shape, 0.2)
        elif name.endswith(".bias"):
            w = normal(shape, 0.2)
        else:  # matrices and embeddings
            w = normal(shape, 0.3)
        weights[name] = w.to(torch.float32)
    return weights


def write_safetensors(path, cfg, weights, metadata=None):
    """safetensors: u64 LE header length, JSON header (padded with spaces to 8 bytes), raw LE float32 data.
    `metadata` ({str: str}) is stored in __metadata__ beside the config."""
    config = json.dumps({k: cfg[k] for k in CONFIG_KEYS}, separators=(",", ":"))
    header = {"__metadata__": {"config": config, **(metadata or {})}}
    chunks, offset = [], 0
    for name, shape in parameter_specs(cfg):
        t = weights[name].to(torch.float32).contiguous()
        assert list(t.shape) == shape, f"{name}: shape {list(t.shape)}, expected {shape}"
        data = struct.pack(f"<{t.numel()}f", *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text.encode("utf-8") + b"".join(chunks))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--n-layers", type=int, default=3)
    p.add_argument("--n-heads", type=int, default=1)
    p.add_argument("--d-ff", type=int, default=128)
    p.add_argument("--context-length", type=int, default=32)
    p.add_argument("--positional", choices=["learned", "sinusoidal"], default="learned")
    p.add_argument("--norm-eps", type=float, default=1e-5)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    cfg = validate_config({
        "vocab_size": len(VOCAB), "d_model": a.d_model, "n_layers": a.n_layers, "n_heads": a.n_heads,
        "d_ff": a.d_ff, "context_length": a.context_length, "positional": a.positional, "norm_eps": a.norm_eps,
    })
    weights = random_weights(cfg, a.seed)
    write_safetensors(a.out, cfg, weights)
    # round trip through the reader
    cfg2, back = read_safetensors(a.out)
    assert cfg2 == cfg and all(torch.equal(back[k], weights[k]) for k in weights), "safetensors round trip failed"
    print(f"wrote {a.out}: {cfg}")


if __name__ == "__main__":
    main()
