"""Personal data out before embedding: e-mails, phones, street addresses, URLs and the person's name.

Contact details and names say nothing about which role fits, so they must not shape the match
(a rare name alone moved role scores by up to 0.6 before this step), and they should not be
echoed back as evidence. ``redact`` replaces them with placeholders ([EMAIL], [PHONE], [ADDRESS],
[URL], [NAME]). It is pure, linear-time (bounded patterns only) and conservative: dates
("2019 - 2021"), versions, "5+ years", "C++", "C#", ".NET", percentages and plain numbers are
left alone. Names are found where that is reliable: a "Name:" line, a top line of 2-4
capitalised words that are not role or heading words, a name that runs on into a title on the first
line when an e-mail address has one of its words ("RACHEL GOLDBERG Senior ... rgoldberg@...") or none of
its words is a title, skill or heading word ("Aroha Senior Product Manager · Auckland"), a one-line bio
that opens with a name, a separator and a title ("Tane Whaanga — Product Manager. Tane owns ..."), a bio
that opens "Jane Doe is ...", or a common first name (``FIRST_NAMES``, from ``data/names.txt``)
followed by a surname, and names that their place in a sentence gives away ("My name is ...", "I'm
Aroha, ...", "... Keanu closes enterprise deals", "Our lead engineer, Zhang Wei, ..."); every later mention
of that name or its parts goes too. Other names (an unusual first name elsewhere in mid-text) stay.

The stage is a small package: ``contacts`` (e-mails, URLs, addresses, phones; ``PLACEHOLDERS``), ``lexicon``
(the word lists of ``data/names.txt``), ``words`` (word-level name rules), ``detect`` (where a name stands)
and ``mentions`` (replacing a name and its later mentions); ``redact`` and ``person_names`` are here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# The private names not used here are re-exported: the tests read them from ``matcher.privacy``
# (tests/legacy_text.py, tests/test_privacy_prefilter.py, tests/test_text_equivalence.py).
from .contacts import (  # noqa: F401
    _ADDRESS,
    _DIGIT,
    _EMAIL,
    _LABELLED,
    _PHONE,
    _URL,
    _URL_MARKS,
    _US_CITY_ZIP,
    PLACEHOLDERS,
    _is_phone,
    _redact_contacts,
    _sub,
    _trim_url,
)
from .detect import (  # noqa: F401
    _APPOSITIVE,
    _BIO_OPENING,
    _KNOWN_FULL_NAME,
    _LABELLED_NAME,
    _NAME_SEPARATORS,
    _find_names,
)
from .lexicon import _HONORIFIC, _NOT_NAME, FIRST_NAMES  # noqa: F401
from .mentions import _redact_name
from .words import _looks_like_name, _single_name  # noqa: F401

__all__ = ["Redacted", "redact", "person_names", "PLACEHOLDERS", "FIRST_NAMES"]


@dataclass(frozen=True)
class Redacted:
    """The redacted text and how many items of each kind were replaced (``{"email": 1, ...}``)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def redact(text: str) -> Redacted:
    """Replace e-mails, URLs, phone numbers, street addresses and the person's name with placeholders.

    Pure function of ``text``; returns the new text and the number of replacements per kind.
    Running it twice changes nothing more.
    """
    counts: Counter[str] = Counter()
    text, mailboxes = _redact_contacts(text, counts)
    text = _redact_name(text, counts, mailboxes)
    return Redacted(text, {k: v for k, v in counts.items() if v})


def person_names(text: str) -> list[str]:
    """The names ``redact`` replaces in ``text`` (each with every mention of it and of its parts), without
    honorifics, in the order found: a "Name:" line's or the top line's first; ``[]`` when there is none.
    For the fairness check, which swaps the person's name for others (``fairness.swap_variants``)."""
    counts: Counter[str] = Counter()
    text, mailboxes = _redact_contacts(text, counts)
    names = [
        [w for w in name.split() if w.lower() not in _HONORIFIC]
        for name in _find_names(text, counts, mailboxes)[1]
    ]
    return [" ".join(words) for words in names if words]
