"""Input handling: validation messages, sentence spans with offsets, token-budget chunks."""

from __future__ import annotations

import pytest

from matcher.errors import InputTextError
from matcher.textproc import (
    MAX_CHARS,
    MOJIBAKE_WARNING,
    chunk_spans,
    decode_bytes,
    repair_characters,
    sentence_spans,
    validate,
    validate_with_notes,
)


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


@pytest.mark.parametrize(
    ("garbled", "meant"),
    [
        ("Led the teamâ€™s roll-out of SAP.", "Led the team’s roll-out of SAP."),
        (
            "Skills:\r\nâ\x80¢ Python\r\nâ\x80¢ SQL",
            "Skills:\n• Python\n• SQL",
        ),  # UTF-8 bullets read as latin-1
        ("NaÃ¯ve Bayes, rÃ©sumÃ© parsing", "Naïve Bayes, résumé parsing"),
        ("Built the ﬁnance dashboards.", "Built the finance dashboards."),
        ("Project manage\u00adment office", "Project management office"),
    ],
)
def test_validate_repairs_mojibake_ligatures_and_soft_hyphens(garbled, meant):
    """Text pasted or exported from a CSV that was decoded with the wrong code page (as many real resume
    exports are) is repaired before it is split, so "â\\x80¢" is a list bullet again, not a control
    character and two stray letters."""
    assert validate(garbled) == meant


@pytest.mark.parametrize(
    "clean",
    [
        "Zoë Ångström led the Café’s “Müller–Lüdenscheid” project — 5 € / 20 °C.",
        "软件工程师, инженер, مهندس",
        "Plain ASCII text with quotes ' \" and dashes - only.",
    ],
)
def test_repair_leaves_clean_text_alone(clean):
    fixed, warnings = repair_characters(clean)
    assert (fixed, warnings) == (clean, [])


def test_repair_says_what_it_repaired():
    fixed, warnings = repair_characters("Managerâ€™s report")
    assert fixed == "Manager’s report"
    assert warnings and "mojibake" in warnings[0]


def test_validating_validated_text_changes_nothing_even_where_normalising_leaves_mojibake():
    # an unassigned character after "Â" becomes a space, and "Â " is what ftfy repairs (a lost no-break space)
    for text in ("à\x80AÂ\U0001342f0", "Café â€\u0378Â\U0001342f plan"):
        once = validate(text)
        assert validate(once) == once


def test_typed_text_is_left_as_typed_where_only_mojibake_is_repaired():
    """The text stage undoes wrong decodings; it does not rewrite entities or full-width letters, whether
    or not the text also holds mojibake, and a ligature alone is repaired without a mojibake warning."""
    typed = "Zoë’s team built R&amp;D dashboards in ＡＷＳ."
    assert validate_with_notes(typed) == (typed, ())
    garbled = validate_with_notes("Zoë’s teamâ€™s R&amp;D dashboards in ＡＷＳ.")
    assert garbled[0] == "Zoë’s team’s R&amp;D dashboards in ＡＷＳ." and garbled[1] == (MOJIBAKE_WARNING,)
    assert validate_with_notes("Built the ﬁnance dashboards.") == ("Built the finance dashboards.", ())


def test_files_get_every_repair_as_before():
    fixed, warnings = repair_characters("R&amp;D in ＡＷＳ", every_fix=True)
    assert fixed == "R&D in AWS" and warnings == []
