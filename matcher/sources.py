"""Training sources: labelled texts for the classifier, the fusion and the fit, beyond our own examples.

Each source gives rows ``(text, role, weight, group, source)``; ``role`` is ``""`` for texts that fit no
role. ``group`` keeps related rows in the same cross-validation fold: one occupation's description and
outside titles, one example, one job title (the same title labelled with several roles).

- ``own``: the examples written for the project (``corpus/examples/``) and each role's description;
- ``descriptions``: the O*NET description of each occupation a role covers, labelled by its roles;
- ``titles``: the roles' own job titles and the alternate titles of the occupations they cover;
- ``outside``: O*NET occupations no role covers (descriptions and a few titles): the world outside
  the catalog, the negatives of the fit (outlier exposure);
- ``low_information``: gibberish, single words, lists of skills, fillers (``data/low_information.yaml``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .backbone import own_titles, role_titles, title_owner
from .corpus import Corpus
from .examples import role_set
from .index import role_text
from .titles import normalize_title

SOURCES = ("own", "descriptions", "titles", "outside", "low_information")
WEIGHTS = {"own": 1.0, "descriptions": 1.0, "titles": 0.15, "outside": 0.5, "low_information": 1.0}
OUTSIDE_TITLES = 3  # titles drawn per outside occupation
SEED = 0
_LOW_INFO = Path(__file__).with_name("data") / "low_information.yaml"


@dataclass(frozen=True)
class Row:
    text: str
    role: str  # "" = fits no role
    weight: float
    group: str
    source: str
    also: frozenset[str] = frozenset()  # other roles just as right for this text (examples' ``also``)


#: a labelled text: ``(text, role or None)``, or ``(text, role, also)`` with the other roles just as right
Example = tuple[str, str | None] | tuple[str, str | None, str | Collection[str]]


def own_rows(corpus: Corpus, examples: Sequence[Example]) -> list[Row]:
    """Our examples and one row per role description."""
    rows = [
        Row(t, r or "", WEIGHTS["own"], f"own:{i}", "own", role_set(more[0]) if more else frozenset())
        for i, (t, r, *more) in enumerate(examples)
    ]
    rows += [Row(role_text(r.title, r.description), r.id, 1.0, f"role:{r.id}", "own") for r in corpus.roles]
    return rows


def _split(
    text: str, weights: np.ndarray, roles: list[str], total: float, group: str, source: str
) -> list[Row]:
    """One row per role with a share of the occupation, the weight split in proportion."""
    share = weights / weights.sum()
    return [Row(text, roles[j], float(total * share[j]), group, source) for j in np.flatnonzero(weights)]


def description_rows(corpus: Corpus) -> list[Row]:
    b = corpus.backbone
    roles = corpus.role_ids
    return [
        row
        for i in np.flatnonzero(b.inside)
        for row in _split(
            b.occupations[i].text,
            b.weights[i],
            roles,
            WEIGHTS["descriptions"],
            f"onet:{b.occupations[i].code}",
            "descriptions",
        )
    ]


def title_rows(corpus: Corpus) -> list[Row]:
    """Own titles (full weight) and the covered occupations' alternate titles (owned by the roles with the
    occupation's largest weight, or by the role that names the title as its own)."""
    b = corpus.backbone
    roles = corpus.role_ids
    own = own_titles(corpus.roles)
    rows = []
    for role in corpus.roles:
        for t in role_titles(role):
            key = normalize_title(t)
            rows += _split(t, own[key], roles, WEIGHTS["titles"] * 2, f"title:{key}", "titles")
    inside = b.inside
    for i, title in b.alternates:
        if inside[i] and normalize_title(title) not in own:
            rows += _split(
                title,
                title_owner(b.weights[i]),
                roles,
                WEIGHTS["titles"],
                f"title:{normalize_title(title)}",
                "titles",
            )
    return rows


def outside_rows(corpus: Corpus) -> list[Row]:
    b = corpus.backbone
    rng = np.random.default_rng(SEED)
    inside_titles = {normalize_title(t) for i, t in b.alternates if b.inside[i]} | set(
        own_titles(corpus.roles)
    )
    by_occ: dict[int, list[str]] = {}
    for i, t in b.alternates:
        if not b.inside[i] and normalize_title(t) not in inside_titles:
            by_occ.setdefault(i, []).append(t)
    rows = []
    for i in np.flatnonzero(~b.inside):
        occ = b.occupations[i]
        group = f"onet:{occ.code}"
        rows.append(Row(occ.text, "", WEIGHTS["outside"], group, "outside"))
        titles = by_occ.get(int(i), [])
        for k in rng.permutation(len(titles))[:OUTSIDE_TITLES]:
            rows.append(Row(titles[k], "", WEIGHTS["outside"] / 2, group, "outside"))
    return rows


def low_information_rows(n: int = 60) -> list[Row]:
    data = yaml.safe_load(_LOW_INFO.read_text(encoding="utf-8"))
    rng = np.random.default_rng(SEED)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    texts = []
    for _ in range(n):  # keyboard mash: 1-4 "words" of 3-7 random letters
        words = ["".join(rng.choice(letters, rng.integers(3, 8))) for _ in range(rng.integers(1, 5))]
        texts.append(" ".join(words))
    skills = data["skills"]
    for _ in range(n):
        picks = rng.choice(len(skills), 3, replace=False)
        texts.append(", ".join(skills[k] for k in picks))
    texts += list(data["words"]) + list(data["fillers"])
    return [
        Row(t, "", WEIGHTS["low_information"], f"low:{k}", "low_information") for k, t in enumerate(texts)
    ]


def training_rows(
    corpus: Corpus, examples: Sequence[Example], sources: tuple[str, ...] = SOURCES
) -> list[Row]:
    """The rows of the chosen sources (those needing the backbone are skipped without one)."""
    rows = own_rows(corpus, examples) if "own" in sources else own_rows(corpus, [])
    if corpus.backbone is not None:
        if "descriptions" in sources:
            rows += description_rows(corpus)
        if "titles" in sources:
            rows += title_rows(corpus)
        if "outside" in sources:
            rows += outside_rows(corpus)
    if "low_information" in sources:
        rows += low_information_rows()
    return rows
