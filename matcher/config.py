"""Where rolematch finds its catalog: the role sources (``roles.yaml``, ``articles/``…) and the built models.

A *catalog* is a folder. Two layouts are recognised:

- ``DIR/roles.yaml`` + ``DIR/articles/`` (+ ``examples/``, ``paths.yaml``, ``onet/``) and ``DIR/models/``:
  what ``rolematch init DIR`` creates;
- ``DIR/corpus/roles.yaml`` … and ``DIR/models/``: the bundled catalog, i.e. the project checkout.

Which catalog is used: ``--catalog DIR`` / ``catalog=``, else ``ROLEMATCH_CATALOG``, else the bundled one
(the project checkout, or ``ROLEMATCH_HOME`` when set).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

CATALOG_ENV = "ROLEMATCH_CATALOG"
DEFAULT_BACKEND = "onnx"  # MiniLM int8 on ONNX Runtime: no torch at run time (README, "Speed work")
INDEX_OF_MINILM = ("minilm", "onnx")  # the onnx backend is MiniLM's weights: it reads MiniLM's index


def project_root() -> Path:
    home = os.environ.get("ROLEMATCH_HOME")
    return Path(home).expanduser().resolve() if home else Path(__file__).resolve().parents[1]


def bundled_onet_dir() -> Path:
    """The O*NET occupation backbone that ships with rolematch (used by every catalog that gives codes)."""
    return Path(__file__).resolve().parents[1] / "corpus" / "onet"


@dataclass(frozen=True)
class Catalog:
    """A catalog folder: ``corpus_dir`` holds its sources, ``root / "models"`` its built artifacts."""

    root: Path
    corpus_dir: Path
    bundled: bool = False

    def models_dir(self, backend: str = "minilm") -> Path:
        base = self.root / "models"
        return base if backend in INDEX_OF_MINILM else base / backend

    def build_command(self, backend: str = "minilm") -> str:
        """The command that (re)builds this catalog's models."""
        flags = "" if self.bundled else f" --catalog {self.root}"
        if index_backend(backend) != "minilm":
            flags += f" --backend {backend}"
        return f"rolematch build{flags}"


def resolve_catalog(catalog: str | Path | None = None) -> Catalog:
    """The catalog to use: ``catalog``, else ``$ROLEMATCH_CATALOG``, else the bundled one.

    Raises ``CorpusError`` (with what to do) when the folder is not a catalog.
    """
    given = catalog if catalog not in (None, "") else os.environ.get(CATALOG_ENV) or None
    if given is None:
        return bundled_catalog()
    root = Path(given).expanduser().resolve()
    bundled = root == project_root()
    if (root / "roles.yaml").is_file():
        return Catalog(root, root, bundled)
    if (root / "corpus" / "roles.yaml").is_file():
        return Catalog(root, root / "corpus", bundled)
    if not root.is_dir():
        raise CorpusError(f"catalog folder {root} does not exist; create one with `rolematch init {root}`")
    raise CorpusError(
        f"{root} is not a catalog: it has no roles.yaml (nor corpus/roles.yaml); "
        f"create one with `rolematch init {root}`"
    )


def bundled_catalog() -> Catalog:
    """The catalog that ships with rolematch (``corpus/`` and ``models/`` of the project)."""
    root = project_root()
    return Catalog(root, root / "corpus", bundled=True)


def default_corpus_dir() -> Path:
    """The bundled catalog's sources (``ROLEMATCH_CATALOG`` is read by ``resolve_catalog`` only)."""
    return bundled_catalog().corpus_dir


def default_models_dir(backend: str = "minilm") -> Path:
    """The bundled catalog's models (the static embedder's weights live there for every catalog)."""
    return bundled_catalog().models_dir(backend)


def index_backend(backend: str) -> str:
    """The backend whose index ``backend`` reads (``onnx`` → ``minilm``)."""
    return "minilm" if backend in INDEX_OF_MINILM else backend
