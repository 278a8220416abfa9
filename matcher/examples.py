"""Labeled examples: the bundled ``corpus/examples/*.csv`` (one file per role) or a user's CSV.

Rows are ``id, role, split, text, also``; ``role`` is ``None`` for out-of-scope backgrounds; ``also`` (an
optional column of the role files) names, joined by ``|``, the other roles that would be just as right for
that person (a Java developer who runs the build servers: software-engineer, also technical-specialist).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from .corpus import hash_files
from .errors import CorpusError

OUT_OF_SCOPE = "out-of-scope"


def load_examples(examples_dir: Path, roles: list[str]) -> pd.DataFrame:
    """Read every ``<role-id>.csv`` (columns id, split, text) and ``out-of-scope.csv``."""
    frames = []
    for path in sorted(examples_dir.glob("*.csv")):
        role = path.stem
        if role != OUT_OF_SCOPE and role not in roles:
            raise CorpusError(f"{path}: file name is not a role id; roles are: {', '.join(roles)}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = {"id", "split", "text"} - set(frame.columns)
        if missing:
            raise CorpusError(
                f"{path}: missing column(s) {sorted(missing)}; columns are {list(frame.columns)}"
            )
        frame["role"] = None if role == OUT_OF_SCOPE else role
        frame["also"] = _also_column(frame, path, role, roles)
        frames.append(frame[["id", "role", "split", "text", "also"]])
    if not frames:
        raise CorpusError(f"no example files (*.csv) in {examples_dir}")
    data = pd.concat(frames, ignore_index=True)
    bad = sorted(set(data["split"]) - {"train", "test"})
    if bad:
        raise CorpusError(f"{examples_dir}: split must be 'train' or 'test', found {bad}")
    if data["id"].duplicated().any():
        raise CorpusError(
            f"{examples_dir}: duplicate example ids {data['id'][data['id'].duplicated()].tolist()[:5]}"
        )
    return data


def load_labeled_csv(
    path: Path, text_column: str, label_column: str, roles: list[str], split_column: str | None = None
) -> pd.DataFrame:
    """A user's labeled CSV: empty label = out of scope; without ``split_column`` every row trains."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in (text_column, label_column) + ((split_column,) if split_column else ()):
        if column not in frame.columns:
            raise CorpusError(
                f"column {column!r} not found in {path}; columns are: {', '.join(frame.columns)}"
            )
    labels = frame[label_column].str.strip()
    unknown = sorted(set(labels) - set(roles) - {""})
    if unknown:
        raise CorpusError(
            f"{path}: unknown role label(s) {unknown[:5]}; labels must be role ids: {', '.join(roles)}"
        )
    return pd.DataFrame(
        {
            "id": [f"{path.stem}-{i}" for i in range(len(frame))],
            "role": [label or None for label in labels],
            "split": frame[split_column] if split_column else "train",
            "text": frame[text_column],
            "also": "",
        }
    )


def _also_column(frame: pd.DataFrame, path: Path, role: str, roles: list[str]) -> list[str]:
    """The checked ``also`` cells (``""`` where the column is absent or empty)."""
    if "also" not in frame.columns:
        return [""] * len(frame)
    out = []
    for ident, cell in zip(frame["id"], frame["also"]):
        named = [r.strip() for r in cell.split("|") if r.strip()]
        wrong = [r for r in named if r not in roles or r == role]
        if wrong:
            raise CorpusError(
                f"{path}: row {ident!r} names {wrong} under 'also'; it takes other role ids, joined by '|': "
                + ", ".join(r for r in roles if r != role)
            )
        if named and role == OUT_OF_SCOPE:
            raise CorpusError(f"{path}: row {ident!r} fits no role, so its 'also' must be empty")
        out.append("|".join(named))
    return out


def role_set(roles: str | Collection[str]) -> frozenset[str]:
    """Role ids given as a collection, or joined by ``|`` as in the examples' ``also`` column."""
    return frozenset(r for r in (roles.split("|") if isinstance(roles, str) else roles) if r)


def also_sets(frame: pd.DataFrame) -> list[frozenset[str]]:
    """The ``also`` column of ``load_examples`` as sets of role ids."""
    return [role_set(str(cell)) for cell in frame.get("also", [""] * len(frame))]


def labelled_examples(frame: pd.DataFrame) -> list[tuple[str, str | None, frozenset[str]]]:
    """Rows of ``load_examples`` (or ``load_labeled_csv``) as training examples: ``(text, role, also)``."""
    return list(zip(frame["text"].tolist(), frame["role"].tolist(), also_sets(frame)))


def examples_hash(examples_dir: Path) -> str:
    return hash_files(examples_dir.glob("*.csv"), examples_dir)
