"""The role catalog (``roles.yaml``): read, validate, and say exactly what to fix.

A role needs only ``id``, ``title`` and ``description``; ``signals``, ``articles``, ``mentions``,
``titles`` and ``onet`` are optional. Every error names the file, the line, the role id and the field,
and says what to do.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CorpusError

REQUIRED = ("id", "title", "description")
OPTIONAL = ("titles", "onet", "signals", "articles", "mentions")
TOP_LEVEL = ("version", "name", "roles")
ROLE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$", re.I)
_ONET_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


@dataclass(frozen=True)
class OnetLink:
    """One O*NET-SOC occupation a role covers: ``weight`` is the share of the occupation that is this role."""

    code: str
    weight: float
    why: str


@dataclass(frozen=True)
class Role:
    """A role of the catalog (``roles.yaml``)."""

    id: str
    title: str
    description: str
    signals: tuple[str, ...]
    articles: tuple[str, ...]
    mentions: tuple[str, ...]
    titles: tuple[str, ...] = ()  # job titles people with this role hold (besides ``title``)
    onet: tuple[OnetLink, ...] = ()
    line: int = field(default=0, compare=False)  # where the role starts in roles.yaml (1-based)

    def matches(self, text: str) -> bool:
        """True if any of the role's mention patterns occurs in ``text``."""
        return any(re.search(p, text, re.I) for p in self.mentions)


def slug_id(text: str) -> str:
    """A valid role id made from free text: ``"Data Analyst (BI)"`` → ``"data-analyst-bi"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "role"


class _Where:
    """Formats error locations: ``roles.yaml line 12, role 'pm', field 'title'``."""

    def __init__(self, path: Path, lines: dict[str, int], start: int, role_id: str | None) -> None:
        self.path, self.lines, self.start, self.role_id = path, lines, start, role_id

    def __call__(self, field: str | None = None) -> str:
        line = self.lines.get(field, self.start) if field else self.start
        parts = [f"{self.path} line {line}" if line else str(self.path)]
        if self.role_id is not None:
            parts.append(f"role {self.role_id!r}")
        if field:
            parts.append(f"field {field!r}")
        return ", ".join(parts)


def _parse(path: Path) -> tuple[Any, list[tuple[int, dict[str, int]]]]:
    """The YAML document and, per entry of ``roles:``, its line and the line of each of its keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CorpusError(f"{path} is missing; create it with `rolematch init {path.parent}`") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read the role catalog {path}: {exc}") from exc
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: cold start (README, "Speed")
        data = yaml.load(text, Loader=loader)
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CorpusError(
            f"{path}{at}: invalid YAML ({problem}); fix the syntax there (indent each role under "
            "'roles:' with '- id: ...', and quote text that contains ': ' or starts with a special character)"
        ) from exc
    lines: list[tuple[int, dict[str, int]]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "roles" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    keys = {}
                    if isinstance(item, yaml.MappingNode):
                        keys = {k.value: k.start_mark.line + 1 for k, _ in item.value}
                    lines.append((item.start_mark.line + 1, keys))
    return data, lines


def _strings(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise CorpusError(f"{where}: expected a list of texts, e.g. {field}: [first, second]")
    return tuple(str(v) for v in value)


def load_roles(path: Path, article_slugs: Iterable[str] = ()) -> tuple[Role, ...]:
    """Read and validate the role catalog; raises ``CorpusError`` naming the file, line, role and field."""
    data, lines = _parse(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping with a top-level 'roles:' list of roles")
    unknown_top = [k for k in data if k not in TOP_LEVEL]
    if unknown_top:
        raise CorpusError(
            f"{path}: unknown top-level key(s) {unknown_top}; the keys are {', '.join(TOP_LEVEL)}"
        )
    entries = data.get("roles")
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{path}: expected a top-level 'roles:' list with at least one role")
    known = sorted(article_slugs)
    roles: list[Role] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        start, keys = lines[i] if i < len(lines) else (0, {})
        if not isinstance(entry, dict):
            where = _Where(path, keys, start, None)
            raise CorpusError(f"{where()}: role #{i + 1} must be a mapping like '- id: my-role'")
        role_id = entry.get("id")
        where = _Where(path, keys, start, None if role_id is None else str(role_id))
        roles.append(_role(entry, where, known, seen, i))
    return tuple(roles)


def _role(entry: dict, where: _Where, known: list[str], seen: dict[str, int], i: int) -> Role:
    for key in entry:
        if key not in REQUIRED + OPTIONAL:
            close = difflib.get_close_matches(str(key), REQUIRED + OPTIONAL, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"the fields are {', '.join(REQUIRED + OPTIONAL)}"
            )
            raise CorpusError(f"{where(str(key))}: unknown field; {hint}")
    for key in REQUIRED:
        value = entry.get(key)
        if value is None or not str(value).strip():
            what = "lacks" if key not in entry else "has an empty"
            label = f"role #{i + 1}" if where.role_id is None else "the role"
            raise CorpusError(
                f"{where(key if key in entry else None)}: {label} {what} {key}; add '{key}: ...'"
            )
    role_id = str(entry["id"])
    if not ROLE_ID.match(role_id):
        raise CorpusError(
            f"{where('id')}: the id must be one word of letters, digits, '-', '_' or '.' "
            f"(no spaces); use {slug_id(role_id)!r}"
        )
    if role_id in seen:
        raise CorpusError(
            f"{where('id')}: duplicate id (role #{seen[role_id] + 1} has it too); give each role its own id"
        )
    seen[role_id] = i
    articles = _strings(entry.get("articles"), where("articles"), "articles")
    missing = [a for a in articles if known and a not in known]
    if missing:
        close = difflib.get_close_matches(missing[0], known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"articles are: {', '.join(known)}"
        raise CorpusError(
            f"{where('articles')}: unknown article {missing[0]!r} (no articles/{missing[0]}.md); {hint} "
            "Use the article's file name without .md, or add the article."
        )
    mentions = _strings(entry.get("mentions"), where("mentions"), "mentions")
    for pattern in mentions:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CorpusError(
                f"{where('mentions')}: bad mention regex {pattern!r} ({exc}); fix it or quote the text"
            ) from exc
    return Role(
        id=role_id,
        title=str(entry["title"]).strip(),
        description=" ".join(str(entry["description"]).split()),
        signals=_strings(entry.get("signals"), where("signals"), "signals"),
        articles=articles,
        mentions=mentions,
        titles=_strings(entry.get("titles"), where("titles"), "titles"),
        onet=_onet_links(entry.get("onet") or (), where("onet")),
        line=where.start,
    )


def _onet_links(entries: Any, where: str) -> tuple[OnetLink, ...]:
    if isinstance(entries, (str, dict)):
        entries = [entries]
    links = []
    for e in entries:
        e = {"code": e} if isinstance(e, str) else e
        code = str(e.get("code", "")) if isinstance(e, dict) else ""
        if not _ONET_CODE.match(code):
            raise CorpusError(f"{where}: onet entry {e!r} needs a code like 11-1011.00")
        try:
            weight = float(e.get("weight", 1.0))
        except (TypeError, ValueError):
            weight = float("nan")
        if not 0.0 < weight <= 1.0:
            raise CorpusError(
                f"{where}: onet {code} weight must be a number in (0, 1], got {e.get('weight')!r}"
            )
        links.append(OnetLink(code, weight, str(e.get("why", ""))))
    return tuple(links)


def catalog_name(path: Path) -> str | None:
    """The optional top-level ``name:`` of ``roles.yaml`` (None when absent or unreadable)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return str(name).strip() or None if name is not None else None
