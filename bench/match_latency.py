"""Cold start of ``rolematch match``, stage by stage, and a warm match against its raw encode time.

Prints: the cold start of ``rolematch --help`` and of a whole ``rolematch match BIO`` (median of
``--cold`` fresh interpreters) on the default backend, on ``--backend minilm`` (torch) and, with
``--baseline DIR``, on another checkout (e.g. the previous version) in the same run; where a cold
``match`` spends its time (imports, artifacts, encoder, encode, rank, explain) and which heavy
libraries it imported (none is the goal); then, for a short bio (without and with a job-title line) and
a ~600-word resume, the warm median latency of ``RoleMatcher.match`` against the raw encode of the same
chunks by the same encoder.

    python bench/match_latency.py [--repeats 20] [--cold 3] [--baseline ../main]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "scipy", "pandas", "joblib")
BIO = (
    "I spent six years running go-to-market launches and writing case studies for a SaaS product, "
    "and I work with sales on enablement and messaging."
)

TITLED_BIO = f"Product Marketing Manager, Contoso, 2019 - present\n{BIO}"  # a title: one more encoder run


def resume_600_words() -> str:
    """A ~600-word resume stitched from the bundled examples of one role (no personal data)."""
    import csv

    with open(ROOT / "corpus" / "examples" / "product-marketing-manager.csv", encoding="utf-8") as fh:
        texts = sorted((row["text"] for row in csv.DictReader(fh)), key=lambda t: -len(t.split()))
    out, words = [], 0
    for text in texts:
        out.append(text)
        words += len(text.split())
        if words >= 600:
            break
    return " ".join(" ".join(out).split()[:600])


def interleaved_medians(fns, repeats: int) -> list[float]:
    """Median seconds of each of ``fns``, called in turn ``repeats`` times: on a shared machine a slow
    spell then slows every one of them, not only the one that happened to run during it."""
    for fn in fns:
        fn()  # warm
    times: list[list[float]] = [[] for _ in fns]
    for r in range(repeats):
        order = list(zip(fns, times))
        for fn, out in order if r % 2 == 0 else order[::-1]:  # neither always runs first
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def cold(command: list[str], root: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``command`` in fresh interpreters, importing
    ``matcher`` from ``root``. On a shared machine the CPU time is the steadier figure."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=root, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


STAGES = r"""
import json, sys, time
t = [time.perf_counter()]; c = [time.process_time()]; names = []
def mark(name):
    t.append(time.perf_counter()); c.append(time.process_time()); names.append(name)
import numpy, click; mark("import numpy, click")
import matcher.cli, matcher.matcher, matcher.fused; mark("import matcher (cli, matcher, ranker)")
from matcher import persist
from matcher.config import default_corpus_dir, default_models_dir, index_backend
from matcher.corpus import load_corpus
from matcher.embed import encode_documents, load_embedder
from matcher.fused import load_ranker
from matcher.matcher import RoleMatcher
backend, text = sys.argv[1], sys.argv[2]
corpus = load_corpus(default_corpus_dir()); mark("load corpus (articles, roles, passages)")
embedder = load_embedder(backend); mark(f"load encoder ({backend}, runtime import included)")
models = default_models_dir(backend)
index, manifest = persist.load_index(models, corpus, embedder, index_backend(backend)); mark("load + check index")
ranker = load_ranker(models, manifest, "rolematch build"); mark("load ranker (ranker.npz)")
m = RoleMatcher(corpus, index, embedder, ranker, manifest, models)
docs = encode_documents(embedder, [text]); mark("encode (first call)")
scores = m.score_documents(docs); mark("rank")
result = m._result(docs[0], scores, 0, 5, 3); mark("explain (quotes, evidence)")
heavy = sorted(h for h in sys.argv[3].split(",") if h in sys.modules)
stages = [(n, b - a) for n, a, b in zip(names, t, t[1:])]
print(json.dumps({"stages": stages, "cpu": [b - a for a, b in zip(c, c[1:])], "heavy": heavy}))
"""


def cold_stages(backend: str) -> dict:
    """Seconds per stage of a cold ``match`` in a fresh interpreter, and the heavy modules it imported."""
    out = subprocess.run(
        [sys.executable, "-c", STAGES, backend, BIO, ",".join(HEAVY)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_report(baseline: Path | None, runs: int) -> None:
    from matcher.config import DEFAULT_BACKEND

    py = sys.executable
    wall, cpu = cold([py, "-m", "matcher", "--help"], ROOT, runs)
    print(f"cold start, median of {runs} (wall / CPU); `rolematch --help`: {wall:.2f} / {cpu:.2f} s")
    targets = [(f"rolematch match BIO (default: {DEFAULT_BACKEND})", [], ROOT)]
    targets.append(("rolematch match BIO --backend minilm (torch)", ["--backend", "minilm"], ROOT))
    if baseline:
        targets.append((f"baseline {baseline}: rolematch match BIO", [], baseline))
    for label, extra, root in targets:
        try:
            wall, cpu = cold([py, "-m", "matcher", "match", BIO, *extra], root, runs)
        except subprocess.CalledProcessError as exc:
            print(f"  {label:<58} failed: {exc.stderr.decode(errors='replace').strip()[-200:]}")
            continue
        print(f"  {label:<58}{wall:>7.2f} / {cpu:.2f} s")
    found = cold_stages(DEFAULT_BACKEND)
    print(f"stages of a cold match ({DEFAULT_BACKEND}) in one fresh process (wall / CPU):")
    for (name, seconds), cpu in zip(found["stages"], found["cpu"]):
        print(f"    {name:<54}{seconds:>7.3f} / {cpu:.3f} s")
    total, total_cpu = sum(s for _, s in found["stages"]), sum(found["cpu"])
    print(f"    {'total (after interpreter start)':<54}{total:>7.3f} / {total_cpu:.3f} s")
    print(f"  heavy libraries imported: {', '.join(found['heavy']) or 'none'}")


def warm_report(repeats: int) -> None:
    sys.path.insert(0, str(ROOT))
    from matcher import RoleMatcher
    from matcher.embed import encode_documents

    matcher = RoleMatcher.load()
    embedder = matcher.embedder
    print(f"warm: {embedder.name} ({type(embedder).__name__}); artifacts {matcher.model_version}")
    print(f"{'text':<16}{'match ms':>10}{'chunks ms':>11}{'÷chunks':>9}")
    for name, text in (("bio", BIO), ("titled bio", TITLED_BIO), ("resume 600 w", resume_600_words())):
        doc = encode_documents(embedder, [text])[0]
        chunks = ["\n".join(doc.spans[i].text for i in c) for c in doc.chunks]
        t_match, t_chunks = interleaved_medians(
            [lambda t=text: matcher.match(t, top=5), lambda c=chunks: embedder.encode(c)], repeats
        )
        print(
            f"{name:<16}{t_match * 1e3:>10.1f}{t_chunks * 1e3:>11.1f}{t_match / t_chunks:>9.2f}"
            f"   ({len(doc.chunks)} chunks; raw encode of the same chunks by the same encoder)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cold", type=int, default=3, help="fresh interpreters per cold-start figure")
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout, timed in the same run")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    cold_report(args.baseline.resolve() if args.baseline else None, args.cold)
    warm_report(args.repeats)


if __name__ == "__main__":
    main()
