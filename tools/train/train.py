#!/usr/bin/env python3
"""Trains tinylm models on the toy language and writes them as tinylm .safetensors files.

Usage (from the repository root, after `npx -y pnpm@12.4.2 build`):
    /usr/bin/python3 tools/train/train.py MODEL [MODEL ...] [--out packages/model/models]

MODEL is one of the presets below (exercise, long, draft). For each, the script
  1. writes a training corpus and a held-out corpus with the TypeScript generator
     (tools/train/write-corpus.mjs: the one definition of the language lives in @tinylm/model);
  2. trains the PyTorch twin of tinylm (tools/reference/reference.py: the same parameter names and maths)
     on CPU, seeded, with AdamW on next-word cross-entropy;
  3. checks the batched training forward against reference.forward on a held-out text;
  4. writes OUT/NAME.safetensors with __metadata__: config (as tinylm reads it), run, seeds, steps and
     the final train / held-out loss, and OUT/NAME.train.json with the loss curve.
Depends on torch (Debian: apt-get install python3-torch) and node.
"""
import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
from reference import CONFIG_KEYS, VOCAB, forward, parameter_specs, read_safetensors, sinusoids, validate_config  # noqa: E402
from make_test_weights import write_safetensors  # noqa: E402

# name: model shape, corpus (texts of `length` words), and the run
PRESETS = {
    # The exercise's exact model: learned positions, context 32 (105,172 parameters).
    "exercise": dict(n_layers=3, positional="learned", context_length=32, length=32,
                     texts=20000, heldout=500, steps=200, batch=32, lr=4e-3),
    # The long-context model: same size, sinusoidal positions, texts of 256 words. A second phase on a corpus
    # where half the clauses are about the topic (the same language, more examples of the far rule).
    "long": dict(n_layers=3, positional="sinusoidal", context_length=1024, length=256,
                 texts=3200, heldout=50, steps=400, batch=4, lr=4e-3,
                 phase2=dict(texts=2400, steps=300, lr=2e-3, topic_rate=0.5)),
    # A 1-block draft of the long-context model (for speculative decoding).
    "draft": dict(n_layers=1, positional="sinusoidal", context_length=1024, length=256,
                  texts=3200, heldout=50, steps=800, batch=4, lr=4e-3),
}
SHAPE = dict(vocab_size=len(VOCAB), d_model=64, n_heads=1, d_ff=128, norm_eps=1e-5)


def write_corpus(path, texts, length, seed, topic_rate=None):
    rate = [] if topic_rate is None else ["--topic-rate", str(topic_rate)]
    subprocess.run(["node", str(ROOT / "tools/train/write-corpus.mjs"), "--out", str(path), "--texts", str(texts),
                    "--length", str(length), "--seed", str(seed), *rate], check=True)
    index = {w: i for i, w in enumerate(VOCAB)}
    rows = [[index[w] for w in line.split()] for line in Path(path).read_text().splitlines() if line]
    return torch.tensor(rows, dtype=torch.long)  # [N, length]


def init_weights(cfg, seed):
    """GPT-2 style: matrices and embeddings N(0, 0.02), biases 0, LayerNorm weights 1. {name: tensor}"""
    g = torch.Generator().manual_seed(seed)
    W = {}
    for name, shape in parameter_specs(cfg):
        if name.endswith(".bias"):
            w = torch.zeros(shape)
        elif ".ln" in name or name.startswith("ln_f"):
            w = torch.ones(shape)
        else:
            w = torch.randn(shape, generator=g) * 0.02
        W[name] = w.requires_grad_(True)
    return W


def forward_batch(cfg, W, ids, pe):
    """reference.forward for a batch: ids [B, T] -> logits [B, T, V] (same names, same maths)."""
    B, T = ids.shape
    d, H = cfg["d_model"], cfg["n_heads"]
    dh, eps = d // H, cfg["norm_eps"]
    ln = lambda x, name: F.layer_norm(x, (d,), W[f"{name}.weight"], W[f"{name}.bias"], eps)
    lin = lambda x, name: F.linear(x, W[f"{name}.weight"], W[f"{name}.bias"])
    pos = W["pos_emb.weight"][:T] if cfg["positional"] == "learned" else pe[:T]
    h = W["tok_emb.weight"][ids] + pos  # [B, T, d]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)  # [T, T]
    for i in range(cfg["n_layers"]):
        b = f"blocks.{i}"
        a = ln(h, f"{b}.ln1")
        q = lin(a, f"{b}.attn.q").view(B, T, H, dh).transpose(1, 2)  # [B, H, T, dh]
        k = lin(a, f"{b}.attn.k").view(B, T, H, dh).transpose(1, 2)
        v = lin(a, f"{b}.attn.v").view(B, T, H, dh).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(dh)  # [B, H, T, T]
        att = att.masked_fill(future, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)  # [B, T, d]
        h = h + lin(y, f"{b}.attn.o")
        h = h + lin(F.relu(lin(ln(h, f"{b}.ln2"), f"{b}.mlp.fc1")), f"{b}.mlp.fc2")
    return lin(ln(h, "ln_f"), "lm_head")  # [B, T, V]


def mean_loss(cfg, W, data, pe, batch):
    """Mean next-word cross-entropy (nats) over every position of every text in data [N, L]."""
    total, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(data), batch):
            x = data[s:s + batch]
            logits = forward_batch(cfg, W, x[:, :-1], pe)
            total += float(F.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), x[:, 1:].reshape(-1), reduction="sum"))
            count += x[:, 1:].numel()
    return total / count


def run_steps(name, cfg, W, train_data, pe, steps, batch, lr0, seed):
    """AdamW on next-word cross-entropy: warm-up, then cosine decay to lr0 / 10. Returns (loss curve, seconds)."""
    opt = torch.optim.AdamW(W.values(), lr=lr0, betas=(0.9, 0.95), weight_decay=0.01)
    g = torch.Generator().manual_seed(seed)
    warmup = steps // 20
    curve, t0 = [], time.time()
    for step in range(1, steps + 1):
        lr = lr0 * (step / warmup if step <= warmup else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup))))
        for group in opt.param_groups:
            group["lr"] = lr
        x = train_data[torch.randint(len(train_data), (batch,), generator=g)]  # [B, L]
        logits = forward_batch(cfg, W, x[:, :-1], pe)
        loss = F.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0)
        opt.step()
        if step % 100 == 0 or step == steps:
            curve.append({"step": step, "loss": float(loss), "seconds": round(time.time() - t0, 1)})
            print(f"  {name} step {step}/{steps} loss {float(loss):.4f} ({time.time() - t0:.0f} s)", flush=True)
    return curve, time.time() - t0


def train(name, preset, out, seed, start_from=None):
    p = PRESETS[preset]
    cfg = validate_config({**SHAPE, "n_layers": p["n_layers"], "context_length": p["context_length"], "positional": p["positional"]})
    cfg = {k: cfg[k] for k in CONFIG_KEYS}
    corpus_seed, heldout_seed = 1000 * seed + 1, 1000 * seed + 2
    with tempfile.TemporaryDirectory() as tmp:
        # texts of length + 1 words: `length` inputs, each predicting the word after it
        train_data = write_corpus(Path(tmp) / "train.txt", p["texts"], p["length"] + 1, corpus_seed)
        held = write_corpus(Path(tmp) / "heldout.txt", p["heldout"], p["length"] + 1, heldout_seed)

    torch.manual_seed(seed)
    pe = sinusoids(p["length"], cfg["d_model"]).to(torch.float32) if cfg["positional"] == "sinusoidal" else None
    if start_from is None:
        W = init_weights(cfg, seed)
        curve, seconds = run_steps(name, cfg, W, train_data, pe, p["steps"], p["batch"], p["lr"], seed)
    else:  # phase 1 is the file start_from (the same bits as running it here: float32 weights, phase 2 reseeds)
        cfg0, W0 = read_safetensors(start_from)
        assert cfg0 == cfg, f"{start_from} has config {cfg0}, expected {cfg}"
        W = {k: v.clone().requires_grad_(True) for k, v in W0.items()}
        log = json.loads((Path(out) / f"{name}.train.json").read_text())
        curve, seconds = log["curve"], float(log["metadata"]["train_seconds"])
    phase2 = p.get("phase2")
    if phase2:
        seed2 = 1000 * seed + 3
        with tempfile.TemporaryDirectory() as tmp:
            data2 = write_corpus(Path(tmp) / "train2.txt", phase2["texts"], p["length"] + 1, seed2, phase2["topic_rate"])
        W = {k: v.detach().clone().requires_grad_(True) for k, v in W.items()}
        curve2, seconds2 = run_steps(name + " phase 2", cfg, W, data2, pe, phase2["steps"], p["batch"], phase2["lr"], seed2)
        curve += [{**c, "step": c["step"] + p["steps"]} for c in curve2]
        seconds += seconds2
    steps = p["steps"] + (phase2["steps"] if phase2 else 0)

    Wd = {k: v.detach() for k, v in W.items()}
    train_loss = mean_loss(cfg, Wd, train_data[:len(held)], pe, p["batch"])
    held_loss = mean_loss(cfg, Wd, held, pe, p["batch"])
    # the batched forward is reference.forward: check on a held-out text
    n = min(len(held[0]) - 1, cfg["context_length"])
    a = forward(cfg, Wd, held[0, :n].tolist())
    b = forward_batch(cfg, Wd, held[:1, :n], pe)[0]
    assert float((a - b).abs().max()) < 1e-4, f"training forward differs from reference.forward: {float((a - b).abs().max())}"

    run = f"{name}: tools/train/train.py {preset} --seed {seed}"
    meta = {
        "run": run, "preset": preset, "seed": str(seed), "corpus_seed": str(corpus_seed), "heldout_seed": str(heldout_seed),
        "corpus_texts": str(p["texts"]), "text_length": str(p["length"]), "steps": str(steps), "batch": str(p["batch"]),
        **({"phase2": json.dumps(p["phase2"], separators=(",", ":")), "phase2_corpus_seed": str(1000 * seed + 3)} if p.get("phase2") else {}),
        "train_loss": f"{train_loss:.4f}", "heldout_loss": f"{held_loss:.4f}", "heldout_perplexity": f"{math.exp(held_loss):.4f}",
        "train_seconds": f"{seconds:.0f}", "torch_version": torch.__version__,
    }
    path = Path(out) / f"{name}.safetensors"
    write_safetensors(path, cfg, Wd, meta)
    cfg2, back = read_safetensors(path)
    assert cfg2 == cfg and all(torch.equal(back[k], Wd[k]) for k in Wd), "safetensors round trip failed"
    (Path(out) / f"{name}.train.json").write_text(json.dumps({"config": cfg, "metadata": meta, "curve": curve}, indent=1) + "\n")
    print(f"wrote {path}: train loss {train_loss:.4f}, held-out loss {held_loss:.4f} (perplexity {math.exp(held_loss):.3f}), {seconds:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", choices=sorted(PRESETS))
    parser.add_argument("--out", default=str(ROOT / "packages/model/models"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, help="override the preset's steps (for a quick try)")
    parser.add_argument("--phase2-from", help="start from this file as the end of phase 1 (a model with a phase 2 only)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: the float summation order of the committed run)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for m in args.models:
        if args.steps:
            PRESETS[m]["steps"] = args.steps
        train(m, m, args.out, args.seed, args.phase2_from)


if __name__ == "__main__":
    main()
