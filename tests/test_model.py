"""What the user sees, with the real MiniLM model and the committed artifacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from matcher import InputTextError
from matcher.embed import encode_documents

pytestmark = pytest.mark.model


def test_embedder_equals_sentence_transformers_encode(real_embedder):
    texts = ["Network administrator for 400 users.", "I own the roadmap and talk to customers every week."]
    ours = real_embedder.encode(texts)
    reference = real_embedder.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    assert np.allclose(ours, reference, atol=2e-2 if real_embedder.dtype == "bf16" else 1e-5)


def test_clear_bios_rank_their_role_first(real_matcher):
    bios = pd.read_csv(DATA / "clear_bios.csv")
    results = real_matcher.match(bios["text"].tolist(), top=3)
    hits = [r.roles[0].id == role for r, role in zip(results, bios["role"])]
    roles_hit = {role for role, ok in zip(bios["role"], hits) if ok}
    assert len(roles_hit) >= 12, f"top-1 right for {sorted(roles_hit)}"
    assert np.mean(hits) >= 0.85
    assert all(role in [x.id for x in r.roles] for r, role in zip(results, bios["role"]))


def test_quotes_are_verbatim_for_every_role(real_matcher, corpus):
    by_file = {f"articles/{a.path.name}": a.text for a in corpus.articles.values()}
    result = real_matcher.match("IT support lead: tickets, escalations, first and second line.", top=14)
    for role in result.roles:
        assert role.quotes
        for q in role.quotes:
            assert by_file[q.source][q.start : q.end] == q.text


def test_the_end_of_a_long_resume_is_not_ignored(real_matcher, real_embedder):
    text = (DATA / "long_resume_end.txt").read_text()
    assert len(text.split()) > 1200
    doc = encode_documents(real_embedder, [text])[0]
    assert len(doc.chunks) >= 4
    covered = " ".join(doc.spans[i].text for c in doc.chunks for i in c)
    assert covered.split() == " ".join(s.text for s in doc.spans).split()
    result = real_matcher.match(text, top=3)
    assert "product-marketing-manager" in [r.id for r in result.roles]
    pmm = next(r for r in result.roles if r.id == "product-marketing-manager")
    tail = text[-2000:]
    assert any(e.text in tail for e in pmm.evidence)


def test_out_of_scope_bios_abstain_and_clear_bios_do_not(real_matcher):
    oos = pd.read_csv(DATA / "out_of_scope_bios.csv")
    results = real_matcher.match(oos["text"].tolist(), top=3)
    assert np.mean([r.abstain for r in results]) >= 0.8
    assert all(r.roles and all(x.weak for x in r.roles) for r in results if r.abstain)
    clear = pd.read_csv(DATA / "clear_bios.csv")
    assert np.mean([r.abstain for r in real_matcher.match(clear["text"].tolist())]) <= 0.1


@pytest.mark.parametrize("text", ["", "   \n ", "\x00\x01binary\x00junk", "a" * 5_000_000])
def test_bad_inputs_get_a_clear_error(real_matcher, text):
    with pytest.raises(InputTextError) as info:
        real_matcher.match(text)
    assert len(str(info.value)) > 20


def test_a_big_but_allowed_text_gets_a_bounded_answer(real_matcher):
    text = "I configure firewalls and VPNs for a hospital network. " * 2500  # ~140k characters
    result = real_matcher.match(text, top=3)
    assert len(result.roles) == 3 and result.n_chunks > 50


def test_build_and_train_reproduce_the_committed_artifacts(tmp_path, real_matcher):
    """`rolematch build` from the same corpus and model gives the committed vectors and classifier (to 1e-5:
    the committed ones were built on one CPU, and fp32 kernels for another instruction set round differently)."""
    from conftest import ROOT

    from matcher import RoleMatcher
    from matcher.build import build
    from matcher.embed import load_embedder

    out = tmp_path / "models"
    manifest = build(models_dir=out, embedder=load_embedder("minilm", dtype="fp32", batch_invariant=False))
    committed = ROOT / "models"
    vectors = ("role_vectors", "passage_vectors", "signal_vectors", "title_vectors", "occupation_vectors")
    for name in (f"{v}.npy" for v in vectors):
        assert np.allclose(np.load(out / name), np.load(committed / name), atol=1e-5), name
    for name in ("grounding.npy", "title_roles.npy", "title_occupations.npy"):  # the reference titles too
        assert (out / name).read_bytes() == (committed / name).read_bytes(), name
    rebuilt = RoleMatcher.load(models_dir=out, embedder=real_matcher.embedder)
    texts = pd.read_csv(DATA / "clear_bios.csv")["text"].tolist()[:6]
    for a, b in zip(rebuilt.match(texts, top=14), real_matcher.match(texts, top=14)):
        assert [r.id for r in a.roles] == [r.id for r in b.roles]
        assert np.allclose([r.score for r in a.roles], [r.score for r in b.roles], atol=1e-5)
    # same inputs, same artifacts: identical bytes in a fresh process; within one process that already ran
    # the bf16 model, fp32 sums may differ in the last bit, so the classifier is compared by its scores above
    assert manifest["corpus_sha256"] == real_matcher.manifest["corpus_sha256"]


def test_a_software_engineers_quotes_are_prose_not_list_headings(real_matcher, corpus):
    from matcher.explain import is_quotable, quotable_mask

    assert np.array_equal(real_matcher.index.quotable, quotable_mask(corpus.passages))  # set at load
    resume = (
        "Software Engineer with 6 years of backend development. I build services in Python and Go, review "
        "code, write tests and run deployments on Kubernetes. Moved from support into engineering in 2019."
    )
    result = real_matcher.match(resume, top=14, quotes=3)
    engineer = next(r for r in result.roles if r.id == "software-engineer")
    assert engineer in result.roles[:3]
    assert engineer.quotes and all(is_quotable(q.text) for q in engineer.quotes)
    assert not any(" - " in q.text[:40] for q in engineer.quotes)  # "Engineering - Moving into …"
    for role in result.roles:  # every role with a prose passage is quoted in prose
        grounded = corpus.grounding[role.id]
        if any(is_quotable(corpus.passages[i].text) for i in grounded):
            assert all(is_quotable(q.text) for q in role.quotes), role.id
