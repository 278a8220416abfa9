"""Gendered words: rewrite a text for another gender, or neutrally (she/he → they, chairwoman → chairperson).

``neutralize`` runs on every text before it is embedded, so pronouns and gendered words cannot shape a
match; ``swap_gender`` makes the counterfactual variants that ``fairness`` checks with.
"""

from __future__ import annotations

import re

# Gendered words as (female, male, neutral); a female or male form in the text is rewritten.
_WORDS = (
    ("chairwoman", "chairman", "chairperson"),
    ("chairwomen", "chairmen", "chairpersons"),
    ("businesswoman", "businessman", "businessperson"),
    ("businesswomen", "businessmen", "businesspeople"),
    ("spokeswoman", "spokesman", "spokesperson"),
    ("saleswoman", "salesman", "salesperson"),
    ("congresswoman", "congressman", "legislator"),
    ("forewoman", "foreman", "supervisor"),
    ("ms", "mr", "mx"),
    ("mrs", "mr", "mx"),
    ("miss", "mr", "mx"),
    ("mother", "father", "parent"),
    ("mothers", "fathers", "parents"),
    ("mom", "dad", "parent"),
    ("mum", "dad", "parent"),
    ("wife", "husband", "spouse"),
    ("daughter", "son", "child"),
    ("daughters", "sons", "children"),
    ("sister", "brother", "sibling"),
    ("sisters", "brothers", "siblings"),
    ("girlfriend", "boyfriend", "partner"),
    ("lady", "gentleman", "person"),
    ("waitress", "waiter", "server"),
    ("she", "he", "they"),
    ("herself", "himself", "themself"),
    ("her", "him", "them"),
)
_LOOKUP = {form: forms for forms in _WORDS for form in forms[:2]}
_HONORIFICS = frozenset(("ms", "mrs", "miss", "mr"))
#: Words after "Ms" that make it Microsoft, not an honorific ("Ms Excel", "Ms Office").
_MS_PRODUCTS = frozenset(
    [
        "access",
        "azure",
        "dynamics",
        "excel",
        "exchange",
        "office",
        "outlook",
        "powerpoint",
        "project",
        "sharepoint",
        "sql",
        "teams",
        "visio",
        "windows",
        "word",
    ]
)
_FEMALE_FIRST = {"mr": "ms"}  # many-to-one forms: the female form to use

_NOT_NOUN = frozenset(
    (
        "to",
        "and",
        "or",
        "in",
        "on",
        "at",
        "with",
        "for",
        "as",
        "from",
        "by",
        "about",
        "of",
        "into",
        "than",
        "but",
        "that",
        "who",
        "which",
        "when",
        "while",
        "so",
        "because",
        "if",
        "is",
        "was",
        "be",
        "been",
        "were",
        "are",
        "a",
        "an",
        "the",
        "this",
        "these",
        "those",
    )
)
_ADVERBS = frozenset(
    (
        "also",
        "often",
        "still",
        "now",
        "then",
        "currently",
        "never",
        "always",
        "recently",
        "later",
        "previously",
        "mainly",
        "usually",
        "mostly",
        "just",
        "even",
        "already",
        "soon",
        "first",
    )
)
_VERB_FIX = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "isn": "aren",
    "wasn": "weren",
    "hasn": "haven",
    "doesn": "don",
    "'s": "'re",
    "’s": "’re",
}  # "she's" → "they're"
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ]+|['’][a-z]+\b")  # "she's" → "she", "'s"
_GENDERED = frozenset(_LOOKUP) | {"her", "hers", "his"}  # the words ``_word_gender`` knows


def neutralize(text: str) -> str:
    """The text with every gendered pronoun and word in neutral form ("She leads" → "They lead")."""
    return swap_gender(text, "neutral")


def swap_gender(text: str, gender: str) -> str:
    """Rewrite gendered words for a person of ``gender``: to 'neutral' every form becomes neutral;
    between female and male every word flips (he → she, his wife → her husband), as in
    counterfactual data augmentation; a text already of that gender is returned unchanged."""
    tokens = list(_TOKEN.finditer(text))
    lows = [m.group().lower() for m in tokens]
    for i, low in enumerate(lows):
        if low in _GENDERED and not _is_gendered_here(text, tokens, i, low):
            lows[i] = ""  # "MS in Computer Science", "HER Imaging", "never miss a deadline"
    source = _text_gender([w for w in lows if w in _GENDERED])
    if source is None or gender == source:
        return text
    out, pos = [], 0
    n, i = len(tokens), 0
    # Only gendered words change, and the verb after a new "they" ("she leads" → "they lead", adverbs
    # in between kept): walk from one such word to the next instead of over every token.
    while i < n:
        low = lows[i]
        if low not in _GENDERED:
            i += 1
            continue
        m = tokens[i]
        word = m.group()
        following = tokens[i + 1].group().lower() if i + 1 < n and _adjacent(text, m, tokens[i + 1]) else ""
        own = _word_gender(low)
        k = 2 if gender == "neutral" else 1 - own
        if low in ("her", "his"):
            possessive = low == "his" or (following and following not in _NOT_NOUN)
            if low == "his" and not following:
                new = ("hers", "his", "theirs")[k]
            else:
                new = ("her", "his", "their")[k] if possessive else ("her", "him", "them")[k]
        elif low == "hers":
            new = ("hers", "his", "theirs")[k]
        else:
            new = _FEMALE_FIRST.get(low, _LOOKUP[low][0]) if k == 0 else _LOOKUP[low][k]
        if new != low:
            out.append(text[pos : m.start()])
            out.append(_same_case(word, new))
            pos = m.end()
        i += 1
        if low in ("she", "he") and k == 2:  # the next word that is not an adverb is the verb
            while i < n and lows[i] in _ADVERBS:
                i += 1
            if i < n:
                verb = _plural_verb(lows[i])
                if verb is not None and verb != lows[i]:
                    out.append(text[pos : tokens[i].start()])
                    out.append(_same_case(tokens[i].group(), verb))
                    pos = tokens[i].end()
                i += 1
    out.append(text[pos:])
    return "".join(out)


def _is_gendered_here(text: str, tokens: list[re.Match[str]], i: int, low: str) -> bool:
    """Whether the gendered-looking token ``i`` is used as that word: not a short upper-case acronym among
    words that are not in capitals ("MS in ...", "HER Imaging", "HE" for higher education), and an
    honorific only as one: "Ms", "Mrs", "Mr" or "Miss" in title case before a capitalised name
    ("Ms. Okafor"), not "MS Project" or "miss a deadline"."""
    word = tokens[i].group()
    if 1 < len(word) <= 3 and word.isupper() and not _upper_around(tokens, i):
        return False
    if low not in _HONORIFICS:
        return True
    if not word[0].isupper() or i + 1 >= len(tokens):
        return False
    between = text[tokens[i].end() : tokens[i + 1].start()]
    after = tokens[i + 1].group()
    if low == "ms" and after.lower() in _MS_PRODUCTS:
        return False
    return between in (" ", ". ", ".") and after[0].isupper()


def _upper_around(tokens: list[re.Match[str]], i: int) -> bool:
    """Whether a word next to token ``i`` is in capitals too: "SHE LEADS THE TEAM" is written in capitals,
    "MS in Computer Science" and "HER Imaging" hold an acronym."""
    near = [tokens[j].group() for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
    return any(len(w) > 1 and w.isupper() for w in near)


def _word_gender(low: str) -> int | None:
    """0 for a female form, 1 for a male form, None for any other word."""
    if low in ("her", "hers"):
        return 0
    if low == "his":
        return 1
    forms = _LOOKUP.get(low)
    return None if forms is None else (0 if low == forms[0] else 1)


def _text_gender(words: list[str]) -> str | None:
    """The person's gender as the text has it: the majority of the gendered words (None without any)."""
    genders = [g for g in map(_word_gender, words) if g is not None]
    if not genders:
        return None
    return "female" if genders.count(0) > genders.count(1) else "male"


def _adjacent(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    """True when only spaces separate two tokens (no punctuation: "her." ends a clause)."""
    return text[a.end() : b.start()].strip(" ") == ""


def _plural_verb(verb: str) -> str | None:
    """'leads' → 'lead' after a new 'they'; None when the word is not a 3rd-person verb."""
    if verb in _VERB_FIX:
        return _VERB_FIX[verb]
    if not verb.endswith("s") or verb.endswith(("ss", "us", "is")) or len(verb) < 3:
        return None
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return verb[:-2]
    return verb[:-1]


def _same_case(original: str, new: str) -> str:
    if original.isupper() and len(original) > 1:
        return new.upper()
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def is_gendered_word(word: str) -> bool:
    """True for a female or male form this module rewrites ("she", "Chairman")."""
    return word.lower() in _LOOKUP


def is_function_word(word: str) -> bool:
    """True for prepositions, articles and the like (never a noun or a surname)."""
    return word.lower() in _NOT_NOUN
