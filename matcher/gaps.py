"""Explain stage, career paths: which skills of a target role a person's text already shows (strengths)
and which it does not (gaps). Pure functions over words and precomputed vectors.

A phrase ("go-to-market strategy", "mentoring junior product managers") is *shown* when one of the
person's sentences holds its key words close together (or those of one of its parts: "HIPAA" for "HIPAA
and GDPR") or is close to it in embedding space. It is a *gap* when the text does not hold most of its
key words (a phrase the person wrote is never a gap) and no sentence comes near it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SHOWN_COSINE = 0.70  # a sentence this close to a phrase shows it (MiniLM, sentence vs short phrase)
GAP_COSINE = 0.40  # under this, and without the words, the phrase is a gap; in between it is neither
NEAR_SLACK = 3  # a sentence names a phrase when its key words lie within len(keys) + 3 words

_WORD = re.compile(r"[a-z0-9]+(?:[/&][a-z0-9]+)*")  # keeps "a/b", "ai/ml", "p&l", "m&a" whole
_ALIASES = {"gtm": "go to market", "pmm": "product marketing", "kpis": "kpi"}
_STOPWORD_TEXT = "a an and or of for the to in on with from by at as into across its their your one about new"
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_JOINERS = re.compile(r",|\s+(?:and|or)\s+")
_SUFFIXES = (
    "isations", "izations", "isation", "ization", "ations", "ation", "ising", "izing", "ised", "ized",
    "ises", "izes", "ise", "ize", "ings", "ing", "ers", "er", "ed", "es", "s",
)  # fmt: skip


def stem(word: str) -> str:
    """A crude English stem: "launches" → "launch", "prioritised" → "priorit", "studies" → "study"."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# Words too common (or too verb-like) to decide on their own whether a phrase is shown.
_GENERIC_TEXT = (
    "product products management managing manage skills team teams work experience user users developing "
    "understanding knowledge deep strong extensive substantial ability coordinating leading running building "
    "turning demonstrating evaluating communicating successfully broader effective"
)
_GENERIC = frozenset(stem(w) for w in _GENERIC_TEXT.split())


def words(text: str) -> list[str]:
    """Stems of the words of ``text`` (lower-cased, "GTM" read as "go to market")."""
    out: list[str] = []
    for w in _WORD.findall(text.lower()):
        out.extend(_ALIASES[w].split() if w in _ALIASES else [w])
    return [stem(w) for w in out]


def key_words(phrase: str) -> tuple[str, ...]:
    """The words that say what ``phrase`` is: its content words without the generic ones (all content
    words when every one is generic)."""
    content = [w for w in dict.fromkeys(words(phrase)) if w not in _STOPWORDS]
    keys = [w for w in content if w not in _GENERIC]
    return tuple(keys or content)


def key_sets(phrase: str) -> list[tuple[str, ...]]:
    """Key words of the phrase and, when it joins several skills ("HIPAA and GDPR", "beta and pilot
    programs"), of each of them; a part made of generic words only ("its users") is no skill of its own."""
    out = [key_words(phrase)]
    parts = [p for p in _JOINERS.split(phrase) if p.strip()]
    if len(parts) > 1:
        for part in parts:
            keys = tuple(w for w in words(part) if w not in _STOPWORDS and w not in _GENERIC)
            if keys and keys not in out:
                out.append(keys)
    return out


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _found(pool: set[str], key: str) -> bool:
    return key in pool or any(_same(key, w) for w in pool)


def has_words(stems: Iterable[str], keys: Sequence[str]) -> bool:
    """True when every key stem occurs among ``stems`` (a stem matches its longer or shorter forms)."""
    pool = set(stems)
    return bool(keys) and all(_found(pool, k) for k in keys)


def mentions(stems: Iterable[str], phrase: str) -> bool:
    """True when ``stems`` hold most key words of the phrase or of one of its parts: all of one or two,
    more than half of three or more ("go-to-market" mentions "go-to-market strategy")."""
    pool = set(stems)
    return any(sum(_found(pool, k) for k in keys) > len(keys) // 2 for keys in key_sets(phrase) if keys)


def names_near(stems: Sequence[str], phrase: str, slack: int = NEAR_SLACK) -> bool:
    """True when all key words of the phrase (or of one of its parts) lie within ``len(keys) + slack``
    consecutive words: "retention marketing KPIs" names "retention marketing", a sentence with the two
    words far apart does not."""
    for keys in key_sets(phrase):
        width = len(keys) + slack
        if any(has_words(stems[i : i + width], keys) for i in range(max(len(stems) - width, 0) + 1)):
            return True
    return False


@dataclass(frozen=True)
class Assessment:
    """How far the person's text shows one phrase.

    ``cosine``: the best cosine of a person's sentence to the phrase; ``span``: the sentence that shows
    it (the one naming it, else the closest; -1 when the text has no sentence) and ``span_cosine`` its
    cosine; ``lexical``: one sentence names the phrase, its key words close together; ``mentioned``: the
    text holds most of its key words somewhere (then it is never a gap).
    """

    phrase: str
    cosine: float
    span: int
    lexical: bool
    mentioned: bool
    span_cosine: float = 0.0

    @property
    def shown(self) -> bool:
        return self.lexical or self.cosine >= SHOWN_COSINE

    @property
    def gap(self) -> bool:
        return not self.mentioned and self.cosine < GAP_COSINE


def assess(
    phrases: Sequence[str],
    phrase_vectors: np.ndarray,
    span_vectors: np.ndarray,
    span_texts: Sequence[str],
) -> list[Assessment]:
    """Assess each phrase against the person's sentences.

    ``phrase_vectors`` ``(n_phrases, dim)`` and ``span_vectors`` ``(n_spans, dim)``, rows L2-normalised;
    ``span_texts`` the ``n_spans`` sentences (the lexical check reads their words).
    """
    if len(phrases) != len(phrase_vectors) or len(span_texts) != len(span_vectors):
        raise ValueError(
            f"expected one vector per phrase and per sentence, got {len(phrases)} phrases / "
            f"{len(phrase_vectors)} vectors and {len(span_texts)} sentences / {len(span_vectors)} vectors"
        )
    span_words = [words(t) for t in span_texts]
    all_words = {w for ws in span_words for w in ws}
    sims = span_vectors @ phrase_vectors.T if len(span_vectors) else np.zeros((0, len(phrases)))
    out = []
    for k, phrase in enumerate(phrases):
        mentioned = mentions(all_words, phrase)
        naming = [s for s, ws in enumerate(span_words) if mentioned and names_near(ws, phrase)]
        column = sims[:, k]
        if len(column) == 0:
            out.append(Assessment(phrase, 0.0, -1, False, mentioned))
            continue
        span = max(naming, key=lambda s: column[s]) if naming else int(column.argmax())
        out.append(
            Assessment(phrase, float(column.max()), span, bool(naming), mentioned, float(column[span]))
        )
    return out


def overlaps(a: str, b: str) -> bool:
    """True when the key words of one phrase are all among those of the other (near-duplicate skills)."""
    ka, kb = key_words(a), key_words(b)
    return has_words(ka, kb) or has_words(kb, ka)


def select_gaps(candidates: Sequence[tuple[Assessment, str]], limit: int) -> list[tuple[Assessment, str]]:
    """The first ``limit`` gaps among ``(assessment, label)`` pairs, in order, skipping near-duplicates."""
    out: list[tuple[Assessment, str]] = []
    for a, label in candidates:
        if len(out) < limit and a.gap and not any(overlaps(a.phrase, b.phrase) for b, _ in out):
            out.append((a, label))
    return out


def select_strengths(
    candidates: Sequence[tuple[Assessment, str]], limit: int
) -> list[tuple[Assessment, str]]:
    """Up to ``limit`` shown phrases: those the person named first, then by closeness; no near-duplicates."""
    shown = sorted((c for c in candidates if c[0].shown), key=lambda c: (not c[0].lexical, -c[0].cosine))
    out: list[tuple[Assessment, str]] = []
    for a, label in shown:
        if len(out) < limit and not any(overlaps(a.phrase, b.phrase) for b, _ in out):
            out.append((a, label))
    return out


def first_naming(texts: Sequence[str], phrase: str) -> int:
    """Index of the first text that holds all key words of ``phrase``, or -1."""
    keys = key_words(phrase)
    return next((i for i, t in enumerate(texts) if has_words(words(t), keys)), -1)


def most_naming(texts: Sequence[str], phrase: str) -> int:
    """Index of the text holding most key words of ``phrase`` (the first on ties), or -1 if none holds any."""
    keys = key_words(phrase)
    counts = [sum(has_words(words(t), [k]) for k in keys) for t in texts]
    return int(np.argmax(counts)) if counts and max(counts) > 0 else -1
