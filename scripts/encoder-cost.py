#!/usr/bin/env python3
"""What a pretrained transformer encoder would cost vigil's MUC-4 runs.

Issue 3 asks for dev micro F1 >= 60 at >= 500 documents/s per core. The
systems that come closest on MUC-4 fine-tune a pretrained encoder (GRIT:
BERT-base; TempGen: BART-base). This script measures what running such an
encoder once over each MUC-4 document would cost on one core of this
machine, before any extraction:

1. the core's dense float32 matrix-product rate (numpy/OpenBLAS, one
   thread) -- an upper bound on what any encoder implementation reaches;
2. the floating-point operations of one encoder pass over a document of
   the training set's mean length (weights and attention, counted from the
   layer shapes; the document is cut into windows of 512 tokens);
3. the bound that gives (documents/s at the full matrix-product rate) and
   a measured forward pass of the same shapes with random weights (cost
   only: the weights' values do not change the arithmetic).

Tokens per document are estimated as 1.3 WordPiece tokens per
whitespace-separated word of `doctext` (a ratio typical of English news;
the estimate only scales the figures).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python scripts/encoder-cost.py ../shared/data/muc4/train.jsonl

Deterministic inputs (fixed seed); timings vary with the machine's load.
"""

import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402  (after the thread settings)

WINDOW = 512
TOKENS_PER_WORD = 1.3
# name, layers, hidden size, feed-forward size, heads
ENCODERS = [
    ("BERT-base (GRIT)", 12, 768, 3072, 12),
    ("all-MiniLM-L6-v2", 6, 384, 1536, 12),
    ("BERT-tiny", 2, 128, 512, 2),
]


def seconds_per_call(fn, budget=3.0):
    fn()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < budget:
        fn()
        calls += 1
    return (time.perf_counter() - start) / calls


def matmul_rate():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((WINDOW, 768), dtype=np.float32)
    b = rng.standard_normal((768, 3072), dtype=np.float32)
    return 2 * WINDOW * 768 * 3072 / seconds_per_call(lambda: a @ b)


def flops(tokens, layers, hidden, ff):
    """Multiply-adds x 2 of one pass over `tokens` tokens (one window)."""
    dense = 2 * tokens * (4 * hidden * hidden + 2 * hidden * ff)
    attention = 2 * 2 * tokens * tokens * hidden
    return layers * (dense + attention)


def layer_norm(x):
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-12)


def forward(x, weights, heads):
    n, hidden = x.shape
    d = hidden // heads
    for q, k, v, o, up, down in weights:
        def split(m):
            return (x @ m).reshape(n, heads, d).transpose(1, 0, 2)

        scores = split(q) @ split(k).transpose(0, 2, 1) / np.sqrt(d)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ split(v)).transpose(1, 0, 2).reshape(n, hidden)
        x = layer_norm(x + attended @ o)
        h = x @ up
        h = h * (1.0 / (1.0 + np.exp(-1.702 * h)))  # GELU (sigmoid form)
        x = layer_norm(x + h @ down)
    return x


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: encoder-cost.py TRAIN.jsonl  (MUC-4 in GRIT's format)")
    path = sys.argv[1]
    words = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                words.append(len(json.loads(line)["doctext"].split()))
            except (ValueError, KeyError) as e:
                sys.exit(f"{path}:{number}: not a GRIT document ({e})")
    if not words:
        sys.exit(f"{path}: no documents")
    tokens = round(sum(words) / len(words) * TOKENS_PER_WORD)
    windows = [WINDOW] * (tokens // WINDOW) + ([tokens % WINDOW] if tokens % WINDOW else [])
    rate = matmul_rate()
    print(f"{len(words)} documents, {sum(words) / len(words):.0f} words each on average "
          f"-> ~{tokens} tokens ({len(windows)} window(s) of <= {WINDOW})")
    print(f"one core, float32 matrix product: {rate / 1e9:.0f} GFLOP/s")
    rng = np.random.default_rng(20261202)
    for name, layers, hidden, ff, heads in ENCODERS:
        cost = sum(flops(n, layers, hidden, ff) for n in windows)
        weights = [
            [rng.standard_normal(s, dtype=np.float32) * 0.02
             for s in [(hidden, hidden)] * 4 + [(hidden, ff), (ff, hidden)]]
            for _ in range(layers)
        ]
        inputs = [rng.standard_normal((n, hidden), dtype=np.float32) for n in windows]
        took = seconds_per_call(lambda: [forward(x, weights, heads) for x in inputs])
        print(f"{name:18s} {cost / 1e9:6.1f} GFLOP/document: at most "
              f"{rate / cost:6.1f} documents/s at the full rate, {1 / took:6.1f} measured")


if __name__ == "__main__":
    main()
