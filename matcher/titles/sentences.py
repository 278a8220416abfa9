"""Titles in prose: "I am a ... at ...", "worked as ...", the title that opens a line ("Registered nurse;
charting ..."), and the words of such a phrase that name the role (not a past job, not someone else's)."""

from __future__ import annotations

import re

from .dates import _DIGIT
from .lexicon import _abbreviations, _heads, _word_set, normalize_word, title_vocabulary
from .phrase import _DETERMINERS, _OF, _TOKEN, _student_office

_SENTENCE_TITLE = re.compile(  # the phrase is a lookahead: "as a nurse before joining Acme as PM" has two
    r"\b(?:I am|I'm|I work as|working as|worked as|work as|serve as|served as|serving as|as|am|been|became|currently)"
    r"\s+(?:(?:an?|the)\s+)?(?=((?:[A-Za-z][\w/&+#-]*\s+){0,5}[A-Za-z][\w/&+#-]*))",
)
_LEADING_TITLE = re.compile(  # "Registered nurse; charting ...", "Product manager — B2B", "Chef at ..."
    r"^\s*(?:\[NAME\]\s+)?((?:(?:" + _abbreviations().words + r")\.\s+)?"  # "Sr. Software Engineer"
    r"[A-Z][\w/&+#-]*(?:\s+[\w/&+#-]+){0,4}?)"
    r"\s*([,;:(–—]|\s-\s|\s(?:with|at|who|for|in|specializing|since)\b)"
)
_CLAUSE_BREAK = re.compile(r"[.,;:!?]|\b(?:and|but)\b")  # where the clause before a title's keyword starts


def _leading_title(line: str, first: bool) -> re.Match[str] | None:
    """The title that opens a line before a comma, dash, semicolon, a colon (on the ``first`` line only: a
    later "DevOps: Docker, AWS" labels a list) or a word like "with" or "at" ("IT support lead: tickets
    ...", "Account executive with 4 years ..."), unless a verb opens it ("Managed engineers in ...",
    "Hiring developers, ..."): an opening word in -ed or -ing is a title's ("Registered nurse", "Marketing
    manager") only when O*NET's titles have it and the head is singular."""
    m = _LEADING_TITLE.match(line)
    if m is None or (m.group(2) == ":" and not first):
        return None
    words = m.group(1).split()
    verb, last = words[0].lower(), words[-1].lower()
    if verb.endswith(("ed", "ing")) and (verb not in title_vocabulary() or normalize_word(last) != last):
        return None
    return m


def _cut_at_stop(phrase: str) -> tuple[int, str]:
    """The words of a sentence's title phrase before a pronoun, a conjunction or a possessive ("ICU nurse I
    moved into health" → "ICU nurse", "nurse before joining Acme" → "nurse", "act as the CEO's gatekeeper"
    → none: the CEO is someone else), after a leading "now a" or "currently
    the" ("am now a software engineer" → "software engineer"), and where they start in ``phrase``."""
    words = list(_TOKEN.finditer(phrase))
    skip = _word_set("still_words") | {"a", "an", "the"}
    stops = _word_set("sentence_title_stops")
    first = 0
    while first < len(words) and words[first].group().lower() in skip:
        first += 1
    end = next(
        (
            k
            for k in range(first, len(words))
            if words[k].group().lower() in stops or _possessive(words[k].group())
        ),
        len(words),
    )
    if first >= end:
        return 0, ""
    return words[first].start(), phrase[words[first].start() : words[end - 1].end()]


def _not_a_role(line: str, m: re.Match[str]) -> bool:
    """ "as well as DevOps", "such as SQL", "as of 2020", "as per the standards": an "as" that introduces
    no role."""
    if not m.group(0).lower().startswith("as"):
        return False
    before = line[max(0, m.start() - 12) : m.start()].lower().split()[-1:]
    return before in (["well"], ["such"]) or m.group(1).split()[0].lower() in (
        "well",
        "of",
        "part",
        "such",
        "per",
    )


def _past(line: str, at: int) -> bool:
    """Whether the title phrase whose keyword starts at ``line[at]`` names a past job. Only the clause before
    the keyword counts (back to the last ``.,;:!?``, "and" or "but"): a past marker in it with no "now",
    "currently" or a verb of moving on after it ("After eight years as ...", "previously served as ...";
    not "before joining Acme as ...", "I was previously a teacher and am now ..."), or "worked as" / "served
    as" unless "have" comes before it or "present", "since" or "now" after it ("Worked as a nurse, 2018 –
    Present")."""
    clause = _CLAUSE_BREAK.split(line[max(0, at - 80) : at].lower())[-1]
    before = [w.strip("()") for w in clause.split()][-6:]
    keyword = line[at : at + 10].lower()
    perfect, still = _word_set("perfect_auxiliaries"), _word_set("still_words")
    if keyword.startswith(("worked as", "served as")) or (
        keyword.startswith("as") and before[-1:] in (["worked"], ["served"])
    ):
        after = set(re.findall(r"[a-z]+", line[at : at + 160].lower()))  # the dates that follow
        return not any(w in perfect for w in before[-3:]) and not after & still
    last = max((k for k, w in enumerate(before) if w in _word_set("past_markers")), default=None)
    if last is None:
        return False
    moving_on = still | _word_set("moving_on_verbs")
    if any(w in moving_on or w in ("last", "past") for w in before[last + 1 :]):
        return False  # "before joining Acme as ...", "spent the last four years as ...", "... now work as"
    return not any(w in perfect for w in before[max(0, last - 2) : last])  # "I have spent"


def _trim_sentence_title(phrase: str) -> str:
    """ "senior product manager at Acme for" → "senior product manager": the words up to the last head word."""
    words = phrase.split()
    heads = _heads()
    if _student_office([w.lower() for w in words]):
        return phrase  # whole, for ``_head`` to turn down: not "President of Mechanical"

    def is_head(word: str) -> bool:
        return normalize_word(re.split(r"[/-]", word)[-1]) in heads

    for k in range(len(words), 0, -1):
        if k >= 3 and words[k - 2].lower() in _OF and is_head(words[k - 3]):  # "Head of Growth"
            if words[k - 1].lower() in _DETERMINERS or _DIGIT.search(words[k - 1]):
                return " ".join(words[: k - 2])  # "CEO of a drone company", "founder of 3 companies"
            while (
                k < len(words) and words[k - 1][-1] not in ",.;:" and _function_word(words[k], words[k + 1 :])
            ):
                k += 1  # "Director of Strategic Planning", "Head of Sales and Marketing"
            return " ".join(words[:k])
        if is_head(words[k - 1]):
            return " ".join(words[:k])
    return phrase


def _function_word(word: str, after: list[str]) -> bool:
    """A word that goes on naming the function after "Head of ...": a word of O*NET's titles that is no
    preposition ("Director of Strategic Planning at Acme" ends before "at"), or "and"/"&" before one."""
    low = word.lower().strip(",.;:")
    if low in _word_set("no_title_openings") or _DIGIT.search(low):
        return False
    if low in ("and", "&"):
        return word == low and bool(after) and _function_word(after[0], [])
    return normalize_word(low) in title_vocabulary()


def _possessive(word: str) -> bool:
    """ "CEO's", "team’s": a word that names whose, not who."""
    return word.lower().rstrip(".,;:").endswith(("'s", "’s"))


def _before_possessive(phrase: str, after: str) -> str:
    """The phrase without its last word when ``after`` (what follows it) makes that word a possessive: "act
    as the CEO's gatekeeper" names no title, "as product manager for the company's app" names one."""
    if not after.lower().startswith(("'s", "’s")):
        return phrase
    return phrase[: phrase.rfind(" ") + 1] if " " in phrase else ""
