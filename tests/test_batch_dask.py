"""The Dask engine gives exactly the local engine's output, loading the model once per worker."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from matcher.batch import run_batch
from matcher.batch.worker import load_count

distributed = pytest.importorskip("dask.distributed")

BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
    "",
    "Head of product for three teams: strategy, roadmap and hiring product managers.",
]


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
        distributed.Client(c) as cl,
    ):
        yield cl


@pytest.fixture
def people(tmp_path):
    rows = {
        "id": [f"c{i % 37}" for i in range(90)],
        "bio": [f"{BIOS[i % 5]} Note {i}." * (i % 5 != 3) for i in range(90)],
    }
    path = tmp_path / "people.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_dask_output_is_identical_to_the_local_engine(
    client, fake_matcher, fake_models, people, tmp_path, suffix
):
    local = run_batch(
        str(people), tmp_path / f"local.{suffix}", text_column="bio", matcher=fake_matcher, chunk_rows=7
    )
    remote = run_batch(
        str(people),
        tmp_path / f"dask.{suffix}",
        text_column="bio",
        backend="fake",
        models_dir=fake_models,
        engine="dask",
        client=client,
        chunk_rows=7,
    )
    assert (remote.rows_ok, remote.rows_error) == (local.rows_ok, local.rows_error) == (72, 18)
    assert (tmp_path / f"dask.{suffix}").read_bytes() == (tmp_path / f"local.{suffix}").read_bytes()


def test_each_worker_loads_the_model_once(client, fake_models, people, tmp_path):
    for name in ("a.csv", "b.csv"):  # 26 partitions over two runs
        run_batch(
            str(people),
            tmp_path / name,
            text_column="bio",
            backend="fake",
            models_dir=fake_models,
            engine="dask",
            client=client,
            chunk_rows=7,
        )
    assert sorted(client.run(load_count).values()) == [1, 1]


def test_without_a_scheduler_a_local_cluster_is_started(fake_matcher, fake_models, people, tmp_path):
    run_batch(str(people), tmp_path / "local.csv", text_column="bio", matcher=fake_matcher)
    run_batch(
        str(people),
        tmp_path / "dask.csv",
        text_column="bio",
        backend="fake",
        models_dir=fake_models,
        engine="dask",
    )
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(logging.DEBUG, logging.INFO), (logging.WARNING, logging.WARNING), (logging.ERROR, logging.ERROR)],
)
def test_dask_cluster_chatter_follows_our_log_level(monkeypatch, ours, theirs):
    from matcher.batch.dask_engine import _distributed

    monkeypatch.setattr(logging.getLogger(), "level", ours)
    chatter = logging.getLogger("distributed")
    monkeypatch.setattr(chatter, "level", logging.INFO)  # what Dask sets on import
    _distributed()
    assert chatter.level == theirs  # Dask's INFO chatter only at -vv (our DEBUG)
