#!/usr/bin/env python3
"""Trains tinylm models on the toy language and writes them as tinylm .safetensors files.

Usage (from the repository root, after `npx -y pnpm@12.4.2 build`):
    /usr/bin/python3 tools/train/train.py MODEL [MODEL ...] [--out packages/model/models]

MODEL is one of the presets below: exercise, long, draft (the bundled models), or ablation-unweighted,
ablation-256, ablation-256-unweighted (the model card's ablations of long; they need --out elsewhere). For each, the script
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
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per process (set before torch loads it)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
from reference import CONFIG_KEYS, VOCAB, forward, parameter_specs, read_safetensors, sinusoids, validate_config  # noqa: E402
from make_test_weights import write_safetensors  # noqa: E402

# name: model shape and its training phases, each on a corpus of texts of `length` words. `far_weight` multiplies
# the loss of the words the far rule decides (the topic noun after "and the"): about one word in 40, they
# carry too little of the plain loss for the rule to be learned in a short run.
PRESETS = {
    # The exercise's exact model: learned positions, context 32 (105,172 parameters).
    "exercise": dict(n_layers=3, positional="learned", context_length=32, heldout=dict(texts=500, length=32), far_weight=10,
                     phases=[dict(length=32, texts=20000, steps=3000, batch=32, lr=3e-3)]),
    # The long-context model: same size, sinusoidal positions. Texts of 128 words first (the far rule is found
    # there: on texts of 256 from the start it was not, in 2,000 steps), then texts of 256.
    "long": dict(n_layers=3, positional="sinusoidal", context_length=1024, heldout=dict(texts=50, length=256), far_weight=10,
                 phases=[dict(length=128, texts=20000, steps=2000, batch=32, lr=3e-3),
                         dict(length=256, texts=10000, steps=1500, batch=16, lr=1.5e-3)]),
    # A 1-block draft of the long-context model (for speculative decoding), trained the same way.
    "draft": dict(n_layers=1, positional="sinusoidal", context_length=1024, heldout=dict(texts=50, length=256), far_weight=10,
                  phases=[dict(length=128, texts=20000, steps=1500, batch=32, lr=3e-3),
                          dict(length=256, texts=10000, steps=1000, batch=16, lr=1.5e-3)]),
    # Ablations of `long` (the model card quotes them; run with --out elsewhere and --probe-every 500): without
    # the far rule's weight; on 256-word texts from the start; both.
    "ablation-unweighted": dict(n_layers=3, positional="sinusoidal", context_length=1024, heldout=dict(texts=50, length=256), far_weight=1,
                                phases=[dict(length=128, texts=20000, steps=2000, batch=32, lr=3e-3),
                                        dict(length=256, texts=10000, steps=1500, batch=16, lr=1.5e-3)]),
    "ablation-256": dict(n_layers=3, positional="sinusoidal", context_length=1024, heldout=dict(texts=50, length=256), far_weight=10,
                         phases=[dict(length=256, texts=10000, steps=2000, batch=16, lr=3e-3)]),
    "ablation-256-unweighted": dict(n_layers=3, positional="sinusoidal", context_length=1024, heldout=dict(texts=50, length=256), far_weight=1,
                                    phases=[dict(length=256, texts=10000, steps=2000, batch=16, lr=3e-3)]),
}
PROBES = 200  # far-dependency probes of --probe-every (seed 1000·seed + 4: not the test probes' seed)
SHAPE = dict(vocab_size=len(VOCAB), d_model=64, n_heads=1, d_ff=128, norm_eps=1e-5)


def write_corpus(path, texts, length, seed):
    """The generator's texts and their far-rule marks: (ids [N, length], marks [N, length], 1.0 where the far rule decides the word)."""
    marks = Path(str(path) + ".marks")
    subprocess.run(["node", str(ROOT / "tools/train/write-corpus.mjs"), "--out", str(path), "--texts", str(texts),
                    "--length", str(length), "--seed", str(seed), "--far-marks", str(marks)], check=True)
    index = {w: i for i, w in enumerate(VOCAB)}
    rows = [[index[w] for w in line.split()] for line in Path(path).read_text().splitlines() if line]
    flags = [[c == "1" for c in line] for line in marks.read_text().splitlines() if line]
    return torch.tensor(rows, dtype=torch.long), torch.tensor(flags, dtype=torch.float32)


def write_probes(path, n, gap, seed):
    """The generator's far-dependency probes: [(ids, topic id)], the topic named only gap+ words back."""
    subprocess.run(["node", str(ROOT / "tools/train/write-corpus.mjs"), "--out", str(path), "--probes", str(n),
                    "--gap", str(gap), "--seed", str(seed)], check=True)
    index = {w: i for i, w in enumerate(VOCAB)}
    rows = [line.split("\t") for line in Path(path).read_text().splitlines() if line]
    return [([index[w] for w in text.split()], index[topic]) for topic, text in rows]


def topic_accuracy(cfg, W, probes, pe):
    """Share of probes whose largest logit among the nouns, after the closing "and the", is the topic."""
    nouns = [VOCAB.index(w) for w in ("cat", "dog", "mat", "house", "tree")]
    right = 0
    with torch.no_grad():
        for ids, topic in probes:
            last = forward_batch(cfg, W, torch.tensor([ids]), pe)[0, -1]  # [V]
            right += max(nouns, key=lambda n: float(last[n])) == topic
    return right / len(probes)


def blas_library():
    """The BLAS torch calls (Debian: the libblas.so.3 alternative; OpenBLAS is ~13x faster than the reference BLAS)."""
    link = Path("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    return os.path.realpath(link) if link.exists() else "unknown"


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


def run_steps(name, cfg, W, corpus, pe, steps, batch, lr0, seed, far_weight, probes=None, probe_every=0):
    """AdamW on next-word cross-entropy, the far rule's words weighted by far_weight: warm-up, then cosine decay
    to lr0 / 10. Returns (loss curve, seconds); the curve holds the plain (unweighted) loss of the batch."""
    train_data, marks = corpus
    opt = torch.optim.AdamW(W.values(), lr=lr0, betas=(0.9, 0.95), weight_decay=0.01)
    g = torch.Generator().manual_seed(seed)
    warmup = steps // 20
    curve, t0 = [], time.time()
    for step in range(1, steps + 1):
        lr = lr0 * (step / warmup if step <= warmup else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup))))
        for group in opt.param_groups:
            group["lr"] = lr
        rows = torch.randint(len(train_data), (batch,), generator=g)
        x = train_data[rows]  # [B, L]
        weight = 1 + (far_weight - 1) * marks[rows, 1:]  # [B, L - 1], per predicted word
        logits = forward_batch(cfg, W, x[:, :-1], pe)
        per_word = F.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), x[:, 1:].reshape(-1), reduction="none").view(weight.shape)
        loss = per_word.mean()
        opt.zero_grad()
        ((per_word * weight).sum() / weight.sum()).backward()
        torch.nn.utils.clip_grad_norm_(W.values(), 1.0)
        opt.step()
        if step % 100 == 0 or step == steps:
            point = {"step": step, "loss": float(loss), "seconds": round(time.time() - t0, 1)}
            if probe_every and (step % probe_every == 0 or step == steps):
                point["topic_accuracy"] = topic_accuracy(cfg, {k: v.detach() for k, v in W.items()}, probes, pe)
            curve.append(point)
            topic = f", topic accuracy {point['topic_accuracy']:.3f}" if "topic_accuracy" in point else ""
            print(f"  {name} step {step}/{steps} loss {float(loss):.4f}{topic} ({time.time() - t0:.0f} s)", flush=True)
    return curve, time.time() - t0


def train(name, preset, out, seed, probe_every=0):
    p = PRESETS[preset]
    cfg = validate_config({**SHAPE, "n_layers": p["n_layers"], "context_length": p["context_length"], "positional": p["positional"]})
    cfg = {k: cfg[k] for k in CONFIG_KEYS}
    heldout_seed = 1000 * seed + 2
    longest = max([ph["length"] for ph in p["phases"]] + [p["heldout"]["length"]])
    pe = sinusoids(longest, cfg["d_model"]).to(torch.float32) if cfg["positional"] == "sinusoidal" else None
    with tempfile.TemporaryDirectory() as tmp:
        held, _ = write_corpus(Path(tmp) / "heldout.txt", p["heldout"]["texts"], p["heldout"]["length"] + 1, heldout_seed)
        gap = 16 if cfg["context_length"] <= 32 else 64  # as the quality measurement (quality.ts qualityPlan)
        probes = write_probes(Path(tmp) / "probes.txt", PROBES, gap, 1000 * seed + 4) if probe_every else None
        if probes:
            probes = [(ids, topic) for ids, topic in probes if len(ids) <= cfg["context_length"]]

    torch.manual_seed(seed)
    W = init_weights(cfg, seed)
    curve, seconds, steps, phases = [], 0.0, 0, []
    for i, ph in enumerate(p["phases"]):
        # phase i: its own corpus (seed 1000·seed + 1 + 2i) and sampling seed; one optimizer per phase
        corpus_seed = 1000 * seed + 1 + 2 * i
        with tempfile.TemporaryDirectory() as tmp:
            # texts of length + 1 words: `length` inputs, each predicting the word after it
            corpus = write_corpus(Path(tmp) / "train.txt", ph["texts"], ph["length"] + 1, corpus_seed)
        W = {k: v.detach().clone().requires_grad_(True) for k, v in W.items()}
        label = name if len(p["phases"]) == 1 else f"{name} phase {i + 1}"
        c, sec = run_steps(label, cfg, W, corpus, pe, ph["steps"], ph["batch"], ph["lr"], seed if i == 0 else corpus_seed,
                           p["far_weight"], probes, probe_every)
        curve += [{**point, "step": point["step"] + steps} for point in c]
        seconds += sec
        steps += ph["steps"]
        phases.append({**ph, "corpus_seed": corpus_seed})
    train_data = corpus[0]

    Wd = {k: v.detach() for k, v in W.items()}
    train_loss = mean_loss(cfg, Wd, train_data[:len(held)], pe, 16)  # the last phase's corpus
    held_loss = mean_loss(cfg, Wd, held, pe, 16)
    # the batched forward is reference.forward: check on a held-out text
    n = min(len(held[0]) - 1, cfg["context_length"])
    a = forward(cfg, Wd, held[0, :n].tolist())
    b = forward_batch(cfg, Wd, held[:1, :n], pe)[0]
    assert float((a - b).abs().max()) < 1e-4, f"training forward differs from reference.forward: {float((a - b).abs().max())}"

    run = f"{name}: tools/train/train.py {preset} --seed {seed}"
    meta = {
        "run": run, "preset": preset, "seed": str(seed), "heldout_seed": str(heldout_seed), "steps": str(steps),
        "phases": json.dumps(phases, separators=(",", ":")), "far_weight": str(p["far_weight"]),
        "train_loss": f"{train_loss:.4f}", "heldout_loss": f"{held_loss:.4f}", "heldout_perplexity": f"{math.exp(held_loss):.4f}",
        "train_seconds": f"{seconds:.0f}", "torch_version": torch.__version__, "blas": blas_library(),
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
    parser.add_argument("--steps", type=int, help="override every phase's steps (for a quick try)")
    parser.add_argument("--probe-every", type=int, default=0, metavar="N",
                        help=f"every N steps, print the topic accuracy on {PROBES} far-dependency probes (and keep it in the curve)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: the float summation order of the committed run)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for m in args.models:
        if args.steps:
            for ph in PRESETS[m]["phases"]:
                ph["steps"] = args.steps
        if m.startswith("ablation") and Path(args.out).resolve() == (ROOT / "packages/model/models").resolve():
            parser.error(f"{m} is an ablation, not a bundled model: give --out another folder (e.g. /tmp/ablation)")
        train(m, m, args.out, args.seed, args.probe_every)


if __name__ == "__main__":
    main()
