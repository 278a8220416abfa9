"""Corpus stage: career articles → passages with offsets; the role catalog; the corpus hash.

Offsets are character offsets into the article *file* (front matter included), so
``path.read_text()[p.start:p.end] == p.text`` holds for every passage.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .errors import CorpusError

if TYPE_CHECKING:
    from .backbone import Backbone

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_ABBREVIATIONS = {"vs", "e.g", "i.e", "eg", "etc", "mr", "mrs", "dr", "st", "inc", "ltd", "no"}
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'’”)]*\s+(?=[\"'‘“(]?[A-Z0-9])")
TARGET_PASSAGE_WORDS = 35  # a passage is complete once it has this many words
MAX_PASSAGE_WORDS = 70
MAX_PASSAGE_SENTENCES = 3
_FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ve|d)|my|My|me)\b")


@dataclass(frozen=True)
class Article:
    """One career article: metadata from its front matter and the full file text."""

    slug: str
    title: str
    source: str
    topic: str
    path: Path
    text: str
    body_start: int


@dataclass(frozen=True)
class Passage:
    """A quotable piece of an article: 1-3 sentences, or one cell of a table."""

    id: str
    article: str
    start: int
    end: int
    text: str
    section: str


@dataclass(frozen=True)
class OnetLink:
    """One O*NET-SOC occupation a role covers: ``weight`` is the share of the occupation that is this role."""

    code: str
    weight: float
    why: str


@dataclass(frozen=True)
class Role:
    """A role of the catalog (``corpus/roles.yaml``)."""

    id: str
    title: str
    description: str
    signals: tuple[str, ...]
    articles: tuple[str, ...]
    mentions: tuple[str, ...]
    titles: tuple[str, ...] = ()  # job titles people with this role hold (besides ``title``)
    onet: tuple[OnetLink, ...] = ()

    def matches(self, text: str) -> bool:
        """True if any of the role's mention patterns occurs in ``text``."""
        return any(re.search(p, text, re.I) for p in self.mentions)


@dataclass(frozen=True)
class Corpus:
    """Articles, their passages, the role catalog, and which passages ground which role."""

    articles: dict[str, Article]
    passages: tuple[Passage, ...]
    roles: tuple[Role, ...]
    grounding: dict[str, tuple[int, ...]] = field(default_factory=dict)  # role id -> passage indices
    sha256: str = ""
    backbone: Backbone | None = None  # O*NET occupations and titles (corpus/onet/), when present

    @property
    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]

    def role(self, role_id: str) -> Role:
        for r in self.roles:
            if r.id == role_id:
                return r
        raise KeyError(_unknown_role(role_id, self.role_ids))


def _unknown_role(role_id: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(role_id, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; roles are: {', '.join(known)}"
    return f"unknown role {role_id!r}{hint}"


# --------------------------------------------------------------------------- articles


def load_article(path: Path) -> Article:
    """Read one article file with YAML front matter (title, source, topic)."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise CorpusError(f"{path}: expected YAML front matter between '---' lines at the top")
    meta = yaml.safe_load(match.group(1)) or {}
    missing = [k for k in ("title", "source", "topic") if k not in meta]
    if missing:
        raise CorpusError(f"{path}: front matter lacks {', '.join(missing)}")
    return Article(
        slug=path.stem,
        title=str(meta["title"]),
        source=str(meta["source"]),
        topic=str(meta["topic"]),
        path=path,
        text=text,
        body_start=match.end(),
    )


def load_articles(directory: Path) -> dict[str, Article]:
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise CorpusError(f"no articles (*.md) found in {directory}")
    return {p.stem: load_article(p) for p in paths}


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph, as absolute ``(start, end)`` offsets; abbreviation-aware."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        last_word = text[start : m.start()].rsplit(None, 1)[-1].rstrip(".!?\"'’”)").lower()
        if last_word in _ABBREVIATIONS:
            continue
        spans.append((offset + start, offset + m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        spans.append((offset + start, offset + len(text.rstrip())))
    return spans


def _group_sentences(text: str, sentences: list[tuple[int, int]]) -> Iterable[tuple[int, int]]:
    group: list[tuple[int, int]] = []
    words = 0
    for s, e in sentences:
        n = len(text[s:e].split())
        if group and (words + n > MAX_PASSAGE_WORDS or len(group) >= MAX_PASSAGE_SENTENCES):
            yield group[0][0], group[-1][1]
            group, words = [], 0
        group.append((s, e))
        words += n
        if words >= TARGET_PASSAGE_WORDS:
            yield group[0][0], group[-1][1]
            group, words = [], 0
    if group:
        yield group[0][0], group[-1][1]


def split_passages(article: Article) -> list[Passage]:
    """Passages of 1-3 sentences (or table cells), each with offsets and its section heading."""
    passages: list[Passage] = []
    section = article.title
    pos = article.body_start
    for line in article.text[article.body_start :].split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            section = stripped.lstrip("#").strip()
            continue
        if stripped.startswith("|"):
            passages.extend(_table_cells(article, line, line_start, section))
            continue
        marker = re.match(r"\s*(?:[-•*]|\d+[.)])\s+", line)  # a list item's bullet is not part of the quote
        if marker:
            line_start += marker.end()
            line = line[marker.end() :]
        for s, e in _group_sentences(article.text, split_sentences(line, line_start)):
            passages.append(_passage(article, s, e, section))
    return [p for p in passages if len(p.text.split()) >= 3]


def _table_cells(article: Article, line: str, line_start: int, section: str) -> list[Passage]:
    cells = [m for m in re.finditer(r"[^|]+", line) if m.group().strip()]
    if len(cells) < 2 or set(cells[0].group().strip()) <= {"-", " "}:
        return []
    label = cells[0].group().strip()
    out = []
    for m in cells[1:]:
        s = line_start + m.start() + (len(m.group()) - len(m.group().lstrip()))
        e = line_start + m.end() - (len(m.group()) - len(m.group().rstrip()))
        if "---" not in article.text[s:e]:
            out.append(_passage(article, s, e, f"{section}: {label}"))
    return out


def _passage(article: Article, start: int, end: int, section: str) -> Passage:
    return Passage(
        f"{article.slug}:{start}-{end}", article.slug, start, end, article.text[start:end], section
    )


# --------------------------------------------------------------------------- roles


def load_roles(path: Path, article_slugs: Iterable[str] = ()) -> tuple[Role, ...]:
    """Read and validate the role catalog."""
    try:
        data = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (OSError, yaml.YAMLError) as exc:
        raise CorpusError(f"cannot read role catalog {path}: {exc}") from exc
    entries = (data or {}).get("roles")
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{path}: expected a top-level 'roles:' list")
    known = set(article_slugs)
    roles, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"{path}: role #{i + 1}"
        missing = [
            k for k in ("id", "title", "description", "signals", "articles", "mentions") if k not in entry
        ]
        if missing:
            raise CorpusError(f"{where} lacks {', '.join(missing)}")
        if entry["id"] in seen:
            raise CorpusError(f"{where}: duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        unknown = [a for a in entry["articles"] if known and a not in known]
        if unknown:
            raise CorpusError(
                f"{where} ({entry['id']}): unknown article(s) {unknown}; articles are {sorted(known)}"
            )
        for pattern in entry["mentions"]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CorpusError(f"{where} ({entry['id']}): bad mention regex {pattern!r}: {exc}") from exc
        roles.append(
            Role(
                id=str(entry["id"]),
                title=str(entry["title"]),
                description=" ".join(str(entry["description"]).split()),
                signals=tuple(str(s) for s in entry["signals"]),
                articles=tuple(entry["articles"]),
                mentions=tuple(entry["mentions"]),
                titles=tuple(str(t) for t in entry.get("titles") or ()),
                onet=_onet_links(entry.get("onet") or (), f"{where} ({entry['id']})"),
            )
        )
    return tuple(roles)


_ONET_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


def _onet_links(entries: Iterable, where: str) -> tuple[OnetLink, ...]:
    links = []
    for e in entries:
        e = {"code": e} if isinstance(e, str) else e
        code = str(e.get("code", "")) if isinstance(e, dict) else ""
        if not _ONET_CODE.match(code):
            raise CorpusError(f"{where}: onet entry {e!r} needs a code like 11-1011.00")
        weight = float(e.get("weight", 1.0))
        if not 0.0 < weight <= 1.0:
            raise CorpusError(f"{where}: onet {code} weight must be in (0, 1], got {weight}")
        links.append(OnetLink(code, weight, str(e.get("why", ""))))
    return tuple(links)


def role_catalog(corpus: Corpus) -> list[dict]:
    """The catalog as JSON-ready dicts: id, title, description, signals, articles and grounding passages."""
    return [
        {
            "id": role.id,
            "title": role.title,
            "description": role.description,
            "signals": list(role.signals),
            "articles": list(role.articles),
            "passages": [
                {
                    "text": p.text,
                    "source": f"articles/{p.article}.md",
                    "section": p.section,
                    "start": p.start,
                    "end": p.end,
                }
                for p in (corpus.passages[i] for i in corpus.grounding[role.id])
            ],
        }
        for role in corpus.roles
    ]


# --------------------------------------------------------------------------- corpus


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files whose content defines the matching corpus (articles, role catalog, occupation backbone)."""
    onet = sorted((corpus_dir / "onet").glob("*.tsv")) + sorted((corpus_dir / "onet").glob("*.txt"))
    return sorted((corpus_dir / "articles").glob("*.md")) + [corpus_dir / "roles.yaml"] + onet


def hash_files(paths: Iterable[Path], root: Path) -> str:
    """sha256 over (relative path, bytes) of the files: a stable fingerprint of their content."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_author_narrative(text: str) -> bool:
    """True for passages where the article's author speaks of themselves ("My ten years of experience…"):
    they say nothing about a role, so they never ground one."""
    return bool(_FIRST_PERSON.search(text))


def load_corpus(corpus_dir: Path) -> Corpus:
    """Load articles and roles, split passages, and ground every role in its passages."""
    articles = load_articles(corpus_dir / "articles")
    roles = load_roles(corpus_dir / "roles.yaml", articles)
    passages = tuple(p for a in articles.values() for p in split_passages(a))
    quotable = [not is_author_narrative(p.text) for p in passages]
    grounding = {
        r.id: tuple(i for i, p in enumerate(passages) if quotable[i] and r.matches(f"{p.section}\n{p.text}"))
        for r in roles
    }
    ungrounded = [rid for rid, idx in grounding.items() if not idx]
    if ungrounded:
        raise CorpusError(
            f"role(s) {', '.join(ungrounded)} match no passage; add 'mentions' patterns in roles.yaml"
        )
    backbone = None
    if (corpus_dir / "onet").is_dir():
        from .backbone import load_backbone

        backbone = load_backbone(corpus_dir / "onet", roles)
    sha = hash_files(corpus_files(corpus_dir), corpus_dir)
    return Corpus(articles, passages, roles, grounding, sha, backbone)
