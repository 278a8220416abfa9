"""Import the seed career articles into ``corpus/articles/``.

Each article becomes a Markdown file with YAML front matter. Web boilerplate is
removed and glued-on headings are moved to their own ``##`` lines; the article's
sentences themselves are kept exactly as written, so every quote rolematch shows
is a verbatim substring of an article file.

Usage: python scripts/import_seeds.py [SEEDS_DIR]   (default: ../shared/seeds)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Seed:
    source: str
    slug: str
    title: str
    topic: str
    drop: tuple[str, ...] = ()  # exact blocks removed (boilerplate)
    edits: tuple[tuple[str, str], ...] = ()  # exact layout edits (old, new), each must match once
    headings: tuple[str, ...] = field(default=())  # whole lines that are headings


INDUSTRY_TABLE = (
    "| | Industry Focus | Product Focus |\n"
    "| --- | --- | --- |\n"
    "| Primary Skill | Domain expertise and regulatory knowledge | Technical execution and UX design |\n"
    "| Career Mobility | High mobility across different product types within one sector "
    "| High mobility across different sectors using the same product type |\n"
    "| Main Challenge | Navigating complex legal frameworks and institutional inertia "
    "| Keeping up with rapid algorithmic and hardware advancements |\n"
    "| Key Metric | Market share and regulatory compliance | User retention and engagement rates |"
)

SEEDS = (
    Seed(
        source="000_e2fc0860aa144de7.txt",
        slug="industry-vs-product-specialist",
        title="Choosing Your Path: Industry vs. Product Roles in Tech",
        topic="industry specialist vs product specialist",
        drop=(
            "main goal\n\nWritten by\n\nin\n\n",
            " To help me tailor this article further, tell me:",
            "\n\nWhat specific industry (e.g., healthcare, finance) or product type (e.g., SaaS, AI) "
            "do you have in mind?",
            "\n\nWho is your target audience (e.g., job seekers, tech executives, students)?",
            "\n\nComments\n\nLeave a Reply\n\nYour email address will not be published. "
            "Required fields are marked *",
        ),
        edits=(
            ("Choosing Your Path: Industry vs. Product Roles in Tech When", "When"),
            (" Defining the Paths\n", "\n\n## Defining the Paths\n"),
            (" The Industry Specialist\n", "\n\n## The Industry Specialist\n"),
            (" The Product Specialist\n", "\n\n## The Product Specialist\n"),
            (
                " Key Differences At a Glance Industry Focus Product Focus Primary Skill Domain expertise "
                "and regulatory knowledge Technical execution and UX design Career Mobility\n\n"
                "High mobility across different product types within one sector\n\n"
                "High mobility across different sectors using the same product type Main Challenge\n\n"
                "Navigating complex legal frameworks and institutional inertia Keeping up with rapid "
                "algorithmic and hardware advancements Key Metric Market share and regulatory compliance "
                "User retention and engagement rates How to Choose Your Focus\n",
                "\n\n## Key Differences At a Glance\n\n"
                + INDUSTRY_TABLE
                + "\n\n## How to Choose Your Focus\n",
            ),
            (" Choose Industry If:\n", "\n\n## Choose Industry If:\n"),
            (" Choose Product If:\n", "\n\n## Choose Product If:\n"),
            (
                " The Hybrid Approach: The Ultimate Career Leverage\n",
                "\n\n## The Hybrid Approach: The Ultimate Career Leverage\n",
            ),
        ),
    ),
    Seed(
        source="001_0453b82f23c49291.txt",
        slug="it-product-management-vs-product-management",
        title="IT Product Management vs Product Management: Understanding the Key Differences",
        topic="IT product management vs product management",
        drop=(
            "IT Product Management vs Product Management: Understanding the Key Differences\n",
            "{{resources-component-1}}\n",
            "\nAdditional Resources",
        ),
        headings=(
            "Defining IT Product Management",
            "Role and Responsibilities of an IT Product Manager",
            "Key Skills for IT Product Management",
            "Understanding General Product Management",
            "Role and Responsibilities of a Product Manager",
            "Essential Skills for Product Management",
            "Key Differences Between IT Product Management and Product Management",
            "Differences in Roles and Responsibilities",
            "Skill Set Variations",
            "The Impact of Industry on Product Management",
            "Influence of IT Industry on Product Management",
            "Role of Industry in Shaping Product Management Practices",
            "Choosing Between IT Product Management and Product Management",
            "Factors to Consider",
            "Making the Right Career Choice",
        ),
    ),
    Seed(
        source="002_55477232772b3a83.txt",
        slug="product-management-vs-product-marketing",
        title="Choosing a Career – Between Product Management and Product Marketing",
        topic="product management vs product marketing",
        drop=("Choosing a Career – Between Product Management and Product Marketing\n\n",),
        headings=(
            "Product Marketing and Product Management",
            "Background Story",
            "The Emerging Product-led Professions",
            "Following a Career Path",
        ),
    ),
    Seed(
        source="003_13547509608fbbf7.txt",
        slug="technical-specialist-vs-management",
        title="Technical Specialisation or Management: A Crossroads in Your IT Career",
        topic="technical specialist vs management",
        headings=("Oh, what support tier is that?", "Who wants a way out?", "The Product Manager"),
    ),
    Seed(
        source="004_1408549296dbff59.txt",
        slug="career-paths-beyond-product-management",
        title="Upholding the Versatility of Product Managers: Exploring Career Paths Beyond Product Management",
        topic="career paths out of product management",
        drop=(
            "CareerCruise\n\nLocation:HOME\u00a0>\u00a0Workplace\u00a0>\u00a0content\n\nWorkplace\n\n"
            "Upholding the Versatility of Product Managers: Exploring Career Paths Beyond Product Management\n\n"
            "March 07, 2025Workplace4999\n"
            "Upholding the Versatility of Product Managers: Exploring Career Paths\n\n"
            "Upholding the Versatility of Product Managers: Exploring Career Paths Beyond Product Management\n\n",
        ),
        edits=(
            # a flattened list: one item per line
            (" Engineering - Moving", "\nEngineering - Moving"),
            (" Leadership and Operations - Eg.", "\nLeadership and Operations - Eg."),
            (" Founder - Utilizing", "\nFounder - Utilizing"),
            (" VC - Utilizing", "\nVC - Utilizing"),
        ),
        headings=(
            "Common Career Transitions for Product Managers",
            "Product Marketing",
            "Engineering",
            "Leadership and Operations Roles",
            "From Product Manager to Senior and Beyond",
            "Expanding the Functional Spectrum",
            "A Multitude of Opportunities",
        ),
    ),
)


def _replace_once(text: str, old: str, new: str, source: str) -> str:
    count = text.count(old)
    if count != 1:
        raise SystemExit(f"{source}: expected exactly one {old[:60]!r}, found {count}")
    return text.replace(old, new)


def clean(seed: Seed, raw: str) -> str:
    """Return the article body: boilerplate dropped, headings on their own '## ' lines."""
    text = raw.replace("\r\n", "\n")
    for block in seed.drop:
        text = _replace_once(text, block, "", seed.source)
    for old, new in seed.edits:
        text = _replace_once(text, old, new, seed.source)
    lines = [line.rstrip() for line in text.split("\n")]
    lines = [f"## {line}" if line in seed.headings else line for line in lines]
    body = "\n".join(lines)
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return body.strip() + "\n"


def render(seed: Seed, body: str) -> str:
    title = seed.title.replace('"', '\\"')
    return f'---\ntitle: "{title}"\nsource: {seed.source}\ntopic: {seed.topic}\n---\n# {seed.title}\n\n{body}'


def main(argv: list[str]) -> int:
    seeds_dir = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "seeds"
    out_dir = ROOT / "corpus" / "articles"
    out_dir.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        raw = (seeds_dir / seed.source).read_text(encoding="utf-8")
        path = out_dir / f"{seed.slug}.md"
        path.write_text(render(seed, clean(seed, raw)), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
