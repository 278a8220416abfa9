"""Rich notebook display: a ``MatchResult`` as HTML role cards (``MatchResult._repr_html_`` calls this).

Every value is escaped with ``html.escape``; styles are inline and nothing external is loaded, so the
output is safe to show for any input text and renders the same offline.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .results import percent

if TYPE_CHECKING:
    from .results import Evidence, MatchResult, Quote, RoleMatch

_CARD = (
    "border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:6px 0;background:#fff;color:#1f2328"
)
_WEAK_CARD = _CARD.replace("#fff", "#f6f8fa") + ";opacity:0.85"
_MUTED = "color:#59636e;font-size:0.85em"
_QUOTE = "margin:6px 0 6px 0;padding:4px 10px;border-left:3px solid #8c959f;font-style:italic"
_MINE = "margin:2px 0 6px 14px;font-size:0.85em;color:#0b5394"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def score_bar(value: float, color: str = "#2f81f7", width_px: int = 160, label: str | None = None) -> str:
    """A horizontal bar of ``value`` in [0, 1] (clamped), with ``label`` (default: the number) beside it."""
    share = min(max(float(value), 0.0), 1.0)
    outer = f"display:inline-block;width:{width_px}px;height:10px;background:#eaeef2;border-radius:5px;"
    inner = f"display:block;width:{100 * share:.1f}%;height:10px;background:{color};border-radius:5px"
    return (
        f'<span style="{outer}vertical-align:middle"><span style="{inner}"></span></span> '
        f'<span style="{_MUTED}">{_e(f"{value:.2f}" if label is None else label)}</span>'
    )


def _mine(evidence: Evidence, label: str = "your text") -> str:
    return f'<div style="{_MINE}">↳ {_e(label)}: “{_e(evidence.text)}”</div>'


def quote_html(quote: Quote) -> str:
    """A quote as a block quote with its article title, section and offsets, then the person's sentence."""
    where = f"{quote.source}:{quote.start}-{quote.end}"
    section = f" · {_e(quote.section)}" if quote.section else ""
    out = (
        f'<blockquote style="{_QUOTE}">“{_e(quote.text)}”'
        f'<div style="{_MUTED};font-style:normal">— <b>{_e(quote.title)}</b>{section} '
        f"<code>{_e(where)}</code></div></blockquote>"
    )
    if quote.matched is not None:
        out += _mine(quote.matched, "matches your sentence")
    return out


def role_html(rank: int, role: RoleMatch) -> str:
    """One role card: rank, title, one bar (the confidence, as a percentage), quotes and the person's
    sentences. The ranking score and the signals stay in ``to_dict()``: one number per role here."""
    flag = ' <span style="color:#9a6700;font-size:0.85em">(weak)</span>' if role.weak else ""
    head = (
        f"<div><b>{_e(rank)}. {_e(role.title)}</b>{flag} "
        f'<span style="{_MUTED}">{_e(role.id)}</span></div>'
        f'<div class="rolematch-confidence">'
        f"{score_bar(role.confidence, '#1a7f37', label=f'{percent(role.confidence)} confidence')}</div>"
    )
    quotes = "".join(quote_html(q) for q in role.quotes)
    evidence = ""
    if role.evidence:
        items = "".join(
            f'<li>“{_e(e.text)}” <span style="{_MUTED}">(similarity {_e(f"{e.score:.2f}")})</span></li>'
            for e in role.evidence
        )
        evidence = (
            f'<div style="{_MUTED};margin-top:4px">Your sentences that drove this role:</div>'
            f'<ul style="margin:2px 0 2px 18px;padding:0">{items}</ul>'
        )
    style = _WEAK_CARD if role.weak else _CARD
    return f'<div style="{style}">{head}{quotes}{evidence}</div>'


def result_html(result: MatchResult) -> str:
    """The whole result: a header (fit, abstention, the closest occupation outside the catalog when it
    abstains, a note when no single role is clear, role set, model version), warnings, then role cards."""
    status = "no strong fit: the roles below are weak matches" if result.abstain else "fits the catalog"
    header = (
        f"<div><b>Fit</b> {score_bar(result.fit, '#8250df')} <span>{_e(status)}</span> "
        f'<span style="{_MUTED}">· model {_e(result.model_version)} · {_e(result.n_sentences)} '
        f"sentence(s), {_e(result.n_chunks)} chunk(s)</span></div>"
    )
    for line in (result.outside_line, result.spread_line):  # the CLI's lines, in the CLI's order
        if line:
            header += f"<div>{_e(line)}</div>"
    if result.role_set and result.coverage:
        header += (
            f'<div style="{_MUTED}">likely roles ({_e(percent(result.coverage))} set): '
            f"{_e(', '.join(result.role_set))}</div>"
        )
    header += f'<div style="{_MUTED}">{_e(result.confidence_line)}</div>'
    warnings = "".join(f'<div style="color:#9a6700">⚠ {_e(w)}</div>' for w in result.warnings)
    cards = "".join(role_html(rank, role) for rank, role in enumerate(result.roles, 1))
    return (
        f'<div class="rolematch-result" style="font-family:sans-serif;font-size:14px;max-width:900px">'
        f"{header}{warnings}{cards}</div>"
    )
