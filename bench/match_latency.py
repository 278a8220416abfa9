"""Latency of one match, against the raw encoder on the same text, plus the CLI's cold start.

Prints, for a short bio and a ~600-word resume: the warm median latency of ``RoleMatcher.match``,
the raw ``SentenceTransformer.encode`` time of the same text (which truncates at 256 tokens) and of
the same ~256-token chunks the matcher encodes (the fair baseline: every chunk counts), and the
ratios. Then the cold start of ``rolematch --help`` and of a whole ``rolematch match``, for the
torch and the int8 ONNX backends, and where a cold ``match`` spends its time, stage by stage.

    python bench/match_latency.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import RoleMatcher  # noqa: E402
from matcher.embed import encode_documents  # noqa: E402

BIO = (
    "I spent six years running go-to-market launches and writing case studies for a SaaS product, "
    "and I work with sales on enablement and messaging."
)


def resume_600_words() -> str:
    """A ~600-word resume stitched from the bundled examples of one role (no personal data)."""
    frame = pd.read_csv(ROOT / "corpus" / "examples" / "product-marketing-manager.csv")
    texts = sorted(frame["text"], key=lambda t: -len(t.split()))
    out, words = [], 0
    for text in texts:
        out.append(text)
        words += len(text.split())
        if words >= 600:
            break
    return " ".join(" ".join(out).split()[:600])


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


STAGES = r"""
import json, sys, time
t = [time.perf_counter()]; names = []
def mark(name):
    t.append(time.perf_counter()); names.append(name)
import click, numpy; mark("python + numpy + click")
import matcher.cli; mark("import matcher.cli")
import matcher.classify; mark("import classify (scikit-learn, joblib)")
from pathlib import Path
from matcher import persist
from matcher.config import default_corpus_dir, default_models_dir, index_backend
from matcher.corpus import load_corpus
corpus = load_corpus(default_corpus_dir()); mark("load corpus (articles, roles, passages)")
from matcher.embed import load_embedder
embedder = load_embedder(sys.argv[1]); mark(f"load embedder ({sys.argv[1]})")
models = default_models_dir(sys.argv[1])
index, manifest = persist.load_index(models, corpus, embedder, index_backend(sys.argv[1])); mark("load + check index")
ranker = matcher.classify.load_ranker(models, manifest, "rolematch build"); mark("unpickle ranker")
from matcher.matcher import RoleMatcher
m = RoleMatcher(corpus, index, embedder, ranker, manifest, models)
m.match(sys.argv[2], top=5); mark("first match")
print(json.dumps([(n, b - a) for n, a, b in zip(names, t, t[1:])]))
"""


def cold_stages(backend: str) -> list[tuple[str, float]]:
    """Seconds per stage of a cold ``match`` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", STAGES, backend, BIO], check=True, capture_output=True, cwd=ROOT, text=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    matcher = RoleMatcher.load()
    embedder = matcher.embedder
    print(f"model {embedder.name} ({embedder.dtype}, {embedder.device}); artifacts {matcher.model_version}")
    print(f"{'text':<16}{'match ms':>10}{'encode ms':>11}{'chunks ms':>11}{'÷encode':>9}{'÷chunks':>9}")
    for name, text in (("bio", BIO), ("resume 600 w", resume_600_words())):
        doc = encode_documents(embedder, [text])[0]
        chunks = ["\n".join(doc.spans[i].text for i in c) for c in doc.chunks]
        t_match = median_seconds(lambda t=text: matcher.match(t, top=5), args.repeats)
        t_raw = median_seconds(lambda t=text: embedder.model.encode([t]), args.repeats)
        t_chunks = median_seconds(lambda c=chunks: embedder.model.encode(c), args.repeats)
        print(
            f"{name:<16}{t_match * 1e3:>10.1f}{t_raw * 1e3:>11.1f}{t_chunks * 1e3:>11.1f}"
            f"{t_match / t_raw:>9.2f}{t_match / t_chunks:>9.2f}   ({len(doc.chunks)} chunks)"
        )
    exe = str(Path(sys.executable).with_name("rolematch"))
    print(f"cold start: `rolematch --help` {cold([exe, '--help']):.2f} s")
    for backend in ("minilm", "onnx"):
        try:
            total = cold([exe, "match", BIO, "--backend", backend])
        except subprocess.CalledProcessError:
            print(f"  --backend {backend}: not available (for onnx: `rolematch build --backend onnx`)")
            continue
        print(f"`rolematch match BIO --backend {backend}` {total:.2f} s; stages of the same in one process:")
        for name, seconds in cold_stages(backend):
            print(f"    {name:<44}{seconds:>7.3f} s")


if __name__ == "__main__":
    main()
