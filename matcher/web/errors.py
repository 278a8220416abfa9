"""JSON error answers that say what was expected, what was found, and what to do.

Every error body is ``{"detail": "<one clear sentence>"}`` (validation errors add ``errors``:
the field locations and messages, never the submitted values, so no resume text is echoed).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import InputTextError
from .worker import WorkFailed, WorkTimeout

logger = logging.getLogger(__name__)

#: What a correct request to each endpoint looks like, appended to validation messages.
HINTS = {
    "/api/match": 'send JSON like {"text": "I run product launches...", "top": 5}, '
    "or multipart/form-data with file=@cv.pdf",
    "/api/batch": "send multipart/form-data with file=@resumes.csv (or .xlsx, .tsv, .jsonl, .parquet; and "
    "text_column=text) or file=@resumes.zip",
    "/api/rank": "send multipart/form-data with file=@candidates.csv (or .xlsx, .zip, ...) and "
    "role=product-marketing-manager",
}


def validation_message(errors: list[dict[str, Any]], path: str) -> str:
    """One sentence from pydantic's error list: the first problem, with the endpoint's hint."""
    hint = HINTS.get(path, "")
    if not errors:
        return f"the request is not valid; {hint}".rstrip("; ")
    first = errors[0]
    if first.get("type") == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "malformed JSON")
        message = f"the body is not valid JSON ({reason} at character {first['loc'][-1]})"
    else:
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
        message = f"{where}: {first.get('msg', 'invalid value')}"
        if first.get("type") == "missing":
            message = f"the field '{where}' is missing"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return f"{message}; {hint}" if hint else message


def _public_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors
    ]


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    body = {"detail": validation_message(errors, request.url.path), "errors": _public_errors(errors)}
    return JSONResponse(body, status_code=422)


async def _on_http(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _on_input_text(request: Request, exc: InputTextError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


async def _on_timeout(request: Request, exc: WorkTimeout) -> JSONResponse:
    detail = (
        f"{exc}; the server is busy or the input is very long: try again, send a shorter text, "
        "or use the command line (rolematch match) for large jobs"
    )
    return JSONResponse({"detail": detail}, status_code=504)


async def _on_failed(request: Request, exc: WorkFailed) -> JSONResponse:
    detail = f"internal error while matching ({exc}); the server log has the details"
    return JSONResponse({"detail": detail}, status_code=500)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # the exception message may quote input, so log its type and stack only
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "Serve - %s %s failed with %s\n%s", request.method, request.url.path, type(exc).__name__, stack
    )
    return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)


def install(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(InputTextError, _on_input_text)
    app.add_exception_handler(WorkTimeout, _on_timeout)
    app.add_exception_handler(WorkFailed, _on_failed)
    app.add_exception_handler(Exception, _on_unexpected)
