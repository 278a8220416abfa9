"""Copy the O*NET occupation backbone into ``corpus/onet/`` (run once; the result is committed).

Reads ``../shared/data/onet/`` (occupations with descriptions, alternate titles; CC BY 4.0) and writes:
- ``occupations.tsv``: code, title, description;
- ``alternate_titles.tsv``: code, alternate title, short title (O*NET's source codes are dropped);
- ``title_words.txt``: the head words of job titles (the last word of a title, seen at least 3 times),
  which the title extractor uses to tell a job-title line from any other short line;
- ``matcher/data/title_vocabulary.txt`` (outside the corpus, whose fingerprint the models carry): every
  word of these titles seen in at least 2 titles, which the redaction uses to tell a name from the title
  that follows it on the same line;
- ``NOTICE``: the attribution the licence asks for.
Task statements are *not* copied: they are reserved for evaluation.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from matcher.titles import normalize_word  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "onet"
TARGET = ROOT / "corpus" / "onet"
NOTICE = """\
This product includes information from the O*NET 30.0 Database by the U.S. Department of Labor,
Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license
(https://creativecommons.org/licenses/by/4.0/). O*NET® is a trademark of USDOL/ETA. rolematch has
modified all or some of this information. USDOL/ETA has not approved, endorsed, or tested these
modifications.

Files: occupations.tsv (O*NET-SOC code, title, description; O*NET 29.x "Occupation Data"),
alternate_titles.tsv (code, alternate title, short title; O*NET 30.0 "Alternate Titles"; the source
column was dropped), title_words.txt (derived: head words of these titles).
"""
VOCABULARY = ROOT / "matcher" / "data" / "title_vocabulary.txt"
VOCABULARY_HEADER = """\
# Every word of the O*NET occupation titles and alternate titles found in at least 2 titles (lower-case,
# singular), written by scripts/import_onet.py. Derived from the O*NET 30.0 Database by the U.S. Department
# of Labor, Employment and Training Administration (USDOL/ETA), used under CC BY 4.0; see corpus/onet/NOTICE.
"""
_WORD = re.compile(r"[A-Za-z][A-Za-z'/-]+")


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def head_words(titles: list[str], min_count: int = 3) -> list[str]:
    """Last words of titles ("Registered Nurse" → "nurse"), lower-cased, seen ≥ ``min_count`` times."""
    counts: Counter[str] = Counter()
    for title in titles:
        words = _WORD.findall(re.sub(r"\(.*?\)", " ", title))
        if words:
            counts[normalize_word(words[-1])] += 1
    return sorted(w for w, n in counts.items() if n >= min_count and len(w) > 2)


def vocabulary(titles: list[str], min_count: int = 2) -> list[str]:
    """Every word of the titles, lower-cased and singular, found in at least ``min_count`` titles."""
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update({normalize_word(w) for w in _WORD.findall(title)})
    return sorted(w for w, n in counts.items() if n >= min_count and len(w) > 1)


def main() -> int:
    if not SOURCE.is_dir():
        print(f"{SOURCE} not found: this script needs the shared O*NET folder beside the checkout")
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    occupations = read_tsv(SOURCE / "occupations.tsv")
    alternates = read_tsv(SOURCE / "alternate_titles.tsv")
    write_tsv(
        TARGET / "occupations.tsv",
        ["code", "title", "description"],
        [[r["onet_soc_code"], r["title"], " ".join(r["description"].split())] for r in occupations],
    )
    write_tsv(
        TARGET / "alternate_titles.tsv",
        ["code", "alternate_title", "short_title"],
        [
            [r["onet_soc_code"], r["alternate_title"].strip(), (r["short_title"] or "").strip()]
            for r in alternates
        ],
    )
    titles = [r["title"] for r in occupations] + [r["alternate_title"] for r in alternates]
    (TARGET / "title_words.txt").write_text("\n".join(head_words(titles)) + "\n", encoding="utf-8")
    VOCABULARY.write_text(VOCABULARY_HEADER + "\n".join(vocabulary(titles)) + "\n", encoding="utf-8")
    (TARGET / "NOTICE").write_text(NOTICE, encoding="utf-8")
    print(f"wrote {len(occupations)} occupations and {len(alternates)} alternate titles to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
