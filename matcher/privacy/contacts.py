"""E-mails, URLs, street addresses and phone numbers: their patterns, and their replacement by placeholders.

Also ``PLACEHOLDERS``, which the name rules put in too. Linear-time (bounded patterns only) and
conservative: dates, versions, "5+ years", "C++", ".NET", percentages and plain numbers stay.
"""

from __future__ import annotations

import re
from collections import Counter

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "address": "[ADDRESS]",
    "url": "[URL]",
    "name": "[NAME]",
}

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
