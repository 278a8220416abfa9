"""The name-word lists: the ``[section]`` word lists of ``matcher/data/names.txt``, read once at import."""

from __future__ import annotations

from pathlib import Path

_NAMES_FILE = Path(__file__).parent.parent / "data" / "names.txt"  # matcher/data/names.txt


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
