"""The local web page and JSON API (``rolematch serve``): FastAPI on top of the Python API.

>>> from matcher import RoleMatcher
>>> from matcher.web import create_app
>>> app = create_app(RoleMatcher.load())  # then: uvicorn.run(app, host="127.0.0.1")

Needs the ``web`` extra (``pip install rolematch[web]``); nothing here calls the network.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "WebSettings"]


def __getattr__(name: str) -> Any:
    # fastapi is imported only when the web app is actually built
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
