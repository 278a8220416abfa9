"""Occupation backbone: the O*NET occupations and their real job titles, tied to the catalog's roles.

``corpus/onet/`` holds 1,016 O*NET-SOC occupations (title, description) and 56,495 alternate titles
(CC BY 4.0; see ``corpus/onet/NOTICE``). Each role of ``roles.yaml`` lists the codes it covers with a
weight; the occupations no role covers are the world outside the catalog, which "no good fit" is
measured against. ``load_backbone`` turns the files and the roles into plain tables.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import CorpusError
from .titles import normalize_title

if TYPE_CHECKING:
    from .corpus import Role

OUTSIDE_TITLES_PER_OCCUPATION = 10  # alternate titles kept for each occupation outside the catalog


@dataclass(frozen=True)
class Occupation:
    code: str
    title: str
    description: str

    @property
    def text(self) -> str:
        """What is embedded for the occupation: its title and description."""
        return f"{self.title}. {self.description}"


@dataclass(frozen=True)
class Backbone:
    """Occupations, their tie to the roles, and the reference job titles.

    ``weights`` ``(n_occupations, n_roles)``: the share of each occupation that is each role (0: none);
    ``titles``: reference job titles, with ``title_roles`` ``(n_titles, n_roles)`` 0/1 (a title belongs
    to the roles with the largest weight of its occupation, or to the role that names it) and
    ``title_occupations`` ``(n_titles,)`` (the occupation index, -1 for a role's own title).
    ``alternates``: every alternate title of every occupation (for training), as (occupation, title).
    """

    occupations: tuple[Occupation, ...]
    weights: np.ndarray
    titles: tuple[str, ...]
    title_roles: np.ndarray
    title_occupations: np.ndarray
    alternates: tuple[tuple[int, str], ...]

    @property
    def inside(self) -> np.ndarray:
        """``(n_occupations,)`` bool: the occupation is covered by some role."""
        return self.weights.sum(axis=1) > 0

    def code_index(self) -> dict[str, int]:
        return {o.code: i for i, o in enumerate(self.occupations)}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise CorpusError(f"{path} is missing: the occupation backbone ships in corpus/onet/")
    with open(path, encoding="utf-8", newline="") as fh:  # as csv.DictReader, at half its cost (56k rows)
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        header = next(rows, [])
        return [dict(zip(header, row)) for row in rows]


def load_backbone(onet_dir: Path, roles: tuple[Role, ...]) -> Backbone:
    """Read ``occupations.tsv`` and ``alternate_titles.tsv`` and tie them to ``roles``."""
    occupations = tuple(
        Occupation(r["code"], r["title"], r["description"]) for r in _read_tsv(onet_dir / "occupations.tsv")
    )
    index = {o.code: i for i, o in enumerate(occupations)}
    weights = np.zeros((len(occupations), len(roles)), dtype=np.float32)
    for j, role in enumerate(roles):
        for link in role.onet:
            if link.code not in index:
                raise CorpusError(f"roles.yaml ({role.id}): O*NET code {link.code} is not in {onet_dir}")
            weights[index[link.code], j] = link.weight

    by_code: dict[int, list[str]] = defaultdict(list)
    for r in _read_tsv(onet_dir / "alternate_titles.tsv"):
        i = index.get(r["code"])
        if i is None:
            continue
        by_code[i].append(r["alternate_title"])
        if r.get("short_title"):
            by_code[i].append(r["short_title"])
    alternates = tuple((i, t) for i in sorted(by_code) for t in dict.fromkeys(by_code[i]))
    titles, title_roles, title_occ = reference_titles(occupations, weights, by_code, roles)
    return Backbone(occupations, weights, titles, title_roles, title_occ, alternates)


def title_owner(weights_row: np.ndarray) -> np.ndarray:
    """``(n_roles,)`` 0/1: the roles with the largest weight of an occupation (none if it has no role)."""
    top = weights_row.max()
    return ((weights_row == top) & (top > 0)).astype(np.float32)


def role_titles(role: Role) -> tuple[str, ...]:
    """A role's own job titles: its title (without the parenthesis) and its ``titles``."""
    return tuple(dict.fromkeys((role.title.split(" (")[0], *role.titles)))


def own_titles(roles: tuple[Role, ...]) -> dict[str, np.ndarray]:
    """Normalised own title → ``(n_roles,)`` 0/1 of the roles that name it."""
    own: dict[str, np.ndarray] = {}
    for j, role in enumerate(roles):
        for t in role_titles(role):
            own.setdefault(normalize_title(t), np.zeros(len(roles), np.float32))[j] = 1.0
    return own


def outside_titles(occupation: str, titles: list[str], n: int = OUTSIDE_TITLES_PER_OCCUPATION) -> list[str]:
    """The ``n`` alternate titles kept for an occupation outside the catalog: first those that share the
    most words with the occupation's own title ("Executive Assistant" for "Executive Secretaries and Executive
    Administrative Assistants"), at most half of them, then the shortest ("Attorney" for "Lawyers")."""
    own = set(normalize_title(occupation).split())
    names = sorted(dict.fromkeys(titles), key=lambda t: (len(t), t))
    stems = [w[:-1] if w.endswith("y") else w for w in own]  # "company" is in "companies"
    # a title that holds none of them as a substring shares no word (the cold start reads 56,000 titles)
    shared = {
        t: len(own.intersection(normalize_title(t).split())) if _holds_any(t, stems) else 0 for t in names
    }
    first = [t for t in sorted(names, key=lambda t: -shared[t]) if shared[t]][: n // 2]
    return first + [t for t in names if t not in first][: n - len(first)]


def _holds_any(title: str, stems: list[str]) -> bool:
    low = title.lower().replace("&", " and ")  # as normalize_title reads "&"
    return any(stem in low for stem in stems)


def reference_titles(
    occupations: tuple[Occupation, ...],
    weights: np.ndarray,
    by_code: dict[int, list[str]],
    roles: tuple[Role, ...],
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The job titles the person's titles are compared with.

    Each role's own titles come first; then every alternate title of a covered occupation (owned by the
    roles with its largest weight, unless a role names it as its own); then, for each occupation outside
    the catalog, its title and its shortest alternate titles (never one that a covered occupation or a
    role also uses).
    """
    n_roles = len(roles)
    own = own_titles(roles)
    texts: list[str] = []
    owners: list[np.ndarray] = []
    occ_of: list[int] = []
    seen: set[str] = set()

    def add(text: str, owner: np.ndarray, occ: int) -> None:
        key = normalize_title(text)
        if key and key not in seen:
            seen.add(key)
            texts.append(text)
            owners.append(owner)
            occ_of.append(occ)

    for role in roles:
        for t in role_titles(role):
            add(t, own[normalize_title(t)], -1)
    inside = weights.sum(axis=1) > 0
    for i in np.flatnonzero(inside):
        for t in [occupations[i].title, *by_code.get(int(i), [])]:
            add(t, title_owner(weights[i]), int(i))
    for i in np.flatnonzero(~inside):
        for t in [occupations[i].title, *outside_titles(occupations[i].title, by_code.get(int(i), []))]:
            add(t, np.zeros(n_roles, np.float32), int(i))
    return tuple(texts), np.stack(owners), np.asarray(occ_of, dtype=np.int32)
