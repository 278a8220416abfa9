"""Result objects: frozen dataclasses that the API, CLI, web page and batch output all serialise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


@dataclass(frozen=True)
class Evidence:
    """A sentence of the person's text that drove a match: ``MatchResult.analysed_text[start:end] == text``
    (offsets index the analysed text: the input normalised, contact details redacted, wording neutral).
    Its ``repr`` leaves the sentence out (personal data: a repr ends up in logs and tracebacks)."""

    text: str = field(repr=False)
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Quote:
    """A verbatim passage of a corpus article: ``article_file_text[start:end] == text``."""

    text: str
    source: str  # article file, relative to the corpus folder (e.g. "articles/x.md")
    title: str
    section: str
    start: int
    end: int
    score: float
    matched: Evidence | None = None  # the person's sentence closest to this passage


@dataclass(frozen=True)
class TitleMatch:
    """A job title the person names, next to the closest reference title of a role or occupation.

    ``start``/``end`` index the analysed text (``MatchResult.text``); ``occupation`` is the O*NET-SOC
    code the reference title comes from (``None`` for a role's own title). Its ``repr`` leaves the
    person's title out (personal data)."""

    text: str = field(repr=False)
    start: int
    end: int
    matched: str
    occupation: str | None
    occupation_title: str | None
    score: float


def percent(p: float, decimals: int = 0) -> str:
    """A probability as people read it: "64%", and ">99%" or "<1%" where rounding would claim certainty
    (a model's probability is never quite 0 or 1); ``decimals=1`` for a ranking that needs finer steps:
    "6.9%", ">99.9%", "<0.1%". Worked out from the 4 decimals the JSON and CSV carry, halves rounded up, so
    that the page (``pct`` in ``web/static/app.js``) writes the same."""
    p = round(p, 4)
    scale = 10**decimals  # steps per percent
    half = 0.5 / (100 * scale)  # what rounds to the smallest step shown
    if p < half:
        return f"<{1 / scale:.{decimals}f}%"
    if p >= 1 - half:
        return f">{100 - 1 / scale:.{decimals}f}%"
    return f"{math.floor(100 * scale * p + 0.5) / scale:.{decimals}f}%"


UNCALIBRATED = "not calibrated (no labelled examples)"  # the confidence of a catalog without examples

#: What a role's confidence means, in one line: the table, the Markdown and the notebook display print it.
CONFIDENCE_NOTE = (
    "confidence: the chance this role is right, counting the chance that no role fits (never above fit)"
)

#: Under this confidence the top role of a result that does not abstain is not "clear": ``spread_line``.
CLEAR_ROLE = 0.5

#: Why a result can fit the catalog while no role is likely: fit is the chance that *some* role fits, and
#: that chance is shared among overlapping roles. ``MatchResult.spread_line`` fills ``{fit}`` (fit to 2
#: decimals) for the CLI, the Markdown and the notebook display; the page (``spreadLine`` in
#: ``web/static/app.js``) fills the same template (a test holds the two to the same text).
SPREAD_NOTE = "no single role is clear: the chance that some role fits ({fit}) is spread over several roles"


@dataclass(frozen=True)
class Occupation:
    """An O*NET occupation close to the text (``inside``: covered by a role of the catalog)."""

    code: str
    title: str
    score: float
    inside: bool


@dataclass(frozen=True, repr=False)
class RoleMatch:
    """One ranked role: fused score, calibrated confidence, signals, quotes and evidence.

    ``repr``: ``RoleMatch(id='strategy', confidence=0.27, score=0.28, weak=False, quotes=2, evidence=3)``
    (counts, not the quotes or the person's sentences)."""

    id: str
    title: str
    score: float  # fused ranking score in [0, 1]: orders the roles; not a probability (see confidence)
    confidence: float  # probability that this role is right, counting the chance that none fits (≤ fit)
    similarity: float  # similarity signal alone, [0, 1]
    classifier: float | None  # classifier probability alone (None without a classifier)
    weak: bool  # True when the whole result abstains or this role's confidence is low
    quotes: tuple[Quote, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    conditional_confidence: float | None = None  # P(this role | some role of the catalog fits)
    title_match: TitleMatch | None = None  # the person's title closest to this role's titles

    def __repr__(self) -> str:
        return (
            f"RoleMatch(id={self.id!r}, confidence={self.confidence:.2f}, score={self.score:.2f}, "
            f"weak={self.weak}, quotes={len(self.quotes)}, evidence={len(self.evidence)})"
        )


@dataclass(frozen=True, repr=False)
class MatchResult:
    """The answer for one text: ranked roles, fit, abstention and provenance.

    ``repr``: ``MatchResult(fit=0.98, top=[product-manager 94%, product-leader 3%, ...], abstain=False,
    ...)``: numbers and ids only, never the person's text, titles or sentences (``to_dict()`` has it all).
    """

    roles: tuple[RoleMatch, ...]
    fit: float  # probability that some role of the catalog fits the text, [0, 1]
    abstain: bool  # True: no role fits well (the roles are still shown, marked weak)
    model_version: str
    n_sentences: int
    n_chunks: int
    role_set: tuple[str, ...] = ()  # conformal prediction set, when available
    coverage: float | None = None
    paths: dict[str, Any] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    closest_occupation: Occupation | None = None  # the closest O*NET occupation outside the catalog
    titles: tuple[str, ...] = ()  # the job titles found in the text
    #: The text every ``Evidence`` offset indexes: the input after validation, redaction of contact
    #: details and the name, and gender-neutral rewording (``matcher.embed.prepare_text``).
    analysed_text: str | None = None
    catalog: str | None = None  # the name of the role catalog matched against
    #: False when the catalog has no labelled examples: ``confidence`` is then a softmax of similarities,
    #: not a probability; ``confidence_note`` says so ("not calibrated (no labelled examples)").
    confidence_calibrated: bool = True
    confidence_note: str | None = None

    @property
    def confidence_line(self) -> str:
        """What ``confidence`` means for this result, in one line (calibrated, or not: no labelled examples)."""
        if self.confidence_calibrated:
            return CONFIDENCE_NOTE
        return (
            f"confidence {self.confidence_note or 'not calibrated'}: a share among the roles scaled by fit, "
            "not a measured probability"
        )

    @property
    def spread_line(self) -> str | None:
        """When the result fits the catalog but its top role's confidence is under ``CLEAR_ROLE`` (50%),
        one line that says why both hold (``SPREAD_NOTE``); else ``None``. Nothing here changes a number."""
        if self.abstain or not self.roles or self.roles[0].confidence >= CLEAR_ROLE:
            return None
        return SPREAD_NOTE.format(fit=f"{self.fit:.2f}")

    @property
    def outside_line(self) -> str | None:
        """ "closest occupation: Registered Nurses (29-1141.00), outside this catalog" when abstaining."""
        occ = self.closest_occupation
        if not self.abstain or occ is None:
            return None
        return f"closest occupation: {occ.title} ({occ.code}), outside this catalog"

    @property
    def top(self) -> RoleMatch:
        return self.roles[0]

    def __repr__(self) -> str:
        shown = [f"{r.id} {percent(r.confidence)}" for r in self.roles[:3]]
        if len(self.roles) > 3:
            shown.append("...")
        parts = [f"fit={self.fit:.2f}", f"top=[{', '.join(shown)}]", f"abstain={self.abstain}"]
        if self.closest_occupation is not None:
            parts.append(f"closest_occupation={self.closest_occupation.code!r}")
        if not self.confidence_calibrated:
            parts.append("confidence_calibrated=False")
        if self.warnings:
            parts.append(f"warnings={len(self.warnings)}")
        if self.catalog is not None:
            parts.append(f"catalog={self.catalog!r}")
        parts.append(f"model_version={self.model_version!r}")
        return f"MatchResult({', '.join(parts)})"

    def after_reading(self, warnings: Sequence[str]) -> MatchResult:
        """This result with the read stage's warnings first (a file's); a repair that the read stage and
        the text stage both report is said once."""
        return replace(self, warnings=tuple(dict.fromkeys((*warnings, *self.warnings))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (floats rounded to 4 places): the same shape everywhere."""
        return _rounded(asdict(self))

    def _repr_html_(self) -> str:
        """Role cards with a confidence bar, quotes and the person's sentences, for Jupyter."""
        from .display import result_html

        return result_html(self)
