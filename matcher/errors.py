"""Errors that tell the user what was expected, what was found, and how to fix it."""

from __future__ import annotations


class RolematchError(Exception):
    """Base class of every error rolematch raises on purpose."""


class InputTextError(RolematchError, ValueError):
    """The person's text cannot be matched (empty, binary, too long, undecodable)."""


class CorpusError(RolematchError):
    """The corpus (articles, roles, examples) is malformed."""


class ArtifactError(RolematchError):
    """Built artifacts in ``models/`` are missing, stale, corrupt or tampered with."""


class ModelUnavailableError(RolematchError):
    """The embedding model cannot be loaded."""
