"""Batch throughput: ``rolematch batch`` rows/s against the raw encoder, the fast path, and peak memory.

First, the headline (issue 14): on the same bios, the raw encoder (``embedder.encode``) and ``run_batch``
end to end (read the CSV, validate, embed, rank, quote, write the CSV; model loaded once beforehand) for
the default backend and for ``--fast`` (static), with batch ÷ raw per backend and fast ÷ default.
Then, for 2,000 bios and 200 resumes built from the bundled examples (never from ../shared/data):
the raw ``SentenceTransformer.encode`` rows/s of the same texts (for resumes also of the same chunks
the matcher embeds: ``encode`` alone truncates at 256 tokens), the batch engine's rows/s with the
torch MiniLM model and with the static fast path, and the ratios. Then it streams a large CSV of
short rows through ``rolematch batch --fast`` in a subprocess and prints its rows/s and peak RSS.
Any part can be skipped with 0 (``--bios 0 --resumes 0 --side-by-side 0``: no torch needed).

    python bench/batch_throughput.py [--headline 1000] [--titled 0] [--bios 2000] [--resumes 200]
        [--big-rows 20000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import RoleMatcher  # noqa: E402
from matcher.batch import run_batch  # noqa: E402
from matcher.privacy import redact  # noqa: E402
from matcher.textproc import chunk_spans, sentence_spans, validate  # noqa: E402


def examples() -> pd.DataFrame:
    """Every bundled labeled example, with its file's role."""
    frames = [
        pd.read_csv(p).assign(role=p.stem) for p in sorted((ROOT / "corpus" / "examples").glob("*.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def make_bios(n: int, seed: int = 0) -> list[str]:
    """``n`` bios: examples of at most 150 words, sampled with replacement."""
    frame = examples()
    short = frame[frame["text"].str.split().str.len() <= 150]
    return short["text"].sample(n, replace=True, random_state=seed).tolist()


def make_resumes(n: int, seed: int = 0, parts: int = 4) -> list[str]:
    """``n`` resumes: ``parts`` examples of one role joined as sections (several hundred words each)."""
    frame = examples()
    rng = np.random.default_rng(seed)
    roles = sorted(frame["role"].unique())
    out = []
    for _ in range(n):
        texts = frame.loc[frame["role"] == rng.choice(roles), "text"].tolist()
        picks = rng.choice(len(texts), size=min(parts, len(texts)), replace=False)
        out.append("\n\n".join(texts[i] for i in picks))
    return out


COMMON_TITLES = (  # job titles that come back across real resumes
    "Software Engineer",
    "Senior Software Engineer",
    "Project Manager",
    "Product Manager",
    "Data Analyst",
    "Business Analyst",
    "Account Executive",
    "Marketing Manager",
    "IT Support Specialist",
    "Operations Manager",
    "Sales Manager",
    "Customer Success Manager",
)


def make_titled(n: int, seed: int = 0) -> list[str]:
    """``n`` bios, each opened by a résumé line naming one of ``COMMON_TITLES`` (titles repeat)."""
    rng = np.random.default_rng(seed)
    companies = ("Contoso", "Northwind", "Fabrikam", "Tailspin", "Litware")
    return [
        f"{rng.choice(COMMON_TITLES)}, {rng.choice(companies)}, {rng.integers(2010, 2024)} - present\n{bio}"
        for bio in make_bios(n, seed=seed)
    ]


def chunk_texts(embedder, texts: list[str]) -> list[str]:
    """The chunks ``encode_documents`` embeds for ``texts`` (sentences packed up to the model's window)."""
    chunks = []
    for raw in texts:
        spans = sentence_spans(redact(validate(raw)).text)
        for chunk in chunk_spans(spans, embedder.count_tokens, embedder.max_tokens):
            chunks.append("\n".join(s.text for s in chunk))
    return chunks


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def write_csv(path: Path, texts: list[str]) -> Path:
    pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts}).to_csv(path, index=False)
    return path


def batch_seconds(matcher, source: Path, out: Path, **kw) -> float:
    return seconds(lambda: run_batch(str(source), out, matcher=matcher, overwrite=True, **kw))


def streamed(source: Path, out: Path, workers: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``rolematch batch --fast`` on ``source`` in a fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [  # this checkout's matcher, whatever rolematch the environment installed
        sys.executable,
        "-m",
        "matcher",
        "batch",
        str(source),
        "--fast",
        "--quiet",
        "--overwrite",
        "--workers",
        str(workers),
        "-o",
        str(out),
    ]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True, env=env
    )
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def headline(texts: list[str], tmp: Path, repeat: int = 1, what: str = "bios") -> None:
    """Raw encoder and batch rows/s for the default backend and ``--fast``, same texts, with the ratios."""
    from matcher.config import DEFAULT_BACKEND

    source = write_csv(tmp / "headline.csv", texts)
    rates = {}
    for backend in (DEFAULT_BACKEND, "static"):
        matcher = RoleMatcher.load(backend=backend)
        matcher.match(texts[0]), matcher.embedder.encode(texts[:32])  # warm: first calls compile/allocate
        out = tmp / f"headline.{backend}.csv"
        raw = max(len(texts) / seconds(lambda m=matcher: m.embedder.encode(texts)) for _ in range(repeat))
        batch = max(len(texts) / batch_seconds(matcher, source, out) for _ in range(repeat))
        rates[backend] = (raw, batch)
    (raw_d, batch_d), (raw_f, batch_f) = rates[DEFAULT_BACKEND], rates["static"]
    print(f"{len(texts):,} {what}, same texts for every line (best of {repeat}):")
    print(f"  {'':<34}{'raw encoder/s':>14}{'batch/s':>10}{'batch÷raw':>11}")
    print(
        f"  {'default (' + DEFAULT_BACKEND + ')':<34}{raw_d:>14.1f}{batch_d:>10.1f}{batch_d / raw_d:>11.2f}"
    )
    print(f"  {'--fast (static)':<34}{raw_f:>14.1f}{batch_f:>10.1f}{batch_f / raw_f:>11.2f}")
    print(
        f"  --fast ÷ default: batch {batch_f / batch_d:.1f}×, raw encoder {raw_f / raw_d:.1f}× "
        "(targets: batch÷raw ≥ 0.95 for the default backend, fast÷default batch 50×)"
    )


def encoders_side_by_side(texts: list[str], tmp: Path, fast) -> None:
    """One table: raw torch fp32, raw torch bf16, raw ONNX int8, and batch end to end on each backend."""
    from matcher.embed import load_embedder

    source = write_csv(tmp / "side.csv", texts)
    rows = []
    for dtype in ("fp32", "bf16"):
        model = load_embedder("minilm", dtype=dtype).model
        model.encode(texts[:32])
        rows.append(
            (
                f"raw torch {dtype} (SentenceTransformer.encode)",
                len(texts) / seconds(lambda m=model: m.encode(texts)),
            )
        )
    try:
        onnx = RoleMatcher.load(backend="onnx")
    except Exception as exc:  # noqa: BLE001 - the bench reports what it could not run
        onnx = None
        print(f"(onnx backend unavailable: {exc})")
    if onnx is not None:
        onnx.embedder.encode(texts[:32])
        rows.append(
            ("raw ONNX int8 (OnnxEmbedder.encode)", len(texts) / seconds(lambda: onnx.embedder.encode(texts)))
        )
    default = RoleMatcher.load(backend="minilm")
    rows.append(
        (
            f"batch --backend minilm ({default.embedder.dtype})",
            len(texts) / batch_seconds(default, source, tmp / "s1.csv"),
        )
    )
    if onnx is not None:
        rows.append(("batch --backend onnx", len(texts) / batch_seconds(onnx, source, tmp / "s2.csv")))
    rows.append(("batch --fast", len(texts) / batch_seconds(fast, source, tmp / "s3.csv")))
    base = rows[0][1]
    print(f"{len(texts):,} bios, same texts for every line:")
    for name, rate in rows:
        print(f"  {name:<48}{rate:>9.1f}/s {rate / base:>7.2f}× raw torch fp32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--headline", type=int, default=1000, help="bios for the default-vs---fast table (0: skip)"
    )
    parser.add_argument(
        "--titled",
        type=int,
        default=0,
        help="bios opened by a common job title, for the same table (0: skip)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each headline line (best kept)")
    parser.add_argument("--bios", type=int, default=2000)
    parser.add_argument("--resumes", type=int, default=200)
    parser.add_argument("--side-by-side", type=int, default=500, help="bios for the encoder table (0: skip)")
    parser.add_argument("--big-rows", type=int, default=20_000, help="rows of the streamed CSV (0: skip)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="processes for the streamed run"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rolematch-bench-"))
    print(f"{cpu_model()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    if args.headline:
        headline(make_bios(args.headline, seed=2), tmp, args.repeat)
    if args.titled:
        headline(make_titled(args.titled, seed=3), tmp, args.repeat, "bios opened by a common job title")
    if args.bios or args.resumes:
        tables(args, tmp)
    if args.side_by_side:
        encoders_side_by_side(make_bios(args.side_by_side), tmp, RoleMatcher.load(backend="static"))
    if args.big_rows:
        big(args, tmp)


def cpu_model() -> str:
    """The CPU's model name (Linux), for the record."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "cpu unknown"
    return next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "cpu unknown"
    )


def tables(args: argparse.Namespace, tmp: Path) -> None:
    """Bios and resumes: the torch MiniLM encoder against batch, and the static fast path."""
    data = {
        k: v for k, v in {"bios": make_bios(args.bios), "resumes": make_resumes(args.resumes)}.items() if v
    }
    words = {k: np.mean([len(t.split()) for t in v]) for k, v in data.items()}

    matcher = RoleMatcher.load(backend="minilm")  # the torch tables; onnx is timed side by side below
    fast = RoleMatcher.load(backend="static")
    encoder = matcher.embedder
    print(
        f"model {encoder.name} ({encoder.dtype}, {encoder.device}, {os.cpu_count()} cpus, load "
        f"{os.getloadavg()[0]:.1f}); fast path {fast.embedder.name} ({fast.embedder.dim} dims)"
    )
    matcher.match(data["bios"][0]), fast.match(data["bios"][0]), encoder.model.encode(data["bios"][:64])
    print(
        f"{'texts':<9}{'n':>6}{'words':>7}{'raw/s':>9}{'chunks/s':>10}{'batch/s':>9}{'÷raw':>7}{'÷chunks':>9}"
        f"{'fast/s':>9}{'fast÷batch':>12}"
    )
    for name, texts in data.items():
        source = write_csv(tmp / f"{name}.csv", texts)
        raw = len(texts) / seconds(lambda t=texts: encoder.model.encode(t, batch_size=32))
        chunks = chunk_texts(encoder, texts)
        same = len(chunks) == len(texts)
        per_chunk = (
            raw if same else len(texts) / seconds(lambda c=chunks: encoder.model.encode(c, batch_size=32))
        )
        batch = len(texts) / batch_seconds(matcher, source, tmp / f"{name}.out.csv")
        quick = len(texts) / batch_seconds(fast, source, tmp / f"{name}.fast.csv")
        print(
            f"{name:<9}{len(texts):>6}{words[name]:>7.0f}{raw:>9.1f}{per_chunk:>10.1f}{batch:>9.1f}"
            f"{batch / raw:>7.2f}{batch / per_chunk:>9.2f}{quick:>9.0f}{quick / batch:>12.1f}"
            f"   ({len(chunks)} chunks)"
        )
    print(
        "raw/s: SentenceTransformer.encode of the same texts (truncated at 256 tokens); chunks/s: of the "
        "chunks the matcher embeds (every part of a long resume counts); batch/s: run_batch end to end "
        "(read, validate, embed, rank, quote, write CSV)"
    )


def big(args: argparse.Namespace, tmp: Path) -> None:
    """A large CSV of short rows streamed through ``rolematch batch --fast``: rows/s and peak RSS."""
    short = [t.split(". ")[0][:200] for t in make_bios(args.big_rows, seed=1)]
    source = write_csv(tmp / "big.csv", short)
    size = source.stat().st_size / 2**20
    for workers in args.workers:
        wall, rss = streamed(source, tmp / "big.out.csv", workers)
        print(
            f"streamed {args.big_rows:,} short rows ({size:.1f} MiB CSV), --fast --workers {workers}: "
            f"{wall:.1f} s including start-up ({args.big_rows / wall:,.0f} rows/s), "
            f"peak RSS {rss:,.0f} MiB (largest process)"
        )


if __name__ == "__main__":
    main()
