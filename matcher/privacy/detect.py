"""Finding the person's name in a text: the name patterns and the rules that say where a name stands (a
"Name:" line, the top line, a name before a title on the first line, a bio's opening words, a known first
name with a surname, names in context). ``_find_names`` returns the names that ``mentions`` replaces."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ..titles import normalize_word, title_vocabulary, title_words
from .contacts import PLACEHOLDERS
from .lexicon import _NAME_WORDS, _SENTENCE_OPENERS, FIRST_NAMES
from .words import (
    _is_job_title,
    _is_name,
    _leading_name_words,
    _lone_first_name,
    _looks_like_name,
    _mailbox_pieces,
    _mailed,
    _single_name,
    _untitled_name,
)

_LABELLED_NAME = re.compile(r"(?im)^[ \t]*(?:full[ \t]+)?name[ \t]*[:\-–][ \t]*(\S[^\n]{0,80})$")


def _one_of(words: Iterable[str]) -> str:
    """A regular expression for exactly one of ``words``, as a trie ("Ann(?:a)?|Mar(?:ia|k)"): a position is
    tried against the few words that start like it, not against each word in turn."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(rest) for ch, rest in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


# A first name (all are words of letters) is followed by a space, so at most one can start a match at a
# given place and the order in which the trie tries them does not matter.
_KNOWN_FULL_NAME = re.compile(
    r"(?<![\w\[-])(?:" + _one_of(FIRST_NAMES) + r")"
    r"(?: [A-Z]\.)? [A-Z][^\W\d_]*(?:[-'’][A-Z][^\W\d_]*)?(?![\w-])"
)
_BIO_VERBS = (
    "is|was|has|had|works|worked|leads|led|runs|ran|manages|managed|joined|spent|brings|holds|started|began"
    "|serves|served|owns|builds|built|helps|heads|founded|co-founded|cofounded|specialises|specializes"
    "|now|currently|invests|advises|teaches|writes|designs|develops|sells|supports|grew|scaled|launched"
)
_BIO_OPENING = re.compile(  # "Maria Garcia is ...", "Oluwaseun Adeyemi's team ..." at the very start
    rf"\s*((?:[^\W\d_][^\s,;:()\[\]]* ){{0,3}}[^\W\d_][^\s,;:()\[\]'’]*)(?=['’]s\b|\s(?:{_BIO_VERBS})\b)"
)
_WHOSE = r"\b(?:[Oo]ur|[Mm]y|[Tt]heir|[Tt]he)\s+"  # "Our lead, ...", "My manager, ..."
_APPOSITIVE = re.compile(  # "Our lead, Ngozi, ..." / "Meet Ngozi, ..." : a single name set off by commas
    _WHOSE
    + r"[a-z][\w-]*(?:\s+[a-z][\w-]*)?,\s+([^\W\d_][^\s,;:()\[\]]*),|\bMeet\s+([^\W\d_][^\s,;:()\[\]]*)\b"
)
_NAME_WORD = r"[^\W\d_][^\s,;:()\[\]'’.!?]*"
_INTRODUCTION = re.compile(  # "My name is Greg and ...", "Hi, I'm Aroha, a backend engineer ..."
    rf"\b[Mm]y name(?: is|['’]s)\s+(?=({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}))"
    rf"|\bI(?:['’]m| am)\s+(?=({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}),\s+(?:a|an)\s)"
)
_PERSON_VERB = _one_of(_NAME_WORDS["person_verbs"])  # what only a person does as a sentence's subject
_SHARED_VERB = _one_of(_NAME_WORDS["shared_verbs"])  # what tools and companies do too: "runs", "hired"
_ADVERB = _one_of(_NAME_WORDS["subject_adverbs"])  # "Keanu also mentors ..."
_PERSON_PHRASE = _one_of(_NAME_WORDS["person_phrases"])  # "Keanu is passionate about ...", "... has spent"
_LATER_SUBJECT = re.compile(  # "... in sales. Keanu closes deals", "Keanu now leads ...", "Keanu runs ..."
    rf"(?:[.!?][ \t]+|\n[ \t]*)({_NAME_WORD}(?: (?!(?:{_ADVERB}) ){_NAME_WORD})?)"
    rf"(?= (?:(?:{_ADVERB}) )?(?:{_PERSON_PHRASE}|{_PERSON_VERB}|({_SHARED_VERB}))\b)"
)
_ASIDE = re.compile(  # "Our lead engineer, Zhang Wei, runs ..." (a one-word aside is ``_APPOSITIVE``'s)
    rf"{_WHOSE}((?:[a-z][\w-]*\s+)?[a-z][\w-]*),\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),"
)
_FIRST_LINE = re.compile(r"([^\n]*)\n\s*\S")
_TITLE_END = re.compile(r"[.;:,(|•·–—]|\s(?:at|with|for|in|@)\s")  # "Product Manager at Xero, ..."
_NAME_SEPARATORS = re.compile(r"(?<!\s)\s+(?:\||•|·|–|—|-)\s+|,\s*")  # from a run's first space: linear


def _find_names(text: str, counts: Counter[str], mailboxes: Sequence[str] = ()) -> tuple[str, list[str]]:
    """The text with a "Name:" line's or the top line's name replaced, and the names found, each once: that
    one, a name that runs on into a title on the first line, a bio's opening words, a known first name with
    a surname, names in context. ``mailboxes``: the local parts of the text's e-mail addresses."""
    names: list[str] = []

    def labelled(m: re.Match[str]) -> str:
        value = m.group(1).strip()
        if not _looks_like_name(value, allow_single=True):
            return m.group(0)
        names.append(value)
        counts["name"] += 1
        return m.group(0)[: m.start(1) - m.start(0)] + PLACEHOLDERS["name"]

    text = _LABELLED_NAME.sub(labelled, text)
    # a name line has more text below it (matched from its first character: "\s*" first would backtrack
    # through a long run of white space once per character)
    first = _FIRST_LINE.match(text, len(text) - len(text.lstrip()))
    if first and first.group(1):
        head = _NAME_SEPARATORS.split(first.group(1).strip(), maxsplit=1)[0].strip()
        lone = head == first.group(1).strip() and _lone_first_name(head)
        if _looks_like_name(head) or lone:
            start = first.start(1) + first.group(1).index(head)
            text = text[:start] + PLACEHOLDERS["name"] + text[start + len(head) :]
            if not lone or head in FIRST_NAMES:  # a lone word that may be a skill stays in the body
                names.append(head)
            counts["name"] += 1
    if not names and (header := _name_before_title(text, mailboxes)):
        names.append(header)
    opening = _BIO_OPENING.match(text)  # "Maria Garcia is a product manager ...", "Ngozi founded ..."
    if opening and not opening.group(1).isupper():
        value = opening.group(1)
        if _is_name(value):
            names.append(value)
    appositives = (
        _APPOSITIVE.finditer(text) if text.count(",") >= 2 or "Meet" in text else ()
    )  # what each needs
    for m in appositives:
        value = m.group(1) or m.group(2)
        if _single_name(value):
            names.append(value)
    for m in _KNOWN_FULL_NAME.finditer(text):  # "... Ravi Menon owns the product lifecycle"
        if _looks_like_name(m.group()):
            names.append(m.group())
    names += _names_in_context(text)
    return text, list(dict.fromkeys(names))


def _names_in_context(text: str) -> list[str]:
    """Names that their place in a sentence gives away, whatever the culture: a person introducing
    themselves ("My name is Greg and ...", "Hi, I'm Aroha, a ..."), the subject of a later sentence doing
    what only people do ("... in sales. Keanu closes enterprise deals", "Keanu also mentors ...") or, when
    it is a known first name, what tools do too ("Keanu runs the team", not "Kubernetes runs ..."), unless
    the text also writes the word in lower case ("Procurement"); and a name of two or three words set off
    by commas after a job word ("Our lead engineer, Zhang Wei, runs ...")."""
    names = []
    for m in _INTRODUCTION.finditer(text):
        said = (m.group(1) or m.group(2)).split()
        words = _leading_name_words(said)
        if words and (m.group(1) or len(words) == len(said)):  # after "I'm" the whole name, then ", a"
            names.append(" ".join(words))
    subjects = [(m.group(1), m.group(2)) for m in _LATER_SUBJECT.finditer(text)]
    if subjects:
        lower = _lower_words(text)
        for value, shared_verb in subjects:
            words = value.split()
            if value.isupper() or any(w.lower() in lower or w.lower() in _SENTENCE_OPENERS for w in words):
                continue  # "SUMMARY Leads ...", or a word the text also writes in lower case
            if shared_verb and words[0] not in FIRST_NAMES:
                continue  # "Kubernetes runs the cluster", "Acme hired me"
            if _is_name(value):
                names.append(value)
    if "," in text:
        for m in _ASIDE.finditer(text):
            if any(normalize_word(w) in title_words() for w in m.group(1).split()) and _looks_like_name(
                m.group(2)
            ):
                names.append(m.group(2))
    return names


def _name_before_title(text: str, mailboxes: Sequence[str]) -> str | None:
    """The name that opens a text and runs on into a title on the same line, as when a resume's header
    lost its line breaks ("RACHEL GOLDBERG Senior Product Marketing Manager · ..."): its first two (or,
    when an e-mail address has the third, three) words, when they look like a name and an e-mail address
    has one of them ("rgoldberg@", "rachel.goldberg@") or the first is a common first name.

    A job-title word ("Certified", "Senior", "Walker") is a name word only where an address has it, or
    in the two places a name puts one: the first name before a surname the address has ("Seo Okafor",
    n.okafor@), or a surname that is a head word ("Xyla Walker") between a first name the address has
    (or a common one) and a title ("Senior Accountant")."""
    words = text.lstrip().split("\n", 1)[0].split(None, 4)
    pieces = _mailbox_pieces(mailboxes)
    for n in (3, 2):
        if len(words) <= n or not _looks_like_name(" ".join(words[:n])):
            continue
        candidate = words[:n]
        mailed = [_mailed(w, pieces) for w in candidate]
        if "".join(w.lower() for w in candidate) in pieces:  # rachelgoldberg@
            mailed = [True] * n
        if n == 3 and not mailed[2]:
            continue  # the third word may be the title's first: "Jane Doe Senior ..."
        keys = [normalize_word(w) for w in candidate]
        head = [k in title_words() for k in keys]
        titled = [h or k in title_vocabulary() for h, k in zip(head, keys)]
        strong = [m and not t for m, t in zip(mailed, titled)]  # "okafor" in n.okafor@
        known = candidate[0].capitalize() in FIRST_NAMES
        before_title = normalize_word(words[n]) in title_vocabulary()

        allowed = [
            mailed[i]
            or not titled[i]
            or (i == 0 and not head[0] and strong[-1])
            or (i == n - 1 and head[i] and (strong[0] or known) and before_title)
            for i in range(n)
        ]
        if all(allowed) and (any(mailed) or known):
            return " ".join(candidate)
    return _name_before_plain_title(text) or _name_before_separated_title(text)


def _name_before_separated_title(text: str) -> str | None:
    """The 1-3 words that open a one-line bio before a separator and a job title ("Tane Whaanga — Product
    Manager. Tane owns ..."), when each is a name word and no title, skill or heading word (``_untitled_name``),
    the text never writes one in lower case, and they are a person's: the first is a known first name, or one
    comes back as the subject of a later sentence ("Tane owns ..."). A company, a tool or a place opens such a
    line as often ("Netflix | Data Engineer | 2019", "Epic — Clinical Analyst. I build Epic order sets")."""
    header = _header_parts(text)
    if header is None:
        return None
    words, title = header[0].split(), header[1]
    if not 1 <= len(words) <= 3 or not _untitled_name(words[-1]):
        return None
    if not all(_untitled_name(w) for w in words[:-1]) and not _looks_like_name(header[0]):
        return None  # a first name that is also a title word is one before a surname ("Seo Okafor")
    if not _is_job_title(_TITLE_END.split(title, maxsplit=1)[0].split()):
        return None
    lower = _lower_words(text)
    if any(w.lower() in lower for w in words):
        return None
    if words[0] in FIRST_NAMES or any(_later_subject(text, w) for w in words):
        return " ".join(words)
    return None


def _header_parts(text: str) -> tuple[str, str] | None:
    """The text's first line split at its first separator (``_NAME_SEPARATORS``): what opens it and the rest."""
    line = text.lstrip().split("\n", 1)[0].strip()
    parts = _NAME_SEPARATORS.split(line, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _lower_words(text: str) -> frozenset[str]:
    """The words ``text`` writes in lower case: a capitalised one it also writes so is no name ("Procurement")."""
    return frozenset(w for w in re.findall(r"[^\W\d_]+", text) if w.islower())


def _later_subject(text: str, word: str) -> bool:
    """Whether a later sentence opens with ``word`` and a lower-case word ("... payments. Tane owns ...")."""
    return re.search(rf"(?:[.!?][ \t]+|\n[ \t]*){re.escape(word)}[ \t]+[a-z]", text) is not None


def _name_before_plain_title(text: str) -> str | None:
    """Without an address or a known first name: the 1-3 words that open a resume's header line, up to a job
    title that runs to a separator ("Aroha Senior Product Marketing Manager · Auckland"), when none of them is
    a title, skill or heading word ("Energy Analyst", "Linux System Administrator") and none comes back
    elsewhere in the text, as a skill does ("Oracle Certified DBA ... Oracle RAC"). A line without a
    separator is a headline, whose first word is more often an adjective ("Visionary Product Leader")."""
    header = _header_parts(text)
    if header is None:
        return None
    words = header[0].split()
    lead = 0
    while lead < min(3, len(words) - 1) and _untitled_name(words[lead]):
        lead += 1
    if not lead or not _is_job_title(words[lead:]):
        return None
    low = text.lower()
    if any(low.count(w.lower()) > 1 for w in words[:lead]):
        return None
    return " ".join(words[:lead])
