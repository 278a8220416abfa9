"""rolematch: which roles fit a resume or bio, how sure, and why (offline).

>>> from matcher import RoleMatcher
>>> m = RoleMatcher.load()
>>> result = m.match("I run go-to-market launches for a SaaS product.", top=3)
>>> result.roles[0].id, result.roles[0].quotes[0].text
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ArtifactError, CorpusError, InputTextError, ModelUnavailableError, RolematchError
from .matcher import RoleMatcher, load
from .read import Document, FileReadError, read_bytes, read_file
from .results import Evidence, MatchResult, Quote, RoleMatch

__all__ = [
    "RoleMatcher",
    "load",
    "MatchResult",
    "RoleMatch",
    "Quote",
    "Evidence",
    "RolematchError",
    "InputTextError",
    "ArtifactError",
    "CorpusError",
    "ModelUnavailableError",
    "Document",
    "FileReadError",
    "read_file",
    "read_bytes",
]
