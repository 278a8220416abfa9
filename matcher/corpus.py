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
from .roles import Role, catalog_name, load_roles

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
class Corpus:
    """Articles, their passages, the role catalog, and which passages ground which role."""

    articles: dict[str, Article]
    passages: tuple[Passage, ...]
    roles: tuple[Role, ...]
    grounding: dict[str, tuple[int, ...]] = field(default_factory=dict)  # role id -> passage indices
    sha256: str = ""
    backbone: Backbone | None = None  # O*NET occupations and titles (corpus/onet/), when present
    name: str = ""  # the catalog's name (``name:`` in roles.yaml, else its folder's)
    root: Path | None = None  # the folder holding roles.yaml and articles/

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
    """Read one article file with YAML front matter (``title``; ``source`` and ``topic`` optional)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc}); save the article as UTF-8") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise CorpusError(
            f"{path}: expected YAML front matter at the top, between '---' lines, e.g.\n"
            "---\ntitle: What a data analyst does\nsource: where the text comes from\n---"
        )
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 2}" if mark else ""
        raise CorpusError(f"{path}{at}: invalid YAML in the front matter ({exc}); fix it") from exc
    if not isinstance(meta, dict) or not str(meta.get("title") or "").strip():
        raise CorpusError(f"{path}: the front matter lacks a title; add 'title: ...' between the '---' lines")
    if not text[match.end() :].strip():
        raise CorpusError(
            f"{path}: the article is empty (nothing after the front matter); write its text, or delete "
            "the file and remove it from the roles' 'articles:'"
        )
    return Article(
        slug=path.stem,
        title=str(meta["title"]),
        source=str(meta.get("source") or path.name),
        topic=str(meta.get("topic") or ""),
        path=path,
        text=text,
        body_start=match.end(),
    )


def load_articles(directory: Path) -> dict[str, Article]:
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise CorpusError(
            f"no articles (*.md) found in {directory}; add at least one (see `rolematch init` for an example)"
        )
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


def onet_dir_for(corpus_dir: Path, roles: Iterable[Role]) -> Path | None:
    """The occupation backbone a catalog uses: its own ``onet/`` if it has one, else the bundled one when
    a role gives O*NET codes, else none."""
    if (corpus_dir / "onet").is_dir():
        return corpus_dir / "onet"
    if any(r.onet for r in roles):
        from .config import bundled_onet_dir

        return bundled_onet_dir()
    return None


def corpus_files(corpus_dir: Path, onet_dir: Path | None = None) -> list[tuple[str, Path]]:
    """The files whose content defines the matching corpus (articles, role catalog, occupation backbone),
    as (name in the hash, path)."""
    onet_dir = onet_dir if onet_dir is not None else corpus_dir / "onet"
    onet = sorted(onet_dir.glob("*.tsv")) + sorted(onet_dir.glob("*.txt"))
    files = [
        (p.relative_to(corpus_dir).as_posix(), p) for p in sorted((corpus_dir / "articles").glob("*.md"))
    ]
    files.append(("roles.yaml", corpus_dir / "roles.yaml"))
    return files + [(f"onet/{p.name}", p) for p in onet]


def hash_files(paths: Iterable[Path], root: Path) -> str:
    """sha256 over (relative path, bytes) of the files: a stable fingerprint of their content."""
    return hash_named((path.relative_to(root).as_posix(), path) for path in paths)


def hash_named(files: Iterable[tuple[str, Path]]) -> str:
    """sha256 over (name, bytes) of the files, in name order."""
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_author_narrative(text: str) -> bool:
    """True for passages where the article's author speaks of themselves ("My ten years of experience…"):
    they say nothing about a role, so they never ground one."""
    return bool(_FIRST_PERSON.search(text))


def grounding_of(role: Role, passages: tuple[Passage, ...], quotable: list[bool]) -> tuple[int, ...]:
    """The passages that ground ``role``: those matching its ``mentions`` (in any article); without
    mentions, every passage of its ``articles``; with neither, the passages that name its title."""
    if role.mentions:
        hit = [role.matches(f"{p.section}\n{p.text}") for p in passages]
    elif role.articles:
        hit = [p.article in role.articles for p in passages]
    else:
        title = re.compile(rf"\b{re.escape(role.title.split(' (')[0])}s?\b", re.I)
        hit = [bool(title.search(f"{p.section}\n{p.text}")) for p in passages]
    return tuple(i for i, p in enumerate(passages) if quotable[i] and hit[i])


def load_corpus(corpus_dir: Path) -> Corpus:
    """Load articles and roles, split passages, and ground every role in its passages."""
    articles = load_articles(corpus_dir / "articles")
    roles_path = corpus_dir / "roles.yaml"
    roles = load_roles(roles_path, articles)
    passages = tuple(p for a in articles.values() for p in split_passages(a))
    quotable = [not is_author_narrative(p.text) for p in passages]
    grounding = {r.id: grounding_of(r, passages, quotable) for r in roles}
    for role in roles:
        if not grounding[role.id]:
            raise CorpusError(_ungrounded(roles_path, role))
    onet_dir = onet_dir_for(corpus_dir, roles)
    backbone = None
    if onet_dir is not None:
        from .backbone import load_backbone

        backbone = load_backbone(onet_dir, roles)
    sha = hash_named(corpus_files(corpus_dir, onet_dir))
    name = catalog_name(roles_path) or _default_name(corpus_dir)
    return Corpus(articles, passages, roles, grounding, sha, backbone, name, corpus_dir)


def _ungrounded(path: Path, role: Role) -> str:
    where = f"{path} line {role.line}, role {role.id!r}" if role.line else f"{path}, role {role.id!r}"
    if role.mentions:
        why = f"none of its 'mentions' patterns occurs in any article ({', '.join(role.mentions)})"
    elif role.articles:
        why = f"its articles ({', '.join(role.articles)}) have no quotable passage"
    else:
        why = f"no article names its title {role.title!r} and it lists no 'articles'"
    return (
        f"{where}: the role has no passages ({why}); add 'articles: [file-name-without-.md]' "
        "with an article about it, or 'mentions:' patterns that occur in an article"
    )


def _default_name(corpus_dir: Path) -> str:
    from .config import project_root

    if corpus_dir.resolve() == (project_root() / "corpus").resolve():
        return "rolematch (bundled)"
    folder = corpus_dir.parent if corpus_dir.name == "corpus" else corpus_dir
    return folder.resolve().name
