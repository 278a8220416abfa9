"""Invariants of match results (fake embedder: fast and deterministic)."""

from __future__ import annotations

import json

import pytest

from matcher import InputTextError, MatchResult

BIOS = [
    "I run go-to-market launches, positioning and case studies for a B2B SaaS product.",
    "Network administrator: Cisco switches, firewalls, Active Directory and a helpdesk queue.\n- CCNA\n- ITIL",
]


@pytest.mark.parametrize("top", [1, 3, 14])
def test_scores_sorted_and_len_equals_top(fake_matcher, top):
    result = fake_matcher.match(BIOS[0], top=top)
    assert len(result.roles) == top
    listed = [(r.confidence, r.score) for r in result.roles]  # by confidence, ties by score
    assert listed == sorted(listed, reverse=True)
    assert all(0 <= r.score <= 1 and 0 <= r.confidence <= 1 for r in result.roles)
    assert len({r.id for r in result.roles}) == top


def test_string_in_result_out_list_in_list_out(fake_matcher):
    assert isinstance(fake_matcher.match(BIOS[0]), MatchResult)
    many = fake_matcher.match(BIOS)
    assert isinstance(many, list) and len(many) == 2
    assert many[0].to_dict() == fake_matcher.match(BIOS[0]).to_dict()


def test_quotes_are_verbatim_with_source_and_offsets(fake_matcher, corpus):
    result = fake_matcher.match(BIOS[1], top=14, quotes=3)
    by_file = {f"articles/{a.path.name}": a for a in corpus.articles.values()}
    for role in result.roles:
        assert 1 <= len(role.quotes) <= 3
        grounded = {corpus.passages[i].text for i in corpus.grounding[role.id]}
        for q in role.quotes:
            assert by_file[q.source].text[q.start : q.end] == q.text
            assert q.text in grounded
            assert q.matched is not None and q.matched.text in BIOS[1]


def test_evidence_is_the_persons_own_sentences(fake_matcher):
    result = fake_matcher.match(BIOS[1])
    for role in result.roles:
        for e in role.evidence:
            assert e.text in BIOS[1]


def test_to_dict_is_json_ready(fake_matcher):
    data = fake_matcher.match(BIOS[0], top=2).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data["roles"][0]) >= {"id", "title", "score", "confidence", "quotes", "evidence", "weak"}
    assert data["model_version"] == fake_matcher.model_version


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"top": 0}, "top"), ({"top": 15}, "top"), ({"quotes": 9}, "quotes")]
)
def test_bad_arguments_say_what_is_allowed(fake_matcher, kwargs, message):
    with pytest.raises(ValueError, match=f"{message} must be an integer from"):
        fake_matcher.match(BIOS[0], **kwargs)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02binary\x00", "%%%% 1234 ####"])
def test_bad_text_raises_input_error(fake_matcher, text):
    with pytest.raises(InputTextError):
        fake_matcher.match(text)


def test_roles_catalog_lists_grounding_passages(fake_matcher, corpus):
    catalog = fake_matcher.roles()
    assert [r["id"] for r in catalog] == corpus.role_ids
    assert all(r["passages"] for r in catalog)


def test_repaired_characters_are_said_in_the_warnings(fake_matcher):
    """Garbled text (UTF-8 read as cp1252, as many CSV exports are) is repaired before it is read, and the
    result says so; clean text gets no such warning."""
    garbled = fake_matcher.match("Led the teamâ€™s migration to AWS and ran the helpdesk for 40 staff.")
    assert "team’s" in garbled.analysed_text and "â€" not in garbled.analysed_text
    assert [w for w in garbled.warnings if "mojibake" in w]
    assert fake_matcher.match(BIOS[0]).warnings == ()


def test_a_repair_both_the_reader_and_the_text_stage_report_is_said_once(fake_matcher, tmp_path):
    # the reader's ftfy leaves "\x81â€“" (a stray byte before mojibake); the text stage drops the byte and
    # repairs the rest: the same warning from two stages
    path = tmp_path / "cv.txt"
    path.write_text("Senior software engineer \x81â\x80\x93 building backend systems for payments.", "utf-8")
    result = fake_matcher.match_file(path)
    assert len(result.warnings) == len(set(result.warnings)) >= 1


@pytest.mark.parametrize(("value", "found"), [(None, "None"), (123, "int"), ({"text": BIOS[0]}, "dict")])
def test_what_is_not_text_is_an_input_error_saying_what_was_expected(fake_matcher, value, found):
    with pytest.raises(
        InputTextError, match=rf"expected a str \(one text\) or a list of str .*, got {found}$"
    ):
        fake_matcher.match(value)
    with pytest.raises(InputTextError, match=f"got {found}"):
        fake_matcher.match_many(value)


@pytest.mark.parametrize(
    ("texts", "says"),
    [
        ([BIOS[0], ""], r"^text at index 1 \(of 2\): the text is empty"),
        (["", BIOS[0]], r"^text at index 0 \(of 2\): the text is empty"),
        ([BIOS[0], BIOS[1], None], r"^text at index 2 \(of 3\): expected a str, got None$"),
        ((BIOS[0], 7), r"^text at index 1 \(of 2\): expected a str, got int$"),
    ],
)
def test_a_bad_text_in_a_list_is_named_by_its_index(fake_matcher, texts, says):
    with pytest.raises(InputTextError, match=says):
        fake_matcher.match(texts)
    with pytest.raises(InputTextError, match=says):
        fake_matcher.match_many(texts)


def test_one_bad_text_is_not_given_an_index(fake_matcher):
    with pytest.raises(InputTextError, match=r"^the text is empty"):
        fake_matcher.match("")


def test_match_many_refuses_a_single_string(fake_matcher):
    """A str is a sequence of characters: matching each character would be a silent mistake."""
    with pytest.raises(InputTextError, match=r"list of str, got one str; for one text use match\(text\)"):
        fake_matcher.match_many(BIOS[0])


@pytest.mark.parametrize(("value", "found"), [(None, "None"), (123, "int")])
def test_match_file_refuses_what_is_not_a_path(fake_matcher, value, found):
    with pytest.raises(InputTextError, match=rf"expects a file path \(a str or pathlib.Path\), got {found}$"):
        fake_matcher.match_file(value)


def test_matcher_repr_names_catalog_roles_backend_and_version(fake_matcher, corpus):
    assert repr(fake_matcher) == (
        f"RoleMatcher(catalog={fake_matcher.catalog_name!r}, roles={len(corpus.roles)}, backend='fake', "
        f"model_version={fake_matcher.model_version!r}, calibrated={fake_matcher.calibrated})"
    )


def test_result_repr_is_short_and_holds_no_sentence_of_the_text(fake_matcher):
    result = fake_matcher.match(BIOS[1], top=5)
    shown = repr(result) + "".join(repr(r) for r in result.roles)
    shown += "".join(repr(e) for r in result.roles for e in r.evidence)
    assert len(repr(result)) < 250 and "\n" not in shown
    assert f"top=[{result.roles[0].id} " in repr(result)
    sentences = {e.text for r in result.roles for e in r.evidence}
    assert sentences and not any(s in shown for s in sentences)
    assert "Cisco" not in shown and "helpdesk" not in shown
