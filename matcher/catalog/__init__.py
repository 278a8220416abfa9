"""Your own catalog: create a catalog folder (``rolematch init``) from a template or by importing roles
from a CSV, O*NET codes or job descriptions. Where catalogs are found: ``matcher.config``."""

from __future__ import annotations

from .importers import Draft, from_csv, from_jds, from_onet
from .init import init_catalog, template_dir

__all__ = ["Draft", "from_csv", "from_jds", "from_onet", "init_catalog", "template_dir"]
