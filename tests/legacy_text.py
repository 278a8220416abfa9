"""The text functions as they were before the speed-ups of issue 14, kept verbatim as the reference
that ``test_text_equivalence`` compares the fast versions with (same output, same errors). One later rule
is copied in: ``extract_titles_old`` also reads the title that opens a short line at the top of a text
("Registered nurse; charting in Epic."), as ``extract_titles`` does; what the comparison checks there is
the date search and the line scan of issue 14, and the title rules both share (``_span``, ...)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np

from matcher.embed import EncodedText, _encode_chunks, _normalize_rows
from matcher.errors import InputTextError
from matcher.explain import _PLACEHOLDER
from matcher.gender import (
    _ADVERBS,
    _FEMALE_FIRST,
    _LOOKUP,
    _NOT_NOUN,
    _TOKEN,
    _adjacent,
    _is_gendered_here,
    _plural_verb,
    _same_case,
    _text_gender,
    _word_gender,
)
from matcher.privacy import (
    _ADDRESS,
    _APPOSITIVE,
    _BIO_OPENING,
    _DIGIT,
    _EMAIL,
    _HONORIFIC,
    _KNOWN_FULL_NAME,
    _LABELLED,
    _LABELLED_NAME,
    _NAME_SEPARATORS,
    _NOT_NAME,
    _PHONE,
    _URL,
    _URL_MARKS,
    _US_CITY_ZIP,
    FIRST_NAMES,
    PLACEHOLDERS,
    Redacted,
    _is_phone,
    _looks_like_name,
    _single_name,
    _sub,
    _trim_url,
)
from matcher.textproc import _CONTROL, _RAW_PDF, MAX_CHARS, Span, chunk_spans, decode_bytes, sentence_spans
from matcher.titles import (
    _RANGE,
    _SENTENCE_TITLE,
    _WORD,
    MAX_TITLE_WORDS,
    MAX_TITLES,
    TitleSpan,
    _date_range,
    _earlier_entries,
    _leading_title,
    _segments,
    _span,
    _trim_sentence_title,
    _whole_titles,
    _with_function,
    expand_abbreviations,
    normalize_title,
)

# --------------------------------------------------------------------------- textproc


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL else " " for ch in text)
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u3000]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return text.strip()


def validate(text: object, max_chars: int = MAX_CHARS) -> str:
    if isinstance(text, bytes):
        text = decode_bytes(text)
    if not isinstance(text, str):
        raise InputTextError(f"expected text (str), got {type(text).__name__}")
    if "\x00" in text:
        raise InputTextError("the input looks like a binary file (it contains NUL bytes); paste plain text")
    clean = normalize(text)
    if _RAW_PDF.search(clean[:4096]) or clean.count("endobj") >= 3:
        raise InputTextError(
            "this is the raw content of a PDF file, not text; pass the file itself "
            "(rolematch match --file cv.pdf) or paste the resume's text"
        )
    if not clean:
        raise InputTextError("the text is empty; paste a resume or a short bio (a few sentences)")
    if len(clean) > max_chars:
        raise InputTextError(
            f"the text is {len(clean):,} characters; the limit is {max_chars:,} "
            "(about 100 pages): paste the resume itself, not a whole document archive"
        )
    letters = sum(ch.isalpha() for ch in clean)
    if letters < 2 or letters / len(clean) < 0.3:
        raise InputTextError(
            "the text has almost no letters (binary data or symbols?); paste a resume or bio in words"
        )
    return clean


# --------------------------------------------------------------------------- embed (token counting per text)


def encode_documents(embedder, texts: Sequence[str], budget: int | None = None) -> list[EncodedText]:
    """Validate, split and embed several texts in one batched pass.

    Every sentence lands in a chunk of at most ``budget`` tokens (default: the model's limit),
    so nothing past the model's window is dropped. Raises ``InputTextError`` on bad text.
    """
    budget = budget or embedder.max_tokens
    prepared = []
    for raw in texts:
        text = prepare_text_old(raw)
        spans = sentence_spans(text)
        count = _token_counter(embedder, spans, budget)
        chunks = chunk_spans(spans, count, budget)
        flat = [s for chunk in chunks for s in chunk]  # long sentences may have been cut into pieces
        index, pos = [], 0
        for chunk in chunks:
            index.append(tuple(range(pos, pos + len(chunk))))
            pos += len(chunk)
        tokens = [max(1, sum(count(flat[i].text) for i in idx)) for idx in index]
        prepared.append((text, tuple(flat), tuple(index), tokens))

    chunk_texts, chunk_spans_rel = [], []
    for _, flat, index, _ in prepared:
        for idx in index:
            text, rel, cursor = [], [], 0
            for i in idx:
                piece = flat[i].text
                rel.append((cursor, cursor + len(piece)))
                text.append(piece)
                cursor += len(piece) + 1
            chunk_texts.append("\n".join(text))
            chunk_spans_rel.append(rel)

    chunk_vecs, span_vecs = _encode_chunks(embedder, chunk_texts, chunk_spans_rel)  # unchanged: shared

    titles = [extract_titles_old(text) for text, *_ in prepared]
    flat_titles = [expand_abbreviations(t.text) for ts in titles for t in ts]  # as encode_documents
    title_vecs = (
        _normalize_rows(embedder.encode(flat_titles))
        if flat_titles
        else np.zeros((0, embedder.dim), np.float32)
    )
    out, c, t = [], 0, 0
    for (text, flat, index, tokens), doc_titles in zip(prepared, titles):
        n = len(index)
        out.append(
            EncodedText(
                text=text,
                spans=flat,
                chunks=index,
                chunk_vectors=_normalize_rows(chunk_vecs[c : c + n]),
                chunk_tokens=np.asarray(tokens, dtype=np.float32),
                span_vectors=_normalize_rows(np.concatenate(span_vecs[c : c + n])),
                titles=doc_titles,
                title_vectors=title_vecs[t : t + len(doc_titles)],
            )
        )
        c += n
        t += len(doc_titles)
    return out


def _token_counter(embedder, spans: Sequence[Span], budget: int):
    """A memoised ``count_tokens``, pre-filled in one batched call where the backend offers
    ``count_tokens_batch`` (sentences, and the words of sentences that may exceed the budget)."""
    cache: dict[str, int] = {}
    batch = getattr(embedder, "count_tokens_batch", None)
    if batch is not None:
        hints = [s.text for s in spans]
        hints += [w for s in spans if len(s.text) > 2 * budget for w in s.text.split()]
        hints = list(dict.fromkeys(hints))
        cache.update(zip(hints, batch(hints)))

    def count(text: str) -> int:
        n = cache.get(text)
        if n is None:
            n = cache[text] = embedder.count_tokens(text)
        return n

    return count


# --------------------------------------------------------------------------- titles


def extract_titles_old(text: str, limit: int = MAX_TITLES) -> tuple[TitleSpan, ...]:
    """Job titles in ``text``, headline first, then in reading order; at most ``limit``, no repeats."""
    found: list[TitleSpan] = []
    lines = [(m.group(0), m.start()) for m in re.finditer(r"[^\n]+", text)]
    if len(lines) == 1:
        whole = _whole_titles(text, *lines[0])
        if whole:
            return whole[:limit]
    dates = _date_range()
    headline_done = 0
    ranges: dict[TitleSpan, str] = {}
    for n, (line, start) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        dated = dates.search(line)
        near_date = any(dates.fullmatch(lines[k][0].strip()) for k in (n - 1, n + 1) if 0 <= k < len(lines))
        words = len(_WORD.findall(line))
        top = headline_done < 3  # one of the text's first three lines
        if top and words <= 12 and not stripped.endswith("."):
            kind = "headline"
        elif dated or near_date:
            kind = "dated"
        elif words <= MAX_TITLE_WORDS + 4 and (stripped.isupper() or " at " in line or " @ " in line):
            kind = "at"
        else:
            kind = ""
        headline_done += 1
        if kind:
            clean = dates.sub(lambda m: " " * len(m.group(0)), line) if dated else line
            pieces = _segments(clean, start)
            for k, (piece, offset) in enumerate(pieces):
                span = _span(text, piece, offset, kind)
                if span:  # the later rule: a rank and its function after a comma are one title
                    span = _with_function(text, span, pieces[k + 1 : k + 2])
                    found.append(span)
                    # the later rule: a job's date range, to tell earlier jobs from the current one
                    beside = [m.group() for m in dates.finditer(line) if _RANGE.search(m.group())] or [
                        lines[j][0]
                        for j in (n + 1, n - 1)
                        if 0 <= j < len(lines)
                        and dates.fullmatch(lines[j][0].strip())
                        and _RANGE.search(lines[j][0])
                    ]
                    if beside:
                        ranges[span] = beside[0]
                    break
        # the later rule of tests/test_backbone.py: also a short line at the top ("Registered nurse; ...")
        lead = _leading_title(line, n == 0) if top or words > MAX_TITLE_WORDS else None
        if lead:
            span = _span(text, lead.group(1), start + lead.start(1), "headline" if n == 0 else "sentence")
            if span:
                found.append(span)
        if words > MAX_TITLE_WORDS:
            for m in _SENTENCE_TITLE.finditer(line):
                span = _span(text, _trim_sentence_title(m.group(1)), start + m.start(1), "sentence")
                if span:
                    found.append(span)
    past = _earlier_entries(ranges, text)  # the later rules, as above
    unique: dict[str, TitleSpan] = {}
    for span in found:
        if any(lo <= span.start < hi for lo, hi in past):
            continue
        if not any(o.start == span.start and o.end > span.end for o in found):
            unique.setdefault(normalize_title(span.text), span)
    return tuple(unique.values())[:limit]


# --------------------------------------------------------------------------- explain


def is_evidence(sentence: str) -> bool:
    """At least three words once placeholders (``[NAME] | [EMAIL]``) are set aside: a line of
    redacted contact details is never evidence."""
    words = [w for w in _PLACEHOLDER.sub(" ", sentence).split() if any(ch.isalnum() for ch in w)]
    return len(words) >= 3


# --------------------------------------------------------------------------- privacy

KNOWN_FULL_NAME = re.compile(  # the first names as one alternation, longest first
    r"(?<![\w\[-])(?:" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + r")"
    r"(?: [A-Z]\.)? [A-Z][^\W\d_]*(?:[-'’][A-Z][^\W\d_]*)?(?![\w-])"
)


def redact(text: str) -> Redacted:
    """Replace e-mails, URLs, phone numbers, street addresses and the person's name with placeholders.

    Pure function of ``text``; returns the new text and the number of replacements per kind.
    Running it twice changes nothing more.
    """
    counts: Counter[str] = Counter()
    # A pattern is skipped when the text lacks what every match needs ("@", a digit, a URL's marks);
    # placeholders add none of these, so checking the input once is enough: the result is unchanged.
    if "@" in text:
        text = _sub(_EMAIL, "email", text, counts)
    if any(mark in text for mark in _URL_MARKS):
        text = _sub(_URL, "url", text, counts, fix=_trim_url)
    text = _sub(_LABELLED, "address", text, counts, group=1)
    if _DIGIT.search(text):
        text = _sub(_ADDRESS, "address", text, counts)
        text = _sub(_US_CITY_ZIP, "address", text, counts)
        text = _sub(_PHONE, "phone", text, counts, keep=_is_phone)
    text = _redact_name(text, counts)
    return Redacted(text, {k: v for k, v in counts.items() if v})


def _redact_name(text: str, counts: Counter[str]) -> str:
    """The person's name: a "Name:" line, the top line, a bio's opening words, a known first name
    with a surname; then every later mention of the full name or of its parts."""
    names: list[str] = []

    def labelled(m: re.Match[str]) -> str:
        value = m.group(1).strip()
        if not _looks_like_name(value, allow_single=True):
            return m.group(0)
        names.append(value)
        counts["name"] += 1
        return m.group(0)[: m.start(1) - m.start(0)] + PLACEHOLDERS["name"]

    text = _LABELLED_NAME.sub(labelled, text)
    first = re.match(r"\s*([^\n]*)\n\s*\S", text)  # a name line has more text below it
    if first and first.group(1):
        head = _NAME_SEPARATORS.split(first.group(1).strip(), maxsplit=1)[0].strip()
        if _looks_like_name(head):
            start = first.start(1) + first.group(1).index(head)
            text = text[:start] + PLACEHOLDERS["name"] + text[start + len(head) :]
            names.append(head)
            counts["name"] += 1
    opening = _BIO_OPENING.match(text)  # "Maria Garcia is a product manager ...", "Ngozi founded ..."
    if opening and not opening.group(1).isupper():
        value = opening.group(1)
        if _looks_like_name(value) or (" " not in value and _single_name(value)):
            names.append(value)
    for m in _APPOSITIVE.finditer(text):
        value = m.group(1) or m.group(2)
        if _single_name(value):
            names.append(value)
    for m in _KNOWN_FULL_NAME.finditer(text):  # "... Ravi Menon owns the product lifecycle"
        if _looks_like_name(m.group()):
            names.append(m.group())
    for name in dict.fromkeys(names):
        text = _replace_mentions(text, name, counts)
    return text


def _replace_mentions(text: str, name: str, counts: Counter[str]) -> str:
    """Replace the full name, then each of its words (capitalised, 3+ letters) on its own."""
    words = [w for w in name.split() if w.lower() not in _HONORIFIC]
    parts = [r"\s+".join(map(re.escape, words))]
    parts += [re.escape(w) for w in words if len(w.strip(".")) >= 3 and w.lower() not in _NOT_NAME]
    for part in parts:
        pattern = re.compile(rf"(?<![\w\[-]){part}(?![\w\]-])", re.IGNORECASE)

        def sub(m: re.Match[str]) -> str:
            if not m.group()[0].isupper():
                return m.group()
            counts["name"] += 1
            return PLACEHOLDERS["name"]

        text = pattern.sub(sub, text)
    return text


# --------------------------------------------------------------------------- gender


def swap_gender(text: str, gender: str) -> str:
    """Rewrite gendered words for a person of ``gender``: to 'neutral' every form becomes neutral;
    between female and male every word flips (he → she, his wife → her husband), as in
    counterfactual data augmentation; a text already of that gender is returned unchanged."""
    tokens = list(_TOKEN.finditer(text))
    # (a later rule, not a speed-up: acronyms and non-honorific "Ms"/"miss" are not gendered words)
    gendered = _LOOKUP.keys() | {"her", "hers", "his"}
    lows = [t.group().lower() for t in tokens]
    lows = [
        w if w not in gendered or _is_gendered_here(text, tokens, i, w) else "" for i, w in enumerate(lows)
    ]
    source = _text_gender(lows)
    if source is None or gender == source:
        return text
    out, pos = [], 0
    fix_verb = False
    for i, m in enumerate(tokens):
        word = m.group()
        low = lows[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        following = nxt.group().lower() if nxt is not None and _adjacent(text, m, nxt) else ""
        new = None
        own = _word_gender(low)
        k = 2 if gender == "neutral" else 1 - own if own is not None else None
        if fix_verb and low not in _ADVERBS:
            new = _plural_verb(low)
            fix_verb = False
        elif k is None:
            pass
        elif low in ("her", "his"):
            possessive = low == "his" or (following and following not in _NOT_NOUN)
            if low == "his" and not following:
                new = ("hers", "his", "theirs")[k]
            else:
                new = ("her", "his", "their")[k] if possessive else ("her", "him", "them")[k]
        elif low == "hers":
            new = ("hers", "his", "theirs")[k]
        elif low in _LOOKUP:
            new = _FEMALE_FIRST.get(low, _LOOKUP[low][0]) if k == 0 else _LOOKUP[low][k]
            fix_verb = low in ("she", "he") and k == 2
        if new is not None and new != low:
            out.append(text[pos : m.start()])
            out.append(_same_case(word, new))
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def neutralize(text: str) -> str:
    return swap_gender(text, "neutral")


def prepare_text_old(raw: object) -> str:
    """``matcher.embed.prepare_text`` made of the old functions."""
    return neutralize(redact(validate(raw)).text)
