"""Read-stage throughput: extraction pages/s for typeset PDFs, DOCX files/s, and the share of a folder
batch's time spent reading files (vs. scoring), measured in the same run.

    PYTHONPATH=. python bench/read_throughput.py [--files 40] [--backend static]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    from filemakers import RESUME, table_docx, typeset_pdf

    from matcher.batch import run_batch
    from matcher.batch.files import folder_entries, read_entries
    from matcher.matcher import RoleMatcher
    from matcher.read import read_bytes

    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--backend", default="static")
    args = parser.parse_args()
    long_text = "\n\n".join([RESUME] * 6)  # about 2 pages typeset
    pdf, docx = typeset_pdf(long_text), table_docx(long_text)
    pages = read_bytes(pdf, "x.pdf").pages or 1
    t = time.perf_counter()
    for _ in range(args.files):
        read_bytes(pdf, "x.pdf")
    pdf_s = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(args.files):
        read_bytes(docx, "x.docx")
    docx_s = time.perf_counter() - t
    print(f"PDF extraction: {args.files * pages / pdf_s:.1f} pages/s ({pages} pages per file)")
    print(f"DOCX extraction: {args.files / docx_s:.1f} files/s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cvs"
        folder.mkdir()
        for i in range(args.files):
            (folder / f"cv{i:03d}.pdf").write_bytes(pdf if i % 2 else docx)
        t = time.perf_counter()
        list(read_entries(folder_entries(folder, False, None, None)))
        read_s = time.perf_counter() - t
        matcher = RoleMatcher.load(backend=args.backend)
        t = time.perf_counter()
        run_batch(str(folder), Path(tmp) / "out.csv", matcher=matcher)
        batch_s = time.perf_counter() - t
    print(
        f"batch of {args.files} files ({args.backend}): {batch_s:.2f} s; reading {read_s:.2f} s "
        f"= {100 * read_s / batch_s:.0f}% of the batch time"
    )


if __name__ == "__main__":
    main()
