"""Training on a team's own labeled CSV (fake embedder: fast)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from matcher import RoleMatcher
from matcher.errors import CorpusError
from matcher.train import train


@pytest.fixture()
def labeled_csv(tmp_path, corpus):
    rows = []
    for role in ("it-support", "software-engineer", "product-marketing-manager"):
        frame = pd.read_csv(
            corpus.articles[next(iter(corpus.articles))].path.parents[1] / "examples" / f"{role}.csv"
        )
        rows += [{"bio": t, "label": role} for t in frame["text"][:12]]
    rows += [
        {"bio": t, "label": ""}
        for t in (
            "Head chef at a bistro.",
            "Night-shift nurse in an ICU.",
            "Long-haul truck driver.",
            "Family lawyer.",
            "Primary school teacher.",
            "Dental hygienist.",
            "Plumber and gas fitter.",
        )
    ]
    path = tmp_path / "labeled.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_train_on_own_csv_with_out_of_scope_rows(tmp_path, fake_models, fake_embedder, labeled_csv):
    models = tmp_path / "models"
    shutil.copytree(fake_models, models)
    manifest = train(
        models_dir=models,
        backend="fake",
        embedder=fake_embedder,
        examples=labeled_csv,
        text_column="bio",
        label_column="label",
    )
    assert manifest["training"]["train_rows"] == 43 and manifest["training"]["examples"] == str(labeled_csv)
    training = manifest["metrics"]["training"]
    assert manifest["training"]["sources"]["own"] == 43 + len(manifest["roles"])  # + role descriptions
    assert training["train_out_of_scope"] >= 7  # + the occupations outside the catalog
    matcher = RoleMatcher.load(models_dir=models, backend="fake", embedder=fake_embedder)
    assert set(matcher.ranker.classifier.classes_) >= {"it-support", "software-engineer"}
    assert matcher.match("I fix laptops and reset passwords from the helpdesk queue.").roles


def test_own_csv_with_unknown_labels_or_columns_is_refused(tmp_path, fake_models, fake_embedder, labeled_csv):
    with pytest.raises(CorpusError, match="column 'text' not found.*bio, label"):
        train(models_dir=fake_models, backend="fake", embedder=fake_embedder, examples=labeled_csv)
    bad = tmp_path / "bad.csv"
    bad.write_text("bio,label\nhello there friend,product-manger\n")
    with pytest.raises(CorpusError, match="unknown role label"):
        train(
            models_dir=fake_models,
            backend="fake",
            embedder=fake_embedder,
            examples=bad,
            text_column="bio",
            label_column="label",
        )


def _write_examples(folder, rows_by_role):
    folder.mkdir()
    for role, rows in rows_by_role.items():
        pd.DataFrame(rows).to_csv(folder / f"{role}.csv", index=False)


def test_examples_name_the_other_roles_just_as_right(tmp_path, corpus):
    from matcher.examples import also_sets, load_examples

    folder = tmp_path / "examples"
    _write_examples(
        folder,
        {
            "software-engineer": [
                {
                    "id": "se-1",
                    "split": "train",
                    "text": "Java developer, runs builds",
                    "also": "technical-specialist",
                },
                {"id": "se-2", "split": "test", "text": "Go backend engineer", "also": ""},
            ],
            "it-support": [{"id": "it-1", "split": "train", "text": "Helpdesk analyst"}],  # no column: none
        },
    )
    frame = load_examples(folder, corpus.role_ids).set_index("id")
    assert also_sets(frame.loc[["se-1", "se-2", "it-1"]]) == [
        frozenset({"technical-specialist"}),
        frozenset(),
        frozenset(),
    ]


@pytest.mark.parametrize(
    ("role", "also", "message"),
    [
        ("software-engineer", "technical-specialist|data-wizard", "data-wizard"),
        ("software-engineer", "software-engineer", "other role ids"),
        ("out-of-scope", "it-support", "fits no role"),
    ],
)
def test_an_also_that_is_no_other_role_is_refused_with_the_row(tmp_path, corpus, role, also, message):
    from matcher.examples import load_examples

    folder = tmp_path / "examples"
    _write_examples(folder, {role: [{"id": "x-7", "split": "train", "text": "Some text", "also": also}]})
    with pytest.raises(CorpusError, match=message) as caught:
        load_examples(folder, corpus.role_ids)
    assert "x-7" in str(caught.value)
