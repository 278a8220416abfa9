"""Where rolematch finds its corpus and built artifacts.

Defaults are the ``corpus/`` and ``models/`` folders of the project checkout; set
``ROLEMATCH_HOME`` to a folder holding both to use another copy.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    home = os.environ.get("ROLEMATCH_HOME")
    return Path(home).expanduser().resolve() if home else Path(__file__).resolve().parents[1]


def default_corpus_dir() -> Path:
    return project_root() / "corpus"


def default_models_dir(backend: str = "minilm") -> Path:
    base = project_root() / "models"
    return base if backend in INDEX_OF_MINILM else base / backend


DEFAULT_BACKEND = "onnx"  # MiniLM int8 on ONNX Runtime: no torch at run time (README, "Speed work")
INDEX_OF_MINILM = ("minilm", "onnx")  # the onnx backend is MiniLM's weights: it reads MiniLM's index


def index_backend(backend: str) -> str:
    """The backend whose index ``backend`` reads (``onnx`` → ``minilm``)."""
    return "minilm" if backend in INDEX_OF_MINILM else backend
