"""Fairness invariance: the match must not move when only a person's name or gender changes.

``swap_variants`` rewrites a bio consistently (the person's name, pronouns and gendered words);
``fairness_report`` scores every text and its variants in batched passes and says how far any
role's score moved. Reports carry ids and variant names only, never the text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .embed import encode_documents
from .errors import InputTextError
from .gender import is_function_word, is_gendered_word, swap_gender
from .privacy import FIRST_NAMES, person_names
from .rank import listed_order
from .textproc import validate

__all__ = ["NAMES", "GENDERS", "swap_variants", "fairness_report", "format_fairness_report"]

GENDERS = ("female", "male", "neutral")

#: Replacement people: (first name, surname, pronoun set).
NAMES = (
    ("Maria", "Garcia", "female"),
    ("John", "Smith", "male"),
    ("Wei", "Zhang", "neutral"),
    ("Oluwaseun", "Adeyemi", "male"),
    ("Priya", "Sharma", "female"),
    ("Ahmed", "Hassan", "male"),
    ("Emily", "Walsh", "female"),
    ("DeShawn", "Jackson", "male"),
    ("Aiko", "Tanaka", "female"),
    ("Alex", "Morgan", "neutral"),
)

_PERSON = re.compile(
    r"\b(" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + r")\b"
    r"(?: ([A-Z][a-zà-ÿ]+(?:[-'’][A-Z][a-zà-ÿ]+)?)\b)?"
)


# --------------------------------------------------------------------------- variants


def swap_variants(text: str, pronouns: bool = True) -> list[tuple[str, str]]:
    """Variants of ``text`` that differ only in the person's name and gender, as ``(name, text)``.

    ``pronouns=female|male|neutral`` rewrite pronouns and gendered words; ``name=First Last``
    replaces every mention of the person's name (``_find_person``): the full name by ``First Last``,
    its first word alone by ``First`` and its last alone by ``Last``, in the case written ("MENON"),
    and uses that name's pronouns. With ``pronouns=False`` only names change (the ``name=`` variants
    keep the text's own pronouns). Variants equal to the original are left out, so a first-person
    resume without a name gives ``[]``.
    """
    person = _find_person(text)
    variants = [(f"pronouns={g}", swap_gender(text, g)) for g in GENDERS] if pronouns else []
    if person is not None:
        for first, last, gender in NAMES:
            renamed = _swap_name(text, person, (first, last))
            variants.append((f"name={first} {last}", swap_gender(renamed, gender) if pronouns else renamed))
    seen = {text}
    out = []
    for name, variant in variants:
        if variant not in seen:
            seen.add(variant)
            out.append((name, variant))
    return out


def _find_person(text: str) -> list[str] | None:
    """The words of the person's name: the first name that redaction finds (``person_names``), or the
    longest found name that shares a word with it ("Ravi Menon" for "Ravi"); else the first known first
    name in the text and the capitalised word after it (the surname)."""
    names = [name.split() for name in person_names(text)]
    if names:
        return max((n for n in names if set(n) & set(names[0])), key=len)
    m = _PERSON.search(text)
    if m is None:
        return None
    last = m.group(2)
    if last is None or is_function_word(last) or is_gendered_word(last) or last in FIRST_NAMES:
        return [m.group(1)]
    return [m.group(1), last]


def _swap_name(text: str, person: list[str], new: tuple[str, str]) -> str:
    """Every mention of ``person`` (its words with any white space between) as ``new`` ("First Last"), and of
    its first and last words alone as ``new``'s (not a pronoun or function word such as the surname "He"),
    in the case each mention is written; lower-case words ("mark") stay."""
    alone = {person[0].lower(): new[0]}
    if len(person) > 1:
        alone[person[-1].lower()] = new[1]
    alone = {w: n for w, n in alone.items() if not (is_function_word(w) or is_gendered_word(w))}
    parts = [r"\s+".join(map(re.escape, person)), *map(re.escape, sorted(alone, key=len, reverse=True))]
    pattern = re.compile(rf"(?<![\w\[-])(?:{'|'.join(parts)})(?![\w\]-])", re.IGNORECASE)

    def sub(m: re.Match[str]) -> str:
        said = m.group()
        if said[0].islower():
            return said
        space = re.findall(r"\s+", said)
        replacement = new[0] + space[-1] + new[1] if space else alone.get(said.lower())
        if replacement is None:  # a one-word name that is a pronoun or function word
            return said
        return replacement.upper() if said.isupper() and len(said) > 1 else replacement

    return pattern.sub(sub, text)


# --------------------------------------------------------------------------- report


def fairness_report(
    matcher: Any,
    texts: Sequence[str] | Mapping[str, str],
    top: int = 3,
    ids: Sequence[str] | None = None,
    pronouns: bool = True,
    batch: int = 8,
) -> dict[str, Any]:
    """How far scores move when only names and gender change, over all ``texts`` and their variants.

    ``texts``: a list (ids are ``ids`` or row numbers) or a mapping id → text; ``pronouns=False``
    swaps names only (see ``swap_variants``).

    Returns ``max_shift`` (largest |Δ score| of any role), ``mean_shift`` (mean over variants of the
    largest |Δ score| across roles), ``max_confidence_shift``, ``top_changed`` (fraction of texts with
    a variant whose top-``top`` set differs), ``top1_changed``, ``by_variant`` (mean shift per
    variant) and ``worst`` (ids, variant, role and shift; never text). Invalid texts are skipped.
    """
    items = list(texts.items()) if isinstance(texts, Mapping) else list(zip(ids or range(len(texts)), texts))
    rows: list[dict[str, Any]] = []
    skipped = 0
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for key, text in items:
        try:
            validate(text)
        except InputTextError:
            skipped += 1
            continue
        groups.append((str(key), [("original", text), *swap_variants(text, pronouns=pronouns)]))
    for start in range(0, len(groups), batch):
        chunk = groups[start : start + batch]
        flat = [t for _, variants in chunk for _, t in variants]
        scores = matcher.score_documents(encode_documents(matcher.embedder, flat))
        pos = 0
        for key, variants in chunk:
            rows += _compare(
                key,
                variants,
                scores.score[pos : pos + len(variants)],
                scores.confidence[pos : pos + len(variants)],
                top,
            )
            pos += len(variants)
    return _summarise(rows, [r.id for r in matcher.corpus.roles], len(groups), skipped, top)


def _compare(
    key: str, variants: list[tuple[str, str]], score: np.ndarray, confidence: np.ndarray, top: int
) -> list[dict[str, Any]]:
    order = listed_order(score, confidence)  # the roles as results list them
    base_top = set(order[0, :top].tolist())
    base_first = int(order[0, 0])
    rows = []
    for v in range(1, len(variants)):
        delta = np.abs(score[v] - score[0])
        rows.append(
            {
                "id": key,
                "variant": variants[v][0],
                "shift": float(delta.max()),
                "role": int(delta.argmax()),
                "mean_abs": float(delta.mean()),
                "confidence_shift": float(np.abs(confidence[v] - confidence[0]).max()),
                "top_changed": set(order[v, :top].tolist()) != base_top,
                "top1_changed": int(order[v, 0]) != base_first,
            }
        )
    return rows


def _summarise(
    rows: list[dict[str, Any]], role_ids: list[str], n_texts: int, skipped: int, top: int
) -> dict[str, Any]:
    swapped = sorted({r["id"] for r in rows})
    by_text: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_variant: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_text[r["id"]].append(r)
        by_variant[r["variant"]].append(r["shift"])
    worst = sorted((max(rs, key=lambda r: r["shift"]) for rs in by_text.values()), key=lambda r: -r["shift"])

    def changed(key: str) -> float:
        return sum(any(r[key] for r in by_text[i]) for i in swapped) / len(swapped) if swapped else 0.0

    return {
        "n_texts": n_texts,
        "n_skipped": skipped,
        "n_swapped": len(swapped),
        "n_variants": len(rows),
        "top": top,
        "max_shift": max((r["shift"] for r in rows), default=0.0),
        "mean_shift": float(np.mean([r["shift"] for r in rows])) if rows else 0.0,
        "mean_abs_shift": float(np.mean([r["mean_abs"] for r in rows])) if rows else 0.0,
        "max_confidence_shift": max((r["confidence_shift"] for r in rows), default=0.0),
        "top_changed": changed("top_changed"),
        "top1_changed": changed("top1_changed"),
        "by_variant": {k: float(np.mean(v)) for k, v in sorted(by_variant.items())},
        "worst": [
            {"id": r["id"], "variant": r["variant"], "role": role_ids[r["role"]], "shift": r["shift"]}
            for r in worst[:5]
        ],
    }


def format_fairness_report(report: dict[str, Any], title: str = "") -> str:
    """The report as a short plain-text table."""
    lines = [
        f"fairness invariance{f' — {title}' if title else ''}",
        f"texts {report['n_texts']} (with a name or gendered words: {report['n_swapped']}, "
        f"skipped {report['n_skipped']}), variants {report['n_variants']}",
        f"largest score shift      {report['max_shift']:.4f}",
        f"mean largest shift       {report['mean_shift']:.4f}",
        f"largest confidence shift {report['max_confidence_shift']:.4f}",
        f"top-{report['top']} set changed        {report['top_changed']:.1%} of texts",
        f"top-1 changed            {report['top1_changed']:.1%} of texts",
        "mean shift by variant:",
    ]
    lines += [f"  {name:<24} {shift:.4f}" for name, shift in report["by_variant"].items()]
    lines.append("worst texts:")
    lines += [f"  {w['id']:<16} {w['variant']:<24} {w['role']:<28} {w['shift']:.4f}" for w in report["worst"]]
    return "\n".join(lines) + "\n"
