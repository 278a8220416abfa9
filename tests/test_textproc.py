"""Input handling: validation messages, sentence spans with offsets, token-budget chunks."""

from __future__ import annotations

import pytest

from matcher.errors import InputTextError
from matcher.textproc import MAX_CHARS, chunk_spans, decode_bytes, sentence_spans, validate


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("abc\x00def" * 10, "binary"),
        ("!!!! #### $$$$ %%%% 1234 5678", "no letters"),
        ("a" * (MAX_CHARS + 10), "limit"),
        (12345, "expected text"),
    ],
)
def test_validate_rejects_bad_text_with_a_specific_message(text, message):
    with pytest.raises(InputTextError, match=message):
        validate(text)


def test_validate_normalises_whitespace_and_drops_invisible_characters():
    assert validate("  Product\u200b  manager\r\n\r\nat   Acme \u202e ") == "Product manager\n\nat Acme"


def test_decode_bytes_handles_utf8_bom_utf16_and_cp1252():
    assert decode_bytes("café".encode("utf-8-sig")) == "café"
    assert decode_bytes("café".encode("utf-16")) == "café"
    assert decode_bytes("café".encode("cp1252")) == "café"
    with pytest.raises(InputTextError, match="binary"):
        decode_bytes(b"PK\x03\x04\x00\x00binary")


def test_sentence_spans_have_exact_offsets_and_split_lists():
    text = "I lead launches. I write case studies!\n- Built a CRM\n- Ran pricing tests\nThen more."
    spans = sentence_spans(text)
    assert [s.text for s in spans] == [
        "I lead launches.",
        "I write case studies!",
        "- Built a CRM",
        "- Ran pricing tests",
        "Then more.",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_chunks_respect_the_budget_and_lose_no_word():
    text = " ".join(f"Sentence {i} is about routers and switches." for i in range(60))
    text += " " + "word " * 500  # one giant sentence without punctuation
    spans = sentence_spans(text)
    chunks = chunk_spans(spans, words, budget=50)
    assert all(sum(words(s.text) for s in c) <= 50 for c in chunks)
    covered = " ".join(s.text for c in chunks for s in c)
    assert covered.split() == text.split()
    assert all(text[s.start : s.end] == s.text for c in chunks for s in c)


def test_a_single_giant_token_is_cut_not_dropped():
    text = "x" * 5000
    chunks = chunk_spans(sentence_spans(text), lambda t: len(t) // 4 + 1, budget=100)
    assert "".join(s.text for c in chunks for s in c) == text
    assert all(len(s.text) // 4 + 1 <= 100 for c in chunks for s in c)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Sr. Software Engineer at Acme. I build Go services.",
            ["Sr. Software Engineer at Acme.", "I build Go services."],
        ),
        ("Jan. 2019 - Dec. 2021: Acme Inc. Sales lead.", ["Jan. 2019 - Dec. 2021: Acme Inc. Sales lead."]),
        ("I like Go. Also Rust.", ["I like Go.", "Also Rust."]),  # other sentence stops still split
        ("I hold a BS and an MS. Then I joined Acme.", ["I hold a BS and an MS.", "Then I joined Acme."]),
    ],
)
def test_a_period_after_an_abbreviation_ends_no_sentence(text, sentences):
    assert [s.text for s in sentence_spans(text)] == sentences
