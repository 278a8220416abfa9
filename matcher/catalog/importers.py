"""Importers: roles (and the articles that ground them) from a CSV, from O*NET codes, or from job
descriptions. Each returns ``Draft`` roles; ``init.write_catalog`` writes them as a catalog folder."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError, RolematchError
from ..roles import ROLE_ID, slug_id

JD_SUFFIXES = (".md", ".txt", ".pdf", ".docx")
MAX_TITLES = 12  # alternate titles copied into roles.yaml per O*NET role (the backbone keeps all of them)


@dataclass(frozen=True)
class Draft:
    """One role to write: its ``roles.yaml`` entry and, when it brings one, its article's body."""

    id: str
    title: str
    description: str
    titles: tuple[str, ...] = ()
    onet: tuple[str, ...] = ()
    article_title: str = ""
    article_source: str = ""
    article_body: str = ""  # empty: no article of its own
    origin: str = ""  # where it came from, for error messages


def _check_id(role_id: str, where: str) -> str:
    if not ROLE_ID.match(role_id):
        raise CorpusError(
            f"{where}: id {role_id!r} must be one word without spaces; use {slug_id(role_id)!r}"
        )
    return role_id


def from_csv(path: Path) -> list[Draft]:
    """Roles from a CSV with columns ``id, title, description`` (``id`` may be left out: made from the
    title; optional ``titles`` and ``onet``, ';'-separated). Each role's description becomes its article."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorpusError(
            f"cannot read {path}: {exc}; give a UTF-8 CSV with columns id,title,description"
        ) from exc
    missing = [c for c in ("title", "description") if c not in columns]
    if missing:
        raise CorpusError(
            f"{path}: column(s) {', '.join(missing)} not found; columns are: {', '.join(columns) or '(none)'} "
            "(expected id,title,description)"
        )
    drafts = []
    for n, raw in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        where = f"{path} line {n}"
        for key in ("title", "description"):
            if not row.get(key):
                raise CorpusError(f"{where}: the {key!r} is empty; fill it in or delete the row")
        role_id = _check_id(row.get("id") or slug_id(row["title"]), where)
        drafts.append(
            Draft(
                id=role_id,
                title=row["title"],
                description=" ".join(row["description"].split()),
                titles=_split(row.get("titles", "")),
                onet=_split(row.get("onet", "")),
                article_title=row["title"],
                article_source=f"{path.name} (the role's description)",
                article_body=row["description"],
                origin=where,
            )
        )
    if not drafts:
        raise CorpusError(f"{path} has no rows; add one role per row (id,title,description)")
    return drafts


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in re.split(r"[;|]", value) if v.strip())


def from_onet(codes: str | list[str], onet_dir: Path | None = None) -> list[Draft]:
    """Roles from O*NET-SOC codes (``"15-1252.00,15-1211.00"``): title, description and alternate titles
    from the bundled backbone; the role gives its code, and its article is the O*NET description."""
    from ..backbone import _read_tsv
    from ..config import bundled_onet_dir

    onet_dir = onet_dir or bundled_onet_dir()
    wanted = [c.strip() for c in (codes.split(",") if isinstance(codes, str) else codes) if c.strip()]
    if not wanted:
        raise CorpusError("--from-onet needs O*NET-SOC codes, e.g. --from-onet 15-1252.00,15-1211.00")
    occupations = {r["code"]: r for r in _read_tsv(onet_dir / "occupations.tsv")}
    alternates: dict[str, list[str]] = {}
    for r in _read_tsv(onet_dir / "alternate_titles.tsv"):
        alternates.setdefault(r["code"], []).append(r["alternate_title"])
    drafts = []
    for code in wanted:
        if not re.fullmatch(r"\d{2}-\d{4}(\.\d{2})?", code):
            raise CorpusError(f"--from-onet: {code!r} is not an O*NET-SOC code like 15-1252.00")
        code = code if "." in code else f"{code}.00"
        if code not in occupations:
            close = sorted(c for c in occupations if c.startswith(code[:5]))[:5]
            hint = f"; codes starting {code[:5]}: {', '.join(close)}" if close else ""
            raise CorpusError(f"--from-onet: {code} is not an O*NET occupation in {onet_dir}{hint}")
        occ = occupations[code]
        title = occ["title"]
        drafts.append(
            Draft(
                id=slug_id(title),
                title=title,
                description=occ["description"],
                titles=tuple(dict.fromkeys(alternates.get(code, [])))[:MAX_TITLES],
                onet=(code,),
                article_title=f"{title} (O*NET {code})",
                article_source=f"O*NET 30.0 occupation {code}, CC BY 4.0 (USDOL/ETA); replace with your own article",
                article_body=occ["description"],
                origin=f"O*NET {code}",
            )
        )
    return drafts


def from_jds(folder: Path) -> list[Draft]:
    """One role per job description in ``folder`` (.md, .txt, .pdf, .docx): the JD is the role's
    description and its article, so its sentences become the quotes. The title is the JD's first heading
    (or first short line), else the file name."""
    from ..read import read_file

    if not folder.is_dir():
        raise CorpusError(
            f"--from-jds: {folder} is not a folder; give a folder of .md, .txt, .pdf or .docx files"
        )
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in JD_SUFFIXES)
    if not paths:
        raise CorpusError(f"--from-jds: no job descriptions ({', '.join(JD_SUFFIXES)}) in {folder}")
    drafts = []
    for path in paths:
        try:
            document = read_file(path)
        except RolematchError as exc:  # a FileReadError names the problem and the fix
            raise CorpusError(f"--from-jds: {exc}") from exc
        body = _article_body(document.text, path.suffix.lower() in (".md", ".txt"))
        title, rest = _jd_title(body, path)
        description = " ".join(rest.replace("#", " ").split())
        if len(description.split()) < 5:
            raise CorpusError(f"{path}: the job description has almost no text; give its full text")
        drafts.append(
            Draft(
                id=_check_id(slug_id(path.stem), str(path)),
                title=title,
                description=description,
                article_title=title,
                article_source=path.name,
                article_body=body,
                origin=str(path),
            )
        )
    return drafts


def _article_body(text: str, keep_lines: bool) -> str:
    """The JD as an article body: markdown/text kept as written; PDF/DOCX lines inside a paragraph are
    joined (a line that wraps mid-sentence would otherwise be its own passage), bullets kept."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text.replace("\r\n", "\n"), flags=re.S)  # its own front matter
    if keep_lines:
        return text.strip() + "\n"
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        bullet = re.match(r"(?:[-•*▪●]|\d+[.)])\s+", stripped)
        if out and out[-1] and stripped and not bullet and not out[-1].endswith((".", ":", "!", "?")):
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(f"- {stripped[bullet.end() :]}" if bullet else stripped)
    return "\n".join(out).strip() + "\n"


def _jd_title(body: str, path: Path) -> tuple[str, str]:
    lines = body.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        heading = stripped.lstrip("#").strip()
        if stripped.startswith("#") or (len(heading.split()) <= 8 and not heading.endswith(".")):
            return heading.rstrip(":"), "\n".join(lines[i + 1 :])
        break
    return path.stem.replace("-", " ").replace("_", " ").strip().title(), body
