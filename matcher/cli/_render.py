"""Render results as a terminal table or Markdown (JSON is ``result.to_dict()``)."""

from __future__ import annotations

import textwrap

from ..results import MatchResult, percent


def title_note(role) -> str | None:
    t = role.title_match
    if t is None or t.score < 0.6:
        return None
    where = f" ({t.occupation_title})" if t.occupation_title and t.occupation_title != t.matched else ""
    return f"your title ‘{t.text}’ ↔ {t.matched}{where}"


def render_table(result: MatchResult, width: int = 100) -> str:
    status = "no strong fit: the roles below are weak matches" if result.abstain else "fits the catalog"
    catalog = f" · catalog {result.catalog}" if result.catalog else ""
    lines = [f"fit {result.fit:.2f} ({status}) · model {result.model_version}{catalog}"]
    if result.outside_line:  # "closest occupation: …, outside this catalog" when abstaining
        lines.append(result.outside_line)
    if result.spread_line:  # fits, but no role above 50%: say why both hold
        lines.append(result.spread_line)
    if result.role_set and result.coverage:
        lines.append(f"likely roles ({result.coverage:.0%} set): {', '.join(result.role_set)}")
    lines.append(result.confidence_line)
    lines.append("")
    column = max([36, *(len(role.title) for role in result.roles)])  # long titles keep the column straight
    lines.append(f"{'#':>2}  {'role':<{column}} {'confidence':>10}")
    for rank, role in enumerate(result.roles, 1):
        flag = "  (weak)" if role.weak else ""
        lines.append(f"{rank:>2}  {role.title:<{column}} {percent(role.confidence):>10}{flag}")
        for quote in role.quotes:
            body = textwrap.fill(
                f"“{quote.text}”", width=width - 6, initial_indent="    ", subsequent_indent="     "
            )
            lines.append(body)
            lines.append(f"      — {quote.title} ({quote.source}:{quote.start}-{quote.end})")
        if title_note(role):
            lines.append("    " + title_note(role))
        if role.evidence:
            lines.append("    your text: " + textwrap.shorten(f"“{role.evidence[0].text}”", width - 18))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(result: MatchResult) -> str:
    lines = [
        f"**Fit:** {result.fit:.2f}"
        + (" — no strong fit; the roles below are weak." if result.abstain else ""),
        *([f"*{result.outside_line}*"] if result.outside_line else []),
        *([f"*{result.spread_line}*"] if result.spread_line else []),
        *(
            [f"*Likely roles ({result.coverage:.0%} set): {', '.join(result.role_set)}*"]
            if result.role_set and result.coverage
            else []
        ),
        f"*{result.confidence_line}*",
        *([f"*Catalog: {result.catalog}*"] if result.catalog else []),
        "",
        "| # | role | confidence |",
        "|---|---|---|",
    ]
    for rank, role in enumerate(result.roles, 1):
        lines.append(
            f"| {rank} | {role.title}{' (weak)' if role.weak else ''} | {percent(role.confidence)} |"
        )
    for role in result.roles:
        lines += ["", f"### {role.title}", ""]
        for quote in role.quotes:
            lines.append(  # one line each: a line break inside would end the block quote
                f"> {_one_line(quote.text)}\n>\n> — *{quote.title}* (`{quote.source}:{quote.start}-{quote.end}`)\n"
            )
        if title_note(role):
            lines.append(title_note(role) + "\n")
        if role.evidence:
            lines.append("Your text: " + "; ".join(f"“{_one_line(e.text)}”" for e in role.evidence))
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """``text`` with each run of white space, line breaks included, as one space (for a Markdown line)."""
    return " ".join(text.split())
