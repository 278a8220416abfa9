"""Explain stage: which corpus passages tie the person's text to a role, and which of the
person's sentences drove the match. Pure numpy over precomputed vectors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import islice
from pathlib import Path

import numpy as np
import yaml

from .corpus import Passage, split_sentences
from .embed import EncodedText
from .index import CorpusIndex
from .rank import occupation_similarity, remembered_by_titles, title_similarity
from .textproc import PLACEHOLDER, Span, too_little_text
from .titles import _headings, job_nouns, normalize_word

PERSON_WEIGHT = 0.5  # quote score = 0.5 · closeness to the person + 0.5 · closeness to the role
DUPLICATE_COSINE = 0.9
MIN_QUOTE_WORDS = 8  # a shorter passage is a heading or a table cell ("Technical execution and UX design")
MIN_CONTENT_WORDS = 4  # a sentence without a verb says something with this many content words
HEADING_WORDS = 4  # a section heading has at most this many words ("Areas of Expertise", "WORK HISTORY:")
LIST_ITEM_WORDS = 4  # an item of a list of skills has at most this many ("contract drafting and negotiation")


def rank_quotes(doc: EncodedText, index: CorpusIndex, role: int, k: int = 3) -> list[tuple[int, float, int]]:
    """Up to ``k`` grounded passages for ``role``: ``(passage index, score, best sentence index)``.

    Only passages that read as prose are quoted (``quote_columns``). Near-duplicate passages (cosine > 0.9
    to one already chosen) are skipped. The best sentence is one at the text's best evidence level
    (``best_evidence``).
    """
    grounded = np.flatnonzero(index.grounding[:, role])
    if grounded.size == 0 or k <= 0:
        return []
    prose = quote_columns(index, grounded)
    grounded = grounded[prose]
    vectors = index.passage_vectors[grounded]
    person = person_passages(doc, index, role)[:, prose]  # (n_spans, n_quotable)
    best_span = np.where(best_evidence(doc)[:, None], person, -np.inf).argmax(axis=0)
    score = PERSON_WEIGHT * person.max(axis=0) + (1 - PERSON_WEIGHT) * (vectors @ index.role_vectors[role])
    chosen: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        if all(float(vectors[i] @ vectors[j]) <= DUPLICATE_COSINE for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return [(int(grounded[i]), float(score[i]), int(best_span[i])) for i in chosen]


def quote_columns(index: CorpusIndex, grounded: np.ndarray) -> np.ndarray:
    """``(len(grounded),)`` bool: which of the passages ``grounded`` (those grounding a role) may be
    quoted: the ones that read as prose (``index.quotable``), or all of them when none does."""
    if index.quotable is None:
        return np.ones(len(grounded), dtype=bool)
    prose = index.quotable[grounded]
    return prose if prose.any() else np.ones(len(grounded), dtype=bool)


def person_passages(doc: EncodedText, index: CorpusIndex, role: int) -> np.ndarray:
    """``(n_spans, n_grounded)``: cosine of each of the person's sentences to each passage grounding
    ``role`` (in passage order), worked out once per text and role: its quotes and its evidence read it."""
    vectors = index.passage_vectors
    return doc.remembered(
        f"person_passages:{role}",
        vectors,
        lambda: doc.span_vectors @ vectors[np.flatnonzero(index.grounding[:, role])].T,
    )


# ------------------------------------------------------------------------------ prose and fragments

_WORDS = yaml.safe_load((Path(__file__).with_name("data") / "prose.yaml").read_text(encoding="utf-8"))
_FUNCTION_WORDS = frozenset(_WORDS["function_words"])
_CLAUSE_WORDS = frozenset(_WORDS["clause_words"])
_DANGLING_WORDS = frozenset(_WORDS["dangling_words"])
_PHRASE_WORDS = _FUNCTION_WORDS - frozenset(_WORDS["list_joiners"])  # an item with one is a phrase
_PLACEHOLDER = PLACEHOLDER
_CONTACT = re.compile(r"\[(?:EMAIL|PHONE|ADDRESS|URL)\]")
_WORD_TAIL = re.compile(r"[^\W_]\S*")  # from a word's first letter or digit (``str.isalnum``) to its end
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, with inner apostrophes and hyphens
# a label, then a dash between spaces or a colon: of at most four words in a list item ("Engineering - Moving
# into…", "Leadership and Operations - Eg. …"), of one word (a field's name) in a resume ("company - own
# practice", "Role: Mechanism designer."; not a title line: "Operations Manager - 3PL logistics")
_LIST_LABEL = re.compile(r"\W*\w\S*(?:\s+\S+){0,3}?\s*(?::|\s[-–—])\s+")
_FIELD_LABEL = re.compile(r"\W*\w\S*?\s*(?::|\s[-–—])\s+")
_ENDS_SENTENCE = re.compile(r"(?<![.…])[.!?][\"'’”)\]]*\Z")  # not an ellipsis ("can be..") nor a colon
# a heading: words of letters between spaces, '&', '/', hyphens or apostrophes, and a colon at most after them
_HEADING = re.compile(r"[^\W\d_]+(?:[\s&/'’-]+[^\W\d_]+)*\s*:?")
_MAX_HEADING_CHARS = 80  # a longer line is no heading (and the pattern never reads a long one)
_SPACE = re.compile(r"\s*")
# what separates the items of a list: commas (not "1,500"), semicolons, pipes, bullets, dashes between spaces
_LIST_SEPARATOR = re.compile(r",(?!\d)|[;|·•▪◦●➢❖✓]|\s[-–—](?=\s)")


def is_quotable(text: str) -> bool:
    """Does a passage read as prose one can quote? Not when it has under ``MIN_QUOTE_WORDS`` words, ends
    without ending a sentence (a heading, a table cell, a list's lead-in "…the following reasons:", a cut
    "can be.."), is a ``Label - fragment`` list item, asks questions only, holds a sentence of one or two
    words ("Wait."), or ends on a dangling word ("…and the.")."""
    text = text.strip()
    if len(text.split()) < MIN_QUOTE_WORDS or not _ENDS_SENTENCE.search(text) or _LIST_LABEL.match(text):
        return False
    sentences = [text[s:e] for s, e in split_sentences(text)]
    if all(s.rstrip("\"'’”)]").endswith("?") for s in sentences):
        return False
    if any(not _has_words(s, 3) for s in sentences):
        return False
    return _WORD.findall(text)[-1].lower() not in _DANGLING_WORDS


def quotable_mask(passages: Iterable[Passage]) -> np.ndarray:
    """``(n_passages,)`` bool: ``is_quotable`` of each passage's text."""
    return np.array([is_quotable(p.text) for p in passages], dtype=bool)


def is_evidence(sentence: str) -> bool:
    """May one of the person's sentences be evidence? Not a line with a redacted contact detail
    (``[EMAIL]``, ``[PHONE]``, ``[ADDRESS]``, ``[URL]``), nor one of under three words (with a letter or
    digit) once ``[NAME]`` is set aside, nor a ``label - value`` / ``label: value`` fragment (a one-word
    label) whose value has under ``MIN_CONTENT_WORDS`` words ("company - own practice", "Role: Mechanism
    designer.")."""
    if _CONTACT.search(sentence):
        return False
    text = _PLACEHOLDER.sub(" ", sentence)
    if not _has_words(text, 3):
        return False
    label = _FIELD_LABEL.match(text)
    return label is None or _has_words(text[label.end() :], MIN_CONTENT_WORDS)


def _has_words(text: str, n: int) -> bool:
    """At least ``n`` words with a letter or digit (``_WORD_TAIL``: one match per such word), found lazily."""
    return next(islice(_WORD_TAIL.finditer(text), n - 1, None), None) is not None


def says_something(sentence: str) -> bool:
    """Does a sentence say something: a verb (a word of ``clause_words`` in ``data/prose.yaml``, or one
    in -ed) or at least ``MIN_CONTENT_WORDS`` content words (not function words; with a lower-case letter,
    so not acronyms)? "M.Tech (IT-DBS) B.Tech (CSE) SRM University" does not."""
    words = _WORD.findall(sentence)
    lower = [w.lower() for w in words]
    if _has_verb(lower):
        return True
    content = [
        w for w, low in zip(words, lower) if low not in _FUNCTION_WORDS and not w.isupper() and len(w) > 1
    ]
    return len(content) >= MIN_CONTENT_WORDS


def _has_verb(lower: list[str]) -> bool:
    """Whether one of the lower-cased words ``lower`` is a verb: a word of ``clause_words``, or one in -ed."""
    return any(
        w in _CLAUSE_WORDS or (len(w) > 3 and w.endswith("ed") and not w.endswith("eed")) for w in lower
    )


@cache
def _heading_words() -> frozenset[str]:
    """The words a section heading ends in, singular (``titles.normalize_word``): the section headings of
    ``data/titles.yaml`` (``not_head_words``, read by ``titles._headings``) and ``heading_words`` of
    ``data/prose.yaml``."""
    return frozenset(normalize_word(w) for w in _headings() | frozenset(_WORDS["heading_words"]))


def is_heading(line: str) -> bool:
    """Is ``line`` a section heading: at most ``HEADING_WORDS`` words, of letters only, the first one
    capitalised and the last one a heading word (``_heading_words``), none a clause word (``clause_words``),
    a colon at most after them ("SKILLS", "Professional Experience", "Areas of Expertise:"; not "Corporate
    strategy, M&A", nor "I lead the experience", a sentence broken over two lines)?"""
    line = line.strip()
    if not line or len(line) > _MAX_HEADING_CHARS or not line[0].isupper() or not _HEADING.fullmatch(line):
        return False
    words = _WORD.findall(line)
    if len(words) > HEADING_WORDS or any(w.lower() in _CLAUSE_WORDS for w in words):
        return False
    if any(normalize_word(w) in job_nouns() for w in words):
        return False  # a job title: "Head of Research", "Data Team Lead"
    return normalize_word(words[-1]) in _heading_words()


def heading_end(sentence: str) -> int:
    """Where the person's own words start in ``sentence``: after the section headings that open it, each
    alone on its line ("SUMMARY\\nStrategy consultant with…" → 8, the "S" of "Strategy"); 0 when no
    heading opens it, or when nothing but headings follows."""
    cut = 0
    while (newline := sentence.find("\n", cut)) >= 0 and is_heading(sentence[cut:newline]):
        after = _SPACE.match(sentence, newline).end()
        if after == len(sentence):
            break
        cut = after
    return cut


def evidence_span(doc: EncodedText, k: int) -> Span:
    """What evidence shows of the person's sentence ``k``: the sentence after the section headings that
    open it (``heading_end``), offsets moved with it, so it stays a piece of ``doc.text`` as every span is
    (``doc.text[s.start:s.end] == s.text``)."""
    span = doc.spans[k]
    cut = heading_end(span.text)
    return span if cut == 0 else Span(span.start + cut, span.end, span.text[cut:])


def is_word_list(text: str) -> bool:
    """Is ``text`` a list of skills or keywords rather than a statement: at least three items between
    commas, semicolons, pipes, bullets or spaced dashes (``_LIST_SEPARATOR``), two thirds of them short
    (at most ``LIST_ITEM_WORDS`` words, no function word but ``list_joiners``), and no verb (``_has_verb``)?
    "Corporate strategy, market sizing, M&A, SQL" and "Management Consultant | Corporate Strategy | Business
    Analysis" are; "Consultant with seven years advising clients in retail, consumer goods and private
    equity on growth strategy, pricing and M&A.", "Prepare board materials, coordinate the board calendar,
    take minutes and track follow-ups." and "Built models, cases, plans." are not."""
    pieces = _LIST_SEPARATOR.split(text)
    if len(pieces) < 3:  # fewer than three items: no list (most sentences stop here)
        return False
    items = [words for words in (_WORD.findall(item.lower()) for item in pieces) if words]
    if len(items) < 3 or _has_verb([w for words in items for w in words]):
        return False
    short = sum(len(words) <= LIST_ITEM_WORDS and _PHRASE_WORDS.isdisjoint(words) for words in items)
    return 3 * short >= 2 * len(items)


def evidence_level(sentence: str) -> int:
    """2: a statement, evidence that says something (``says_something``) and is neither a list of skills or
    keywords (``is_word_list``) nor a heading; 1: other evidence (a title line, a degree line, a list, a bare
    heading); 0: not evidence. Judged on what evidence shows: the sentence after the headings that open it
    (``heading_end``)."""
    shown = sentence[heading_end(sentence) :]
    if not is_evidence(shown):
        return 0
    return 1 if is_heading(shown) or not says_something(shown) or is_word_list(shown) else 2


def evidence_levels(doc: EncodedText) -> np.ndarray:
    """``(n_spans,)`` int8: ``evidence_level`` of each of the person's sentences, worked out once per text
    (quotes and evidence ask for every role shown)."""
    return doc.remembered(
        "evidence", None, lambda: np.array([evidence_level(s.text) for s in doc.spans], dtype=np.int8)
    )


def best_evidence(doc: EncodedText) -> np.ndarray:
    """``(n_spans,)`` bool: the person's sentences at the text's best evidence level (all of them when
    none is evidence): the sentences a quote is matched to."""
    levels = evidence_levels(doc)
    return levels == levels.max(initial=0)


def rank_evidence(doc: EncodedText, index: CorpusIndex, role: int, k: int = 3) -> list[tuple[int, float]]:
    """Up to ``k`` of the person's sentences that best support ``role``: ``(span index, score)``; what
    each shows is ``evidence_span`` (the sentence without the headings that open it).

    A sentence scores by its cosine to the role description and to the role's best passage. Only
    evidence is shown (``is_evidence``), statements (``evidence_level`` 2: not lists of skills, headings
    or title lines) first, by score; the rest only after every statement.
    """
    grounded = np.flatnonzero(index.grounding[:, role])
    to_role = doc.span_vectors @ index.role_vectors[role]
    to_passages = person_passages(doc, index, role).max(axis=1) if grounded.size else to_role
    score = 0.5 * to_role + 0.5 * to_passages
    levels = evidence_levels(doc)
    keep = [i for i in np.lexsort((-score, -levels)) if levels[i]]  # by level, then score, then position
    return [(int(i), float(score[i])) for i in keep[:k]]


def title_evidence(doc: EncodedText, index: CorpusIndex, role: int) -> tuple[int, int, float] | None:
    """The person's title closest to one of ``role``'s reference titles: ``(person title index,
    reference title index, cosine)``, or ``None`` when the text names no title (or there is no backbone)."""
    if not index.has_backbone or not doc.names_titles:
        return None
    owned = np.flatnonzero(index.title_roles[:, role] > 0)
    sims = title_similarity(doc, index)[:, owned]  # (n_titles, n_owned)
    if sims.size == 0:
        return None
    t, r = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return int(t), int(owned[r]), float(sims[t, r])


def title_occupation_similarity(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_occupations,)`` for a text that names a title: the best cosine of one of the person's titles
    to a reference title of each occupation (``-inf`` where the occupation has none)."""

    def compute() -> np.ndarray:
        refs = np.flatnonzero(index.title_occupations >= 0)
        sims = title_similarity(doc, index)[:, refs].max(axis=0)
        by_occ = np.full(len(index.occupation_vectors), -np.inf)
        np.maximum.at(by_occ, index.title_occupations[refs], sims)
        return by_occ

    return remembered_by_titles(doc, "title_occupation_similarity", index, compute)


def closest_outside(doc: EncodedText, index: CorpusIndex) -> tuple[int, float] | None:
    """The occupation outside the catalog closest to the text: ``(occupation index, cosine)``.

    A job title the person names counts as much as the whole text: the better of the two decides.
    """
    if not index.has_backbone:
        return None
    outside = index.occupation_weights.sum(axis=1) == 0
    if not outside.any():
        return None
    score = np.where(outside, occupation_similarity(doc, index), -np.inf)
    if doc.names_titles:
        score = np.where(outside, np.maximum(score, title_occupation_similarity(doc, index)), -np.inf)
    best = int(np.argmax(score))
    return best, float(score[best])


def named_outside(doc: EncodedText, abstain: bool) -> bool:
    """Whether a result names its closest occupation outside the catalog: only when it abstains, and
    not for a text too short to judge (one word, "Sales", is not an occupation's work)."""
    return bool(abstain) and not too_little_text(doc.text)
