"""The record of a job title found in a text (``TitleSpan``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TitleSpan:
    """A job title in the person's text: ``text[start:end] == title``; ``kind`` says where it was found
    (``headline``, ``dated`` (next to a date range), ``at`` ("Title at Company"), ``sentence``)."""

    text: str
    start: int
    end: int
    kind: str
