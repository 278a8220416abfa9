"""``init_catalog``: create a catalog folder (documented ``roles.yaml``, ``articles/``, optional
``examples/`` and paths, a README), from the bundled template or from imported roles."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from ..errors import CorpusError
from .importers import Draft

logger = logging.getLogger(__name__)

_HEADER = """\
# roles.yaml: the roles of this catalog. rolematch matches a person's text against them.
#
# Each role needs only id, title and description. Optional: titles (other job titles), onet (O*NET-SOC
# codes: the bundled occupation backbone then counts in the ranking), signals (short skill phrases),
# articles (articles/<name>.md that ground the role: its quotes) and mentions (regular expressions:
# passages of any article that match ground the role). See README.md.
# After any change, rebuild the models:   rolematch build --catalog {root}
"""


def template_dir() -> Path:
    """The bundled example catalog (a data folder of the package)."""
    return Path(str(resources.files("matcher.catalog") / "templates"))


def _check_target(root: Path) -> None:
    if (root / "roles.yaml").exists():
        raise CorpusError(f"{root} already holds a catalog (roles.yaml); pick a new folder or edit that one")
    if root.exists() and not root.is_dir():
        raise CorpusError(f"{root} is a file; give a folder name for the catalog")
    if root.is_dir() and any(p.name != ".git" for p in root.iterdir()):
        raise CorpusError(f"{root} is not empty; give a new or empty folder for the catalog")


def init_catalog(root: str | Path, drafts: Sequence[Draft] = (), name: str | None = None) -> Path:
    """Create a catalog in ``root`` (new or empty): the template's example role, or ``drafts``.

    Returns ``root``. Raises ``CorpusError`` if ``root`` is not empty or the drafts clash.
    """
    root = Path(root)
    _check_target(root)
    templates = template_dir()
    ids = [d.id for d in drafts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        where = [d.origin for d in drafts if d.id in duplicates]
        raise CorpusError(
            f"two imported roles get the same id {duplicates[0]!r} ({'; '.join(where)}); rename a source"
        )
    root.mkdir(parents=True, exist_ok=True)
    (root / "articles").mkdir(exist_ok=True)
    (root / "examples").mkdir(exist_ok=True)
    shutil.copyfile(templates / "README.md", root / "README.md")
    shutil.copyfile(templates / "examples" / "README.md", root / "examples" / "README.md")
    shutil.copyfile(templates / "paths.example.yaml", root / "paths.example.yaml")
    if not drafts:
        text = (templates / "roles.yaml").read_text(encoding="utf-8")
        if name:
            text = text.replace("name: My catalog ", f"name: {yaml.safe_dump(name).splitlines()[0]} ", 1)
        (root / "roles.yaml").write_text(text, encoding="utf-8")
        shutil.copyfile(templates / "articles" / "data-analyst.md", root / "articles" / "data-analyst.md")
        logger.info("Catalog - created %s with the example role", root)
        return root
    for d in drafts:
        if d.article_body:
            (root / "articles" / f"{d.id}.md").write_text(article_text(d), encoding="utf-8")
    (root / "roles.yaml").write_text(roles_yaml(drafts, name or root.resolve().name, root), encoding="utf-8")
    logger.info("Catalog - created %s with %d roles", root, len(drafts))
    return root


def article_text(d: Draft) -> str:
    """An article file: front matter (title, source, topic) and the body."""
    meta = {"title": d.article_title or d.title, "source": d.article_source or d.origin, "topic": d.title}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{d.article_body.strip()}\n"


def roles_yaml(drafts: Sequence[Draft], name: str, root: Path) -> str:
    """``roles.yaml`` for ``drafts``: the documented header, then one entry per role."""
    entries = []
    for d in drafts:
        entry: dict = {"id": d.id, "title": d.title, "description": d.description}
        if d.titles:
            entry["titles"] = list(d.titles)
        if d.onet:
            entry["onet"] = list(d.onet)
        if d.article_body:
            entry["articles"] = [d.id]
        entries.append(entry)
    body = yaml.safe_dump(
        {"name": name, "version": 1, "roles": entries}, sort_keys=False, allow_unicode=True, width=100
    )
    return _HEADER.format(root=root) + body
