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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .titles import normalize_word, title_vocabulary, title_words

__all__ = ["Redacted", "redact", "person_names", "PLACEHOLDERS", "FIRST_NAMES"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "address": "[ADDRESS]",
    "url": "[URL]",
    "name": "[NAME]",
}


@dataclass(frozen=True)
class Redacted:
    """The redacted text and how many items of each kind were replaced (``{"email": 1, ...}``)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --------------------------------------------------------------------------- patterns

_EMAIL = re.compile(
    r"(?<![\w.%+@-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}\b"
)
_TLDS = r"com|org|net|edu|gov|io|dev|me|co|uk|de|fr|nl|eu|info|app|ai|ca|au|in|ch|se|es|it|page|site|tech"
_DOMAIN = r"(?<![\w@/.-])(?:[a-z0-9][a-z0-9-]{0,62}\.){1,6}"  # lower case only: "ASP.NET" is not a site
_URL = re.compile(
    r"(?<![\w@/.-])(?:https?://|www\.)[^\s<>\"'|]{1,2000}"  # scheme or www.: everything up to a space
    rf"|{_DOMAIN}(?:{_TLDS})/[^\s<>\"'|]{{0,2000}}"  # linkedin.com/in/jane, github.com/jane
    rf"|{_DOMAIN}(?:com|org|net|edu|gov)\b(?![\w@.-])"  # jane-doe.com, not socket.io or Node.js
)
_URL_TRAILING = ".,;:!?)]}'\""
_URL_MARKS = ("://", "www.", "/", ".com", ".org", ".net", ".edu", ".gov")  # one is in every URL match
_DIGIT = re.compile(r"\d")  # every address and phone match has a digit (\d as in those patterns)

_PHONE = re.compile(r"(?<![\w+/.,-])(?:\+|\(\+?)?\d[\d \t().\-/]{5,22}\d(?![\w%+])")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

_STREET_SUFFIX = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Parkway|Pkwy"
    r"|Terrace|Ter|Circle|Cir|Highway|Hwy|Square|Sq|Crescent|Gardens|Grove|Mews"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    "|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_CAP = r"[A-Z][A-Za-z'’.\-]{0,30}"
_CITY = r"[A-Z][A-Za-z'’.\-]{1,30}(?: [A-Z][A-Za-z'’.\-]{1,30}){0,3}"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_UNIT = r"(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|#)\.? ?#?[\dA-Za-z\-]{1,6})?"
_TAIL = (  # ", Mountain View, CA 94043", ", London NW1 6XE", ", USA"
    rf"(?:,? {_CITY}(?:,? (?:{_US_STATES}) \d{{5}}(?:-\d{{4}})?|,? {_UK_POSTCODE})?)?"
    r"(?:,? (?:USA|US|U\.S\.A?\.|United States|UK|United Kingdom))?"
)
_EU_COMPOUND = r"(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|straat|laan|gracht|plein|vej|gatan|veien)"
_EU_PREFIX = (
    r"(?:Rue|rue|Avenue|Boulevard|Via|Viale|Corso|Piazza|Calle|Carrer|Plaza|Rua|Avenida|Paseo|Chemin|Quai)"
)
_EU_PARTICLE = r"(?:de|del|della|di|da|do|dos|la|le|les|des|du|von|van|der)"
_EU_TAIL = r"(?:,? (?:\d{4,5}|[A-Z]-\d{4,5}) [A-Z][A-Za-zÀ-ÿ\-]{1,30}(?: [A-Z][A-Za-zÀ-ÿ\-]{1,30})?)?"
_ADDRESS = re.compile(
    # US / UK: "221B Baker Street", "1600 Amphitheatre Pkwy, Mountain View, CA 94043"
    rf"(?<![\w.,-])\d{{1,6}}[A-Za-z]?,? (?:{_CAP} ){{1,4}}(?:{_STREET_SUFFIX})\b\.?{_UNIT}{_TAIL}"
    # German, Dutch, Nordic: "Hauptstraße 5, 10115 Berlin"
    rf"|(?<![\w-])[A-ZÄÖÜÅÆØ][A-Za-zÀ-ÿ\-]{{0,40}}{_EU_COMPOUND} \d{{1,4}}[a-z]?{_EU_TAIL}"
    # French, Italian, Spanish: "12 rue de Rivoli, 75001 Paris", "Via Roma 10, 00184 Roma" (needs a number)
    rf"|(?<![\w.,-])\d{{1,4}},? {_EU_PREFIX} (?:(?:{_EU_PARTICLE}|{_CAP}) ){{0,3}}{_CAP}{_EU_TAIL}"
    rf"|(?<![\w-]){_EU_PREFIX} (?:(?:{_EU_PARTICLE}|{_CAP}) ){{0,3}}{_CAP},? \d{{1,4}}[a-z]?\b{_EU_TAIL}"
)
_US_CITY_ZIP = re.compile(rf"(?<![\w])(?:{_CITY}), (?:{_US_STATES}) \d{{5}}(?:-\d{{4}})?\b")
# What every match of those holds (a street word after a space, "straße 5", "Rue "; ", CA 94043"): cheap
# searches that let a text without any skip the full patterns.
_ADDRESS_HINTS = (
    re.compile(rf" (?:{_STREET_SUFFIX})\b"),
    re.compile(rf"{_EU_COMPOUND} \d"),
    re.compile(rf"{_EU_PREFIX} "),
)
_US_CITY_ZIP_HINT = re.compile(r", [A-Z]{2} \d{5}")
_LABELLED = re.compile(
    r"(?im)^[ \t]*(?:home |postal |mailing |street )?address[ \t]*[:\-–][ \t]*(\S[^\n]{0,200})$"
)
_LABELLED_NAME = re.compile(r"(?im)^[ \t]*(?:full[ \t]+)?name[ \t]*[:\-–][ \t]*(\S[^\n]{0,80})$")

_NAMES_FILE = Path(__file__).with_name("data") / "names.txt"


def _name_words(path: Path = _NAMES_FILE) -> dict[str, frozenset[str]]:
    """The ``[section]`` word lists of ``data/names.txt`` (words split on white space, ``#`` comments; in a
    ``[..._phrases]`` section each line is one phrase)."""
    sections: dict[str, set[str]] = {}
    current = None
    phrases = False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
            phrases = line[1:-1].endswith("_phrases")
        elif line and current is not None:
            current.update([" ".join(line.split())] if phrases else line.split())
    return {name: frozenset(words) for name, words in sections.items()}


_NAME_WORDS = _name_words()
FIRST_NAMES: frozenset[str] = _NAME_WORDS["first_names"]  #: "First Surname" anywhere is the person's name
_NOT_NAME = _NAME_WORDS["not_name"]  # words that mark a line as a heading or a role, not a name
_HONORIFIC = _NAME_WORDS["honorifics"]
_BEFORE_TITLE = _NAME_WORDS["before_title"]  # "Linux", "Salesforce", "Dutch", "Interim": never a name there
_SENTENCE_OPENERS = _NAME_WORDS["sentence_openers"]  # never a name where the new rules look for one
_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "La", "Le", "Van", "O'", "O’", "D'", "D’")


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
_ASCII_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"  # \w in ASCII
_BEFORE_NAME = frozenset(_ASCII_WORD_CHARS + "[-")  # what may not stand just before a mention
_AFTER_NAME = frozenset(_ASCII_WORD_CHARS + "]-")  # and just after it
_FIRST_LINE = re.compile(r"([^\n]*)\n\s*\S")
_TITLE_END = re.compile(r"[.;:,(|•·–—]|\s(?:at|with|for|in|@)\s")  # "Product Manager at Xero, ..."
_NAME_SEPARATORS = re.compile(r"(?<!\s)\s+(?:\||•|·|–|—|-)\s+|,\s*")  # from a run's first space: linear


# --------------------------------------------------------------------------- public


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


# --------------------------------------------------------------------------- helpers


def _redact_contacts(text: str, counts: Counter[str]) -> tuple[str, tuple[str, ...]]:
    """E-mails, URLs, addresses and phone numbers replaced; also the local parts of the e-mail addresses."""
    # A pattern is skipped when the text lacks what every match needs ("@", a digit, a URL's marks);
    # placeholders add none of these, so checking the input once is enough: the result is unchanged.
    mailboxes: tuple[str, ...] = ()
    if "@" in text:
        mailboxes = tuple(m.group().split("@", 1)[0].lower() for m in _EMAIL.finditer(text))
        text = _sub(_EMAIL, "email", text, counts)
    if any(mark in text for mark in _URL_MARKS):
        text = _sub(_URL, "url", text, counts, fix=_trim_url)
    text = _sub(_LABELLED, "address", text, counts, group=1)
    if _DIGIT.search(text):
        if any(hint.search(text) for hint in _ADDRESS_HINTS):
            text = _sub(_ADDRESS, "address", text, counts)
        if _US_CITY_ZIP_HINT.search(text):
            text = _sub(_US_CITY_ZIP, "address", text, counts)
        text = _sub(_PHONE, "phone", text, counts, keep=_is_phone)
    return text, mailboxes


def _sub(
    pattern: re.Pattern[str],
    kind: str,
    text: str,
    counts: Counter[str],
    *,
    group: int = 0,
    keep=None,
    fix=None,
) -> str:
    placeholder = PLACEHOLDERS[kind]
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        start, end = m.span(group)
        if fix is not None:
            end = start + len(fix(text[start:end]))
        if end <= start or (keep is not None and not keep(text[start:end])) or text[start:end] == placeholder:
            continue
        out.append(text[pos:start])
        out.append(placeholder)
        counts[kind] += 1
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _trim_url(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _is_phone(candidate: str) -> bool:
    """Tell a phone number from dates, ranges, versions, IP addresses and plain numbers."""
    digits = sum(ch.isdigit() for ch in candidate)
    international = candidate.startswith(("+", "(+", "00"))
    if not (8 if international else 9) <= digits <= 15:
        return False
    if candidate.count("(") != candidate.count(")") or candidate.count("/") > 1:
        return False
    if re.search(r"\s[-–]\s|--|\.\.|[.\-/]\s|\s[.\-/]", candidate) or _IPV4.fullmatch(candidate):
        return False  # "2019 - 2021", "1.. 2", "10.0.0.1"
    groups = re.findall(r"\d+", candidate)
    if len(groups) == 1:
        return international  # a plain number unless written as +447700900461
    if any(len(g) < 2 for g in groups[1:]) and not (international and len(groups[0]) <= 3):
        return False  # versions and ISBNs have one-digit parts; "+1 (555) ..." is fine
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # a list of years
    thousands = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    if not international and "(" not in candidate and thousands:
        return candidate.startswith("0")  # "1 234 567 890" is a number; "020 794 6095" a phone
    # dotted phones are 555.123.4567; anything else dotted is a version
    return "." not in candidate or international or len(groups) == 3


def _redact_name(text: str, counts: Counter[str], mailboxes: Sequence[str] = ()) -> str:
    """The person's name (``_find_names``), then every later mention of the full name or of its parts."""
    text, names = _find_names(text, counts, mailboxes)
    for name in names:
        text = _replace_mentions(text, name, counts)
    return text


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


def _leading_name_words(words: list[str]) -> list[str]:
    """The words that open ``words`` and may be a name (capitalised, not a role, heading or title word)."""
    out = []
    for word in words:
        if not _single_name(word) or word.lower() in _SENTENCE_OPENERS:
            break
        out.append(word)
    return out


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


def _is_job_title(words: list[str]) -> bool:
    """1-6 words of O*NET's job titles ending in a head word ("Senior Product Manager")."""
    title = [normalize_word(w) for w in words]
    if not title or len(title) > 6 or title[-1] not in title_words():
        return False
    return all(w in title_vocabulary() or w in title_words() for w in title)


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


def _untitled_name(word: str) -> bool:
    """A name word that is no title, heading or skill word (``_single_name``, ``[before_title]``) nor any word
    of a job title, nor one that opens a sentence; one word ("Front-End", "Part-Time" are not names), and
    not one that ends in "ed" ("Connected", "Managed"), unless it is a known first name ("Ahmed")."""
    if word in FIRST_NAMES:
        return True
    if not _single_name(word) or "-" in word or word.lower() in _SENTENCE_OPENERS or word.endswith("ed"):
        return False
    return normalize_word(word) not in title_vocabulary() and word.lower() not in _BEFORE_TITLE


def _mailbox_pieces(mailboxes: Sequence[str]) -> frozenset[str]:
    """The words of e-mail local parts: "rachel.goldberg" → rachel, goldberg; "j_doe99" → j, doe."""
    return frozenset(p for box in mailboxes for p in re.split(r"[^a-z]+", box.lower()) if p)


def _mailed(word: str, pieces: frozenset[str]) -> bool:
    """``word`` is a piece of an address, or one with an initial before or after it ("rgoldberg", "yli")."""
    w = word.lower()
    if len(w) < 2 or not w.isalpha():
        return False
    return w in pieces or any(len(p) == len(w) + 1 and (p[1:] == w or p[:-1] == w) for p in pieces)


def _replace_mentions(text: str, name: str, counts: Counter[str]) -> str:
    """Replace the full name, then each of its words (capitalised, 3+ letters; any length in a script
    without capitals) on its own."""
    words = [w for w in name.split() if w.lower() not in _HONORIFIC]
    parts = [(r"\s+".join(map(re.escape, words)), words)]
    parts += [
        (re.escape(w), [w])
        for w in words
        if (len(w.strip(".")) >= 3 or not _cased(w)) and w.lower() not in _NOT_NAME  # 张伟 has two
    ]
    for part, part_words in parts:
        if part_words and text.isascii() and all(map(str.isascii, part_words)):  # no pattern to compile
            text = _replace_ascii(text, part_words, counts)
            continue
        pattern = re.compile(rf"(?<![\w\[-]){part}(?![\w\]-])", re.IGNORECASE)

        def sub(m: re.Match[str]) -> str:
            if _cased(m.group()[0]) and not m.group()[0].isupper():  # "mark", not "Mark"
                return m.group()
            counts["name"] += 1
            return PLACEHOLDERS["name"]

        text = pattern.sub(sub, text)
    return text


def _replace_ascii(text: str, words: list[str], counts: Counter[str]) -> str:
    """What the pattern ``(?<![\\w\\[-])word1\\s+word2(?![\\w\\]-])`` (case-blind) replaces in ASCII
    text, found with ``str.find`` on the lower-cased text (in ASCII text a case-blind match is a
    lower-case one, at the same offsets): mentions that start with a capital become ``[NAME]``."""
    low = text.lower()
    keys = [w.lower() for w in words]
    out, pos, i = [], 0, 0
    while (i := low.find(keys[0], i)) >= 0:
        end = _ascii_match_end(text, low, i, keys)
        if end is None:
            i += 1
            continue
        if text[i].isupper():
            out.append(text[pos:i])
            out.append(PLACEHOLDERS["name"])
            counts["name"] += 1
            pos = end
        i = end
    out.append(text[pos:])
    return "".join(out)


def _ascii_match_end(text: str, low: str, i: int, keys: list[str]) -> int | None:
    """The end of the mention of ``keys`` (lower-case words, spaces between) at ``i``, or None."""
    if i > 0 and text[i - 1] in _BEFORE_NAME:
        return None
    end = i + len(keys[0])
    for key in keys[1:]:
        k = end
        while k < len(text) and text[k].isspace():
            k += 1
        if k == end or not low.startswith(key, k):
            return None
        end = k + len(key)
    if end < len(text) and text[end] in _AFTER_NAME:
        return None
    return end


def _lone_first_name(word: str) -> bool:
    """A top line that holds one word, "Anna" or "张伟" above the rest, is the person's first name unless it
    is a heading, role or job-title word. Only a known first name is then replaced further down too:
    "Kubernetes" on the top line may be a skill the text goes on to name. (A line of 2-4 words is a name
    replaced further down too: "Xyla Quorn" above "... with Quorn daily".)"""
    return " " not in word and _single_name(word)


def _is_name(value: str) -> bool:
    """A name of 2-4 words (``_looks_like_name``) or of one (``_single_name``), where a name stands."""
    return _looks_like_name(value) or (" " not in value and _single_name(value))


def _single_name(word: str) -> bool:
    """One capitalised word that is a name where a name stands: not a heading, role or job-title word."""
    if not _looks_like_name(word, allow_single=True) or word.isupper():
        return False
    w = word.lower()
    if w in _NOT_NAME or normalize_word(w) in title_words():
        return False
    return word in FIRST_NAMES or not w.endswith("ly")  # "Currently", "Recently" are not names; "Emily" is


def _looks_like_name(value: str, allow_single: bool = False) -> bool:
    """2-4 capitalised words (1-4 after a "Name:" label), no digits, none of them a role or heading word."""
    words = value.split()
    if words and words[0].lower() in _HONORIFIC:
        words = words[1:]
    if not (1 if allow_single else 2) <= len(words) <= 4 or len(value) > 60:
        return False
    if not all(_is_name_word(w) for w in words) or all(len(w) <= 2 and _cased(w) for w in words):
        return False  # "A. B." or "IT HR" is not a reliable name (but 王 伟 is)
    if len({w.isupper() for w in words if len(w) > 2}) > 1:
        return False  # "SQL Server", "Jane DOE": acronyms mixed with words are not a name
    return not any(w.lower().strip(".") in _NOT_NAME for w in words)


def _cased(text: str) -> bool:
    """Whether ``text`` has a letter with an upper and a lower case (Latin, Greek, Cyrillic...)."""
    return any(ch.isupper() or ch.islower() for ch in text)


def _is_name_word(word: str) -> bool:
    """ "Jane", "JANE", "J.", "Okwuosa-Lindqvist", "McDonald", "O'Neil", "Zoë": letters, capitalised."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True
    parts = word.split("-")
    return len(parts) <= 3 and all(_is_name_part(p) for p in parts)


def _is_name_part(part: str) -> bool:
    letters = part.replace("'", "").replace("’", "")
    if letters and not _cased(letters):  # 张伟, محمد, फातिमा, 김민준: scripts without capitals
        return all(ch.isalpha() or unicodedata.category(ch).startswith("M") for ch in letters)
    if len(letters) < 2 or not letters.isalpha() or not part[0].isupper():
        return False
    if part.isupper():
        return True
    if part.startswith(_NAME_PREFIXES):  # McDonald, DeShawn, O'Neil
        for prefix in _NAME_PREFIXES:
            if part.startswith(prefix) and len(part) > len(prefix) + 1 and part[len(prefix)].isupper():
                part = part[len(prefix) :]
                break
    return part[1:].replace("'", "").replace("’", "").islower()
