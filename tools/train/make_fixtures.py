#!/usr/bin/env python3
"""Golden fixtures of the trained models: the PyTorch twin's logits and greedy continuations.

Usage (from the repository root):
    /usr/bin/python3 tools/train/make_fixtures.py [--models packages/model/models] [--out packages/model/fixtures/pytorch-trained]

For each bundled model NAME.safetensors it writes OUT/NAME.json in the format of tools/reference/README.md
(reference.py's cases and self-checks), on prompts of the toy language; the long-context models also get
a far-dependency prompt (the topic, "dog", named only in its first clause, 66 words before "and the").
The TypeScript test packages/model/src/trained/trained-golden.test.ts compares tinylm with them.
"""
import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "reference"))
import reference  # noqa: E402

PROMPTS = ["the cat", "the cat sat", "a big dog runs in the house", "the small cat sat on the mat and a dog runs in the house"]
FAR_PROMPT = (  # TextGenerator(2026).probe(64, dog)
    "the dog eats a big cat and a small tree sat and a small mat runs under a small cat and a tree is in the big mat "
    "and a tree is small and a mat eats the tree and a house sat and a cat is small and a cat eats a tree and a mat "
    "eats a house and a tree sat on a small tree and the")
FAR_NEW_TOKENS = 8  # "and the" -> the topic and its clause
MAX_NEW_TOKENS = reference.MAX_NEW_TOKENS


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=str(ROOT / "packages/model/models"))
    parser.add_argument("--out", default=str(ROOT / "packages/model/fixtures/pytorch-trained"))
    args = parser.parse_args()
    torch.set_num_threads(1)  # reproducible float32 summation order
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(args.models).glob("*.safetensors")):
        cfg, _ = reference.read_safetensors(path)
        reference.PROMPTS = PROMPTS
        fixture = reference.make_fixture(path)
        if cfg["context_length"] > 64:  # the far prompt: its first words (the topic's clause), not a long run
            reference.PROMPTS, reference.MAX_NEW_TOKENS = [FAR_PROMPT], FAR_NEW_TOKENS
            fixture["cases"] += reference.make_fixture(path)["cases"]
            reference.MAX_NEW_TOKENS = MAX_NEW_TOKENS
        target = out / (path.name.removesuffix(".safetensors") + ".json")
        target.write_text(reference.to_json(fixture) + "\n")
        margin = min(c["greedy_min_margin"] for c in fixture["cases"])
        print(f"{path} -> {target}: {[c['greedy_text'][:60] for c in fixture['cases']]}, min greedy margin {margin:.3g}")


if __name__ == "__main__":
    main()
