#!/usr/bin/env python3
"""PyTorch reference implementation of the tinylm model, used to produce golden fixtures.

Usage:
    /usr/bin/python3 tools/reference/reference.py WEIGHTS.safetensors [MORE.safetensors ...] --out DIR

For each NAME.safetensors it loads the config (from __metadata__.config) and the tensors (every expected
tensor must be present, F32, with the right shape; unknown tensors are rejected), runs the model in
float32, and writes DIR/NAME.json with the full logits of a forward over each prompt and a greedy
continuation (no cache: every step recomputes the whole sequence).

The file also checks itself and fails loudly (AssertionError, exit status 1) when a check fails:
  * a naive second implementation (per-position, per-head loops, hand-written LayerNorm and softmax)
    agrees with the batched masked one (float64: 1e-9; float32: scaled 1e-4);
  * causality: row t of a forward over the whole sequence equals the last row of a forward over the
    prefix [0..t] (every greedy step is compared with the final full forward);
  * float32 agrees with the same model run in float64, and greedy decoding picks the same tokens in both
    (unless the float32 margin between the top two logits is too small to decide, which is reported).

Plain torch ops only: no nn.MultiheadAttention, no F.scaled_dot_product_attention.
Depends on torch (Debian: apt-get install python3-torch); safetensors is read by hand.
"""
import argparse
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

VOCAB = [
    "the", "cat", "dog", "sat", "on", "mat", "a", "is", "in", "house",
    "and", "runs", "with", "small", "big", "jumps", "over", "under", "tree", "eats",
]
PROMPTS = ["the cat sat", "a big dog runs in the house", "the", "the dog"]
MAX_NEW_TOKENS = 30  # clipped so that prompt + generated <= context_length

CONFIG_KEYS = ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "context_length", "positional", "norm_eps")
MAX_HEADER_BYTES = 100 * 1024 * 1024

# Tolerances of the self-checks.
TOL_NAIVE_F64 = 1e-9  # naive vs batched, both float64 (relative to max(1, |logits|max))
TOL_F32 = 1e-4        # float32 vs float64, naive vs batched in float32, causality in float32 (same scaling)
MIN_DECISIVE_MARGIN = 1e-4  # a greedy pick with a smaller top-1/top-2 gap may legitimately differ in float64


# ----------------------------------------------------------------------------------------------------
# config, parameter list, safetensors


def validate_config(cfg):
    """Returns cfg (snake_case dict) after checking every key; raises ValueError naming the field."""
    if not isinstance(cfg, dict):
        raise ValueError(f"config must be a JSON object, got {cfg!r}")
    unknown = set(cfg) - set(CONFIG_KEYS)
    missing = [k for k in CONFIG_KEYS if k not in cfg]
    if unknown or missing:
        raise ValueError(f"config: unknown keys {sorted(unknown)}, missing keys {missing}")
    for key in ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "context_length"):
        v = cfg[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"config: {key} must be a positive integer, got {v!r}")
    if cfg["vocab_size"] != len(VOCAB):
        raise ValueError(f"config: vocab_size must be {len(VOCAB)}, got {cfg['vocab_size']}")
    if cfg["d_model"] % cfg["n_heads"] != 0:
        raise ValueError(f"config: n_heads={cfg['n_heads']} must divide d_model={cfg['d_model']}")
    if cfg["positional"] not in ("learned", "sinusoidal"):
        raise ValueError(f"config: positional must be 'learned' or 'sinusoidal', got {cfg['positional']!r}")
    if cfg["positional"] == "sinusoidal" and cfg["d_model"] % 2 != 0:
        raise ValueError(f"config: d_model={cfg['d_model']} must be even for sinusoidal positions")
    eps = cfg["norm_eps"]
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not (0 < eps < math.inf):
        raise ValueError(f"config: norm_eps must be a positive finite number, got {eps!r}")
    return cfg


def parameter_specs(cfg):
    """[(name, shape)] of every parameter, in canonical order (the order tinylm saves them in)."""
    V, d, F_, C = cfg["vocab_size"], cfg["d_model"], cfg["d_ff"], cfg["context_length"]
    specs = [("tok_emb.weight", [V, d])]
    if cfg["positional"] == "learned":
        specs.append(("pos_emb.weight", [C, d]))
    linear = lambda name, n_out, n_in: [(f"{name}.weight", [n_out, n_in]), (f"{name}.bias", [n_out])]
    norm = lambda name: [(f"{name}.weight", [d]), (f"{name}.bias", [d])]
    for i in range(cfg["n_layers"]):
        b = f"blocks.{i}"
        specs += norm(f"{b}.ln1")
        for p in ("q", "k", "v", "o"):
            specs += linear(f"{b}.attn.{p}", d, d)
        specs += norm(f"{b}.ln2") + linear(f"{b}.mlp.fc1", F_, d) + linear(f"{b}.mlp.fc2", d, F_)
    specs += norm("ln_f") + linear("lm_head", V, d)
    return specs


def read_safetensors(path):
    """Returns (config dict, {name: float32 tensor}), validating the file against its own config."""
    assert sys.byteorder == "little", "this reader assumes a little-endian host"
    raw = Path(path).read_bytes()

    def fail(msg):
        raise ValueError(f"{path}: safetensors: {msg}")

    if len(raw) < 8:
        fail(f"file is truncated: {len(raw)} bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8 or n > MAX_HEADER_BYTES:
        fail(f"header length {n} is past the end of the file ({len(raw)} bytes) or too large")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except ValueError as e:
        fail(f"header is not valid JSON ({e})")
    data = raw[8 + n:]
    try:
        config_text = header["__metadata__"]["config"]
    except (KeyError, TypeError):
        fail("__metadata__.config is missing; expected the model config as a JSON string")
    try:
        cfg = validate_config(json.loads(config_text))
    except ValueError as e:
        fail(f"__metadata__.config is invalid: {e}")

    specs = parameter_specs(cfg)
    expected = {name for name, _ in specs}
    unknown = [k for k in header if k != "__metadata__" and k not in expected]
    if unknown:
        fail(f"unknown tensors {unknown} for a {cfg['positional']}-position model")
    tensors, spans = {}, []
    for name, shape in specs:
        if name not in header:
            fail(f"missing tensor {name!r}; expected F32 {shape}")
        e = header[name]
        if e.get("dtype") != "F32":
            fail(f"{name!r} has dtype {e.get('dtype')!r}, expected F32")
        if list(e.get("shape", [])) != shape:
            fail(f"{name!r} has shape {e.get('shape')}, expected {shape}")
        begin, end = e["data_offsets"]
        if end - begin != 4 * math.prod(shape) or begin < 0 or end > len(data):
            fail(f"{name!r} data_offsets [{begin}, {end}] do not fit F32 {shape} in a {len(data)}-byte data section")
        spans.append((begin, end, name))
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = flat.reshape(shape).clone()
    spans.sort()
    for (_, prev_end, prev), (begin, _, name) in zip(spans, spans[1:]):
        if begin < prev_end:
            fail(f"{name!r} data_offsets overlap those of {prev!r}")
    return cfg, tensors


# ----------------------------------------------------------------------------------------------------
# the model, batched (the reference)


def sinusoids(T, d):
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...), computed in float64. [T, d] float64"""
    pe = torch.zeros(T, d, dtype=torch.float64)
    for p in range(T):
        for i in range(0, d, 2):
            angle = p / 10000 ** (i / d)  # i is already 2i
            pe[p, i] = math.sin(angle)
            pe[p, i + 1] = math.cos(angle)
    return pe


def positions(cfg, W, T, dtype):
    """The positional term for absolute positions 0..T-1. [T, d]"""
    if cfg["positional"] == "learned":
        return W["pos_emb.weight"][:T]
    return sinusoids(T, cfg["d_model"]).to(torch.float32).to(dtype)  # float64 -> float32 as stored


def forward(cfg, W, ids):
    """Logits [T, V] for token ids [T]; W's dtype decides the computation's dtype."""
    T, d, H = len(ids), cfg["d_model"], cfg["n_heads"]
    dh, eps = d // H, cfg["norm_eps"]
    assert 1 <= T <= cfg["context_length"], f"sequence of {T} tokens does not fit context_length {cfg['context_length']}"
    ln = lambda x, name: F.layer_norm(x, (d,), W[f"{name}.weight"], W[f"{name}.bias"], eps)
    lin = lambda x, name: F.linear(x, W[f"{name}.weight"], W[f"{name}.bias"])
    dtype = W["tok_emb.weight"].dtype

    h = W["tok_emb.weight"][torch.tensor(ids)] + positions(cfg, W, T, dtype)  # [T, d]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)  # [T, T], True where key j > query i
    for i in range(cfg["n_layers"]):
        b = f"blocks.{i}"
        a = ln(h, f"{b}.ln1")  # [T, d]
        q = lin(a, f"{b}.attn.q").view(T, H, dh).transpose(0, 1)  # [H, T, dh]
        k = lin(a, f"{b}.attn.k").view(T, H, dh).transpose(0, 1)  # [H, T, dh]
        v = lin(a, f"{b}.attn.v").view(T, H, dh).transpose(0, 1)  # [H, T, dh]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(dh)  # [H, T, T]
        att = att.masked_fill(future, float("-inf")).softmax(dim=-1)  # [H, T, T]
        y = (att @ v).transpose(0, 1).reshape(T, d)  # [T, d], heads concatenated
        h = h + lin(y, f"{b}.attn.o")  # [T, d]
        m = ln(h, f"{b}.ln2")  # [T, d]
        h = h + lin(F.relu(lin(m, f"{b}.mlp.fc1")), f"{b}.mlp.fc2")  # [T, d]
    return lin(ln(h, "ln_f"), "lm_head")  # [T, V]


def argmax_lowest(row):
    """Index of the largest value; ties go to the lowest id."""
    assert torch.isfinite(row).all(), f"non-finite logits: {row}"
    return int((row == row.max()).nonzero()[0, 0])


def greedy(cfg, W, prompt_ids, max_new):
    """Greedy continuation without a cache: each step runs the whole sequence and takes the last row.
    Returns (generated ids [max_new], last-row logits of each step [max_new, V])."""
    seq, rows = list(prompt_ids), []
    for _ in range(max_new):
        last = forward(cfg, W, seq)[-1]  # [V]
        rows.append(last)
        seq.append(argmax_lowest(last))
    V = cfg["vocab_size"]
    return seq[len(prompt_ids):], torch.stack(rows) if rows else torch.zeros(0, V, dtype=W["tok_emb.weight"].dtype)


# ----------------------------------------------------------------------------------------------------
# the model again, naively (an independent check of the batched one)


def naive_forward(cfg, W, ids):
    """Same model, one position and one head at a time: hand-written LayerNorm, dot products and softmax,
    each query attending only to keys 0..i (no mask). Logits [T, V]."""
    T, d, H = len(ids), cfg["d_model"], cfg["n_heads"]
    dh, eps = d // H, cfg["norm_eps"]
    dtype = W["tok_emb.weight"].dtype

    def ln(x, name):  # x [d]
        mean = x.sum() / d
        var = ((x - mean) ** 2).sum() / d  # biased variance
        return (x - mean) / torch.sqrt(var + eps) * W[f"{name}.weight"] + W[f"{name}.bias"]

    def lin(x, name):  # x [n_in] -> [n_out], y[o] = sum_i W[o, i] x[i] + b[o]
        return (W[f"{name}.weight"] * x).sum(dim=1) + W[f"{name}.bias"]

    pe = positions(cfg, W, T, dtype)
    hs = [W["tok_emb.weight"][ids[t]] + pe[t] for t in range(T)]  # T x [d]
    for i in range(cfg["n_layers"]):
        b = f"blocks.{i}"
        a = [ln(x, f"{b}.ln1") for x in hs]
        qs = [lin(x, f"{b}.attn.q") for x in a]
        ks = [lin(x, f"{b}.attn.k") for x in a]
        vs = [lin(x, f"{b}.attn.v") for x in a]
        new = []
        for t in range(T):
            heads = []
            for j in range(H):
                sl = slice(j * dh, (j + 1) * dh)
                scores = [float((qs[t][sl] * ks[s][sl]).sum()) / math.sqrt(dh) for s in range(t + 1)]
                top = max(scores)
                ex = [math.exp(sc - top) for sc in scores]
                total = sum(ex)
                heads.append(sum((ex[s] / total) * vs[s][sl] for s in range(t + 1)))  # [dh]
            new.append(hs[t] + lin(torch.cat(heads), f"{b}.attn.o"))
        hs = new
        hs = [x + lin(torch.clamp(lin(ln(x, f"{b}.ln2"), f"{b}.mlp.fc1"), min=0), f"{b}.mlp.fc2") for x in hs]
    return torch.stack([lin(ln(x, "ln_f"), "lm_head") for x in hs])  # [T, V]


# ----------------------------------------------------------------------------------------------------
# checks and fixtures


def max_rel_diff(a, b):
    """max |a - b| scaled by max(1, max |b|), in float64."""
    a, b = a.to(torch.float64), b.to(torch.float64)
    if a.numel() == 0:
        return 0.0
    return float((a - b).abs().max()) / max(1.0, float(b.abs().max()))


def check(cond_value, tol, what):
    assert cond_value <= tol, f"SELF-CHECK FAILED: {what}: {cond_value:.3e} > {tol:.0e}"
    return cond_value


def encode(text):
    return [VOCAB.index(w) for w in text.lower().split()]


def run_case(cfg, W32, W64, prompt):
    ids = encode(prompt)
    C = cfg["context_length"]
    assert len(ids) <= C, f"prompt {prompt!r} has {len(ids)} tokens, more than context_length {C}"
    max_new = min(MAX_NEW_TOKENS, C - len(ids))

    logits = forward(cfg, W32, ids)  # [T, V] float32
    gen, last_rows = greedy(cfg, W32, ids, max_new)  # [max_new], [max_new, V]

    # 1. naive vs batched: float64 tightly, float32 loosely
    logits64 = forward(cfg, W64, ids)
    naive64 = check(max_rel_diff(naive_forward(cfg, W64, ids), logits64), TOL_NAIVE_F64, f"{prompt!r}: naive vs batched (float64)")
    naive32 = check(max_rel_diff(naive_forward(cfg, W32, ids), logits), TOL_F32, f"{prompt!r}: naive vs batched (float32)")

    # 2. causality: the last row of each greedy step (a forward over the prefix) equals the matching row of one
    #    forward over the whole sequence; likewise every prompt prefix
    full_seq = ids + gen[:-1] if gen else ids
    full = forward(cfg, W32, full_seq)  # [len(full_seq), V]
    causal = max_rel_diff(last_rows, full[len(ids) - 1:]) if gen else 0.0
    for t in range(len(ids)):
        causal = max(causal, max_rel_diff(forward(cfg, W32, ids[:t + 1])[-1], logits[t]))
    causal = check(causal, TOL_F32, f"{prompt!r}: causality (prefix forward vs full forward)")
    if gen:
        assert torch.equal(last_rows[0], logits[-1]), "SELF-CHECK FAILED: the first greedy step must reproduce the prompt forward"

    # 3. float32 vs float64, over the whole greedy sequence (same tokens), and greedy decisions
    f64 = check(max_rel_diff(full, forward(cfg, W64, full_seq)), TOL_F32, f"{prompt!r}: float32 vs float64")
    top2 = last_rows.topk(2, dim=-1).values if gen else torch.zeros(0, 2)
    margins = (top2[:, 0] - top2[:, 1]).tolist()
    min_margin = min(margins) if margins else None
    gen64, _ = greedy(cfg, W64, ids, max_new)
    if gen64 != gen:
        first = next(s for s in range(max_new) if gen64[s] != gen[s])
        assert margins[first] < MIN_DECISIVE_MARGIN, (
            f"SELF-CHECK FAILED: {prompt!r}: float64 greedy diverges at step {first} although the float32 margin is {margins[first]:.3e}")
        print(f"  warning: {prompt!r}: float64 greedy diverges at step {first} (float32 margin {margins[first]:.3e})", file=sys.stderr)

    return {
        "prompt": prompt,
        "prompt_ids": ids,
        "max_new_tokens": max_new,
        "logits": logits.tolist(),  # [T, V]; float(x) of each float32 value, exact
        "greedy_ids": gen,
        "greedy_text": " ".join(VOCAB[i] for i in gen),
        "greedy_logits_last": last_rows.tolist(),  # [max_new_tokens, V]
        "greedy_min_margin": min_margin,
        "checks": {
            "naive_vs_batched_f64": naive64,
            "naive_vs_batched_f32": naive32,
            "causal_prefix_vs_full_f32": causal,
            "f32_vs_f64": f64,
            "greedy_f64_agrees": gen64 == gen,
        },
    }


def to_json(obj, indent=0):
    """JSON with one line per list of scalars (a logits row, the ids, the vocabulary) and indentation elsewhere."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}" if items else "{}"
    if isinstance(obj, list) and obj and not all(isinstance(x, (int, float, str)) for x in obj):
        return "[\n" + ",\n".join(inner + to_json(x, indent + 1) for x in obj) + f"\n{pad}]"
    if isinstance(obj, float):
        assert math.isfinite(obj), "non-finite float in fixture"
    return json.dumps(obj, allow_nan=False, separators=(", ", ": "))


def make_fixture(path):
    cfg, W32 = read_safetensors(path)
    W64 = {k: v.to(torch.float64) for k, v in W32.items()}
    cases = [run_case(cfg, W32, W64, p) for p in PROMPTS]
    return {
        "weights": Path(path).name,
        "config": {k: cfg[k] for k in CONFIG_KEYS},
        "torch_version": torch.__version__,
        "dtype": "float32",
        "vocab": VOCAB,
        "cases": cases,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("weights", nargs="+", help="NAME.safetensors files written by tinylm")
    parser.add_argument("--out", required=True, help="directory for NAME.json fixtures")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # reproducible float32 summation order
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in args.weights:
        fixture = make_fixture(path)
        target = out / (Path(path).name.removesuffix(".safetensors") + ".json")
        target.write_text(to_json(fixture) + "\n")
        checks = [c["checks"] for c in fixture["cases"]]
        worst = ", ".join(f"{k} {max(c[k] for c in checks):.1e}" for k in checks[0] if k != "greedy_f64_agrees")
        margin = min((c["greedy_min_margin"] for c in fixture["cases"] if c["greedy_min_margin"] is not None), default=None)
        agree = all(c["greedy_f64_agrees"] for c in checks)
        print(f"{path} -> {target}\n  checks ok (worst): {worst}; greedy float64 agrees: {agree}; min greedy margin: {margin}")


if __name__ == "__main__":
    main()
