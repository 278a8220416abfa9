"""Text files and stdin in the read stage: the encoding of bytes that are not UTF-8 (Western text as
Windows-1252, other scripts as detected, always with a warning naming the encoding), and text read
exactly as if pasted."""

from __future__ import annotations

import json

import pytest
from filemakers import RESUME

from matcher import read
from matcher.read.encoding import decode_text, looks_latin
from matcher.textproc import MOJIBAKE_WARNING

FRENCH = "Développeur Java à Montréal, naïve São Paulo"
GUESSED = "the text is not UTF-8: decoded as {}; if characters look wrong, save the file as UTF-8"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (FRENCH, "latin-1", "cp1252"),
        ("Chef de projet Paris–Lyon, « gestion d’équipe » • Contrôle qualité", "cp1252", "cp1252"),
        ("Softwareentwickler in München: Größe, Übung, Straße", "cp1252", "cp1252"),
        ("Programista w Łodzi, doświadczenie w zarządzaniu zespołem", "cp1250", "cp1250"),
        ("Инженер-программист, опыт работы в разработке программного обеспечения", "cp1251", "cp1251"),
        ("Инженер-программист, опыт работы в разработке программного обеспечения", "koi8-r", "koi8_r"),
        ("Java-разработчик. Навыки: Java, Spring Boot, PostgreSQL, Docker, Kubernetes", "cp1251", "cp1251"),
        ("Μηχανικός λογισμικού με εμπειρία πέντε ετών στην ανάπτυξη", "cp1253", "cp1253"),
        ("ソフトウェアエンジニア、東京で五年間の経験があります。", "shift_jis", "cp932"),
        ("软件工程师，在北京有五年的开发经验，熟悉Java和Python。", "gbk", "gb18030"),
    ],
)
def test_bytes_that_are_not_utf8_decode_right_and_say_which_encoding(text, codec, expected):
    decoded = decode_text(text.encode(codec))
    assert decoded.text == text and decoded.encoding == expected
    assert decoded.warning is not None and decoded.warning.startswith("the text is not UTF-8: decoded as ")


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_is_decoded_without_a_warning(codec):
    decoded = decode_text(FRENCH.encode(codec))
    assert (decoded.text, decoded.encoding, decoded.warning) == (FRENCH, None, None)


def test_latin_script_means_few_accented_letters_and_no_symbol_inside_a_word():
    assert looks_latin(FRENCH) and looks_latin("l’équipe, Paris–Lyon, col·legi")
    assert not looks_latin("Èíæåíåð-ïðîãðàììèñò")  # Windows-1251 read as 1252
    assert not looks_latin("zarz¹dzaniu zespo³em")  # Windows-1250 read as 1252
    assert not looks_latin("\x83\\\x83t\x83g")  # Shift-JIS read as latin-1: C1 controls


@pytest.mark.parametrize("name", ["cv.txt", None])
def test_a_latin1_text_file_or_stdin_reads_as_windows_1252_with_a_warning(tmp_path, name):
    data = (FRENCH + "\n").encode("latin-1")
    doc = read.read_bytes(data, name)
    assert doc.text == FRENCH and doc.format == "text"
    assert doc.warnings == (GUESSED.format("Windows-1252"),)
    path = tmp_path / "cv.txt"
    path.write_bytes(data)
    assert read.read_file(path).warnings == doc.warnings


def test_a_cyrillic_text_file_stays_cyrillic():
    text = "Инженер-программист, опыт работы в разработке программного обеспечения пять лет."
    doc = read.read_bytes(text.encode("cp1251"), "cv.txt")
    assert doc.text == text and doc.warnings == (GUESSED.format("Windows-1251 (Cyrillic)"),)


def test_a_utf8_text_file_has_no_decoding_warning():
    assert read.read_bytes(FRENCH.encode("utf-8"), "cv.txt").warnings == ()


@pytest.fixture
def run_cli(monkeypatch, fake_matcher):
    """``rolematch ARGS`` through click's CliRunner with the fake-embedder matcher; the JSON it prints."""
    from click.testing import CliRunner

    from matcher import RoleMatcher
    from matcher.cli import main

    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: fake_matcher))

    def run(*args: str, input: bytes | None = None) -> dict:
        out = CliRunner().invoke(main, [*args, "--format", "json"], input=input, catch_exceptions=False)
        assert out.exit_code == 0, out.output
        return json.loads(out.output)

    return run


def test_match_file_and_stdin_carry_the_readers_warnings(tmp_path, run_cli):
    latin1 = (RESUME + " " + FRENCH).encode("latin-1")
    garbled = (RESUME + " I manage the team’s laptops.").replace("’", "â€™").encode("utf-8")
    cases = ((latin1, GUESSED.format("Windows-1252"), "Développeur"), (garbled, MOJIBAKE_WARNING, "team’s"))
    for data, warning, word in cases:
        path = tmp_path / "cv.txt"
        path.write_bytes(data)
        for result in (run_cli("match", "--file", str(path)), run_cli("match", "-", input=data)):
            assert warning in result["warnings"] and word in result["analysed_text"]


#: A text file as people write them: a sentence wrapped by hand, a hyphen at a line end, list items with
#: a PDF font's bullet glyph, a line that looks like a page number, Windows line ends, and mojibake.
AS_WRITTEN = (
    "IT support engineer with eight years of experience in\r\n"
    "enterprise service desks and field support.\r\n"
    "- Resolved ServiceNow incidents within SLA for three hundred staff and their laptops\r\n"
    "- Managed Active Directory accounts, Microsoft 365 licences and multi-\r\n"
    "factor authentication rollouts\r\n"
    "\uf0b7 Wrote SQL queries to fix data issues in the teamâ€™s ERP system\r\n"
    "Page 1\r\n"
)


def test_a_text_file_is_read_as_written(tmp_path, fake_matcher):
    doc = read.read_bytes(AS_WRITTEN.encode("utf-8"), "cv.txt")
    for kept in ("experience in\nenterprise", "multi-\nfactor", "\uf0b7 Wrote", "team’s", "Page 1"):
        assert kept in doc.text
    assert doc.warnings == (MOJIBAKE_WARNING,)
    path = tmp_path / "cv.txt"
    path.write_bytes(AS_WRITTEN.encode("utf-8"))
    assert fake_matcher.match_file(path).to_dict() == fake_matcher.match(AS_WRITTEN).to_dict()


def test_a_text_file_and_the_same_text_pasted_give_the_same_json(tmp_path, run_cli):
    path = tmp_path / "cv.txt"
    path.write_bytes(AS_WRITTEN.encode("utf-8"))
    pasted = run_cli("match", AS_WRITTEN.rstrip("\r\n"), "--paths")  # as "$(cat cv.txt)" gives it
    assert run_cli("match", "--file", str(path), "--paths") == pasted
    assert run_cli("match", "-", "--paths", input=AS_WRITTEN.encode("utf-8")) == pasted
    assert pasted["warnings"] == [MOJIBAKE_WARNING]
