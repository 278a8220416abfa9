"""``create_app(matcher)``: the page at ``/`` and the JSON API, over an already-loaded ``RoleMatcher``.

Routes: ``GET /`` (the page), ``POST /api/match``, ``POST /api/batch``, ``POST /api/rank``, ``GET /api/roles``,
``GET /healthz``, ``GET /docs`` (offline API docs) and ``GET /openapi.json``. The app holds no
matching logic: it validates, queues the call on the single model thread, and serialises the
same ``MatchResult.to_dict()`` as the CLI.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import RolematchError
from ..results import UNCALIBRATED, MatchResult
from . import errors
from .middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from .tables import CSV_TYPE, csv_bytes, jsonl_bytes, read_upload, score_table
from .worker import ModelWorker

if TYPE_CHECKING:
    from ..batch.readers import Table

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
#: The two ways to send /api/match one resume, for messages.
MATCH_BODIES = 'a resume file as multipart/form-data (file=@cv.pdf), or the text as JSON ({"text": "..."})'


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web server: JSON body size and multipart upload size (bytes: a 10 MB resume file
    and its form), per-request deadline (s), CSV rows or zip files per batch."""

    max_body_bytes: int = 1_000_000
    timeout_s: float = 30.0
    max_batch_rows: int = 200
    max_upload_bytes: int = 10_500_000

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "timeout_s", "max_batch_rows", "max_upload_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"WebSettings.{name} must be a positive number, got {value!r}")


class MatchRequest(BaseModel):
    """Body of ``POST /api/match``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The resume or bio, as plain text.")
    top: int = Field(5, ge=1, le=50, description="How many roles to return (capped at the catalog size).")
    quotes: int = Field(3, ge=0, le=5, description="Supporting quotes per role.")
    paths: bool = Field(
        False,
        description="Also fill `paths`: the current role and up to 4 next moves, each with the reason, what "
        "it takes, verbatim article quotes (source, start, end), strengths (with the sentence of the text "
        "that shows each) and gaps (with the passage that names each); a hybrid note when the text shows "
        "both sides of a hybrid pair; a note for a role without moves. Off: `paths` is null.",
    )


class Health(BaseModel):
    status: str
    model_version: str
    roles: int


async def require_json(request: Request) -> None:
    """415 unless the request declares a JSON body."""
    declared = request.headers.get("content-type", "")
    media = declared.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        found = f"'{declared}'" if declared else "no Content-Type"
        raise HTTPException(
            415, f"expected Content-Type: application/json, got {found}; {errors.HINTS['/api/match']}"
        )


def create_app(matcher: Any, settings: WebSettings | None = None) -> FastAPI:
    """The FastAPI app serving ``matcher`` (loaded once, by the caller); see the module docstring."""
    settings = settings or WebSettings()
    worker = ModelWorker()
    n_roles = len(matcher.corpus.roles)
    role_catalog = _catalog(matcher)
    catalog_summary = {
        "name": getattr(matcher, "catalog_name", "catalog"),
        "roles": [{"id": r.id, "title": r.title} for r in matcher.corpus.roles],
        "confidence_calibrated": bool(getattr(matcher, "calibrated", True)),
        "confidence_note": None if getattr(matcher, "calibrated", True) else UNCALIBRATED,
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        worker.close()

    app = FastAPI(
        title="rolematch",
        version=__version__,
        description="Offline role matcher: paste a resume or bio; get ranked roles, confidence and quotes.",
        docs_url=None,  # FastAPI's default pages load Swagger UI from a CDN; /docs is served locally
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.matcher = matcher
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(SecurityHeadersMiddleware)  # added last = outermost: also on 413 answers
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    @app.post(
        "/api/match",
        summary="Match one text or resume file",
        response_model=MatchResult,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}},
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/MatchUpload"}},
                },
            }
        },
        responses={
            413: {"description": "Body over the size limit (1 MB of JSON, 10 MB file)"},
            415: {"description": "Neither JSON nor multipart/form-data"},
            422: {
                "description": "Empty, binary or too long text; an unreadable file (scan, encrypted, ...); "
                "a form with a text field (send a file or JSON, not both)"
            },
            504: {"description": "Took longer than the per-request deadline"},
        },
    )
    async def match(request: Request) -> JSONResponse:
        """Rank the roles for one text (JSON) or one resume file (multipart: `file`, `top`, `paths`), not
        both: a form that also holds a `text` field is refused (422) rather than read in part.

        The answer is exactly MatchResult.to_dict(): the JSON of `rolematch match --format json`
        (with `"paths": true`, of `rolematch match --paths --format json`). A file (.pdf, .docx,
        .txt, .md, told apart by its bytes) is read by the read stage; its warnings lead `warnings`.
        """
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media == "multipart/form-data":
            body, data, filename = await _upload(request)
        else:
            await require_json(request)
            body, data, filename = _json_body(await request.body()), None, None
        top = min(body.top, n_roles)

        def work() -> MatchResult:
            if data is None:
                return matcher.match(body.text, top=top, quotes=body.quotes, paths=body.paths)
            from ..read import read_bytes

            document = read_bytes(data, filename)
            result = matcher.match(document.text, top=top, quotes=body.quotes, paths=body.paths)
            return result.after_reading(document.warnings)

        result = await worker.run(work, settings.timeout_s)
        return JSONResponse(result.to_dict())

    upload_fields = {
        "sheet": "Sheet of an .xlsx upload (default: the first).",
        "delimiter": "CSV delimiter, one character (default: detected: comma, semicolon, tab or pipe).",
    }

    def read_form(
        data: bytes,
        filename: str | None,
        text_column: str,
        id_column: str | None,
        sheet: str | None,
        delimiter: str | None,
        keep: list[str] | None = None,
    ) -> Table:
        """The upload of /api/batch or /api/rank as a ``Table`` (empty form fields mean the default)."""
        return read_upload(
            data,
            filename,
            text_column,
            settings.max_batch_rows,
            id_column=id_column or None,
            keep=keep or (),
            sheet=sheet or None,
            delimiter=delimiter or None,
        )

    @app.post(
        "/api/batch",
        summary="Score a small table or a zip of resumes",
        response_class=Response,
        responses={
            200: {
                "content": {"text/csv": {}, "application/x-ndjson": {}},
                "description": "One scored row per input row (CSV, or JSONL with format=jsonl)",
            },
            413: {"description": "Body over the size limit"},
            422: {"description": "Unreadable upload, missing column, too many rows, unknown format"},
            501: {"description": "Batch scoring is not installed in this build"},
        },
    )
    async def batch(
        file: UploadFile = File(  # noqa: B008
            description="A table with a header row, one resume per row (.csv, .tsv, .xlsx, .jsonl, .parquet), "
            "read as `rolematch batch` reads it; or a .zip of resume files (.pdf, .docx, .txt, .md): one row "
            "per file, with a `file` column. A row that cannot be read or scored is an error row."
        ),
        text_column: str = Form("text", description="The column holding the resume text."),
        id_column: str | None = Form(
            None, description="Column of ids (default: 'id' if present, else row numbers)."
        ),
        top: int = Form(3, ge=1, le=50, description="Roles per row."),
        format: str = Form(
            "csv",
            pattern="^(csv|jsonl)$",
            description="csv (flat rows, UTF-8 with BOM) or jsonl (the full result per row), "
            "as the .csv and .jsonl outputs of `rolematch batch`.",
        ),
        sheet: str | None = Form(None, description=upload_fields["sheet"]),
        delimiter: str | None = Form(None, pattern='^[^"\\r\\n]$', description=upload_fields["delimiter"]),
    ) -> Response:
        """Score every row of a table upload (or every file of a zip of resumes), in order, as
        `rolematch batch` does: the same reader, columns and error rows."""
        if getattr(matcher, "score_frame", None) is None:
            raise HTTPException(
                501,
                "batch scoring is not available in this build (RoleMatcher.score_frame is missing); "
                "use POST /api/match per text",
            )
        data = await file.read()
        nested = format == "jsonl"

        def work() -> tuple[list[str], list[dict[str, Any]]]:
            table = read_form(data, file.filename, text_column, id_column, sheet, delimiter)
            return score_table(matcher, table, top, nested)

        columns, records = await worker.run(work, settings.timeout_s)
        if nested:
            return _download(jsonl_bytes(records), "application/x-ndjson", "rolematch-scored.jsonl")
        return _download(csv_bytes(columns, records), CSV_TYPE, "rolematch-scored.csv")

    @app.post(
        "/api/rank",
        summary="Rank the candidates of a small table or zip of resumes for a role",
        response_class=Response,
        responses={
            200: {
                "content": {"text/csv": {}, "application/json": {}},
                "description": "The candidates, best first (CSV, or JSON with format=json)",
            },
            413: {"description": "Body over the size limit"},
            422: {"description": "Unknown role, unreadable upload, missing column, too many rows"},
        },
    )
    async def rank(
        file: UploadFile = File(  # noqa: B008
            description="A table with a header row, one candidate per row (.csv, .tsv, .xlsx, .jsonl, "
            ".parquet), or a .zip of resume files (one candidate per file, named by its path in the zip)."
        ),
        role: list[str] = Form(  # noqa: B008
            description="Role id or title to rank by; repeat the field for more roles (sorted by the first)."
        ),
        text_column: str = Form("text", description="The column holding the resume text."),
        id_column: str | None = Form(
            None, description="Column of ids (default: 'id' if present, else row numbers)."
        ),
        top: int | None = Form(None, ge=1, description="Only the best N candidates."),
        min_confidence: float = Form(
            0.0, ge=0, le=1, description="Only candidates with at least this confidence."
        ),
        keep_columns: str = Form(
            "", description="Input columns to carry through, comma-separated (name,email)."
        ),
        format: str = Form(
            "csv", pattern="^(csv|json)$", description="csv (UTF-8 with BOM, for Excel) or json."
        ),
        sheet: str | None = Form(None, description=upload_fields["sheet"]),
        delimiter: str | None = Form(None, pattern='^[^"\\r\\n]$', description=upload_fields["delimiter"]),
    ) -> Response:
        """Rank every candidate of an upload by how well the role fits them, best first: by confidence,
        or, for a catalog without labelled examples, by similarity to the role with "no strong fit" last.

        The columns are those of `rolematch rank` and `RoleMatcher.rank_frame`: rank, id, kept columns,
        then confidence_<role>, evidence_<role>, quote_<role> per role, fit, abstain, status, error.
        """
        from ..batch.rank import rank_table, resolve_roles

        try:
            roles = resolve_roles([(r.id, r.title) for r in matcher.corpus.roles], role)
        except RolematchError as exc:
            raise HTTPException(422, str(exc)) from exc
        data = await file.read()
        keep = [c.strip() for c in keep_columns.split(",") if c.strip()]

        def work():
            table = read_form(data, file.filename, text_column, id_column, sheet, delimiter, keep)
            return rank_table(matcher, table, roles, top, min_confidence)

        ranking = await worker.run(work, settings.timeout_s)
        if format == "json":
            return JSONResponse(ranking.records)
        return _download(csv_bytes(ranking.spec.columns(), ranking.records), CSV_TYPE, "rolematch-ranked.csv")

    @app.get("/api/roles", summary="Role catalog")
    async def roles() -> list[dict[str, Any]]:
        """The role catalog with the passages grounding each role, as `rolematch roles --format json`."""
        return role_catalog

    @app.get("/api/catalog", summary="Catalog name and roles")
    async def catalog() -> dict[str, Any]:
        """The catalog this server matches against: its name, its roles (id, title) and whether its
        confidence is calibrated (False for a catalog without labelled examples)."""
        return catalog_summary

    @app.get("/healthz", summary="Health", response_model=Health)
    async def healthz() -> Health:
        """Liveness and the version of the loaded artifacts."""
        return Health(status="ok", model_version=matcher.model_version, roles=n_roles)

    _add_schemas(app)
    return app


def _download(body: bytes, media_type: str, filename: str) -> Response:
    """``body`` as a file to save (``curl -o``, a browser download)."""
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


class MatchUpload(BaseModel):
    """Form fields of ``POST /api/match`` as multipart/form-data."""

    file: bytes = Field(description="The resume file: .pdf, .docx, .txt or .md (10 MB, 50 pages at most).")
    top: int = Field(5, ge=1, le=50, description="How many roles to return.")
    quotes: int = Field(3, ge=0, le=5, description="Supporting quotes per role.")
    paths: bool = Field(False, description="Also fill `paths` (next moves).")


def _json_body(raw: bytes) -> MatchRequest:
    """The JSON body, with FastAPI's validation errors (so the answers match its own)."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    try:
        value = json.loads(raw)
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        reason = getattr(exc, "msg", "malformed JSON")
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", pos),
                    "msg": "JSON decode error",
                    "ctx": {"error": reason},
                }
            ]
        ) from exc
    try:
        return MatchRequest.model_validate(value)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


async def _upload(request: Request) -> tuple[MatchRequest, bytes, str | None]:
    """The multipart form: the ``file`` bytes and its name, and ``top``/``quotes``/``paths``."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    form = await request.form()
    upload = form.get("file")
    if "text" in form:  # never read one and drop the other without a word
        found = "both a file and a text field" if upload is not None else "a text field"
        raise HTTPException(422, f"the form has {found}; send one or the other: {MATCH_BODIES}")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "the form has no file field; send multipart/form-data with file=@cv.pdf")
    fields = {k: form[k] for k in ("top", "quotes") if k in form}
    paths = str(form.get("paths", "false")).lower() in ("1", "true", "on", "yes")
    try:
        body = MatchRequest.model_validate({"text": "-", **fields, "paths": paths})
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
    return body, await upload.read(), upload.filename


def _add_schemas(app: FastAPI) -> None:
    """Put the two request bodies of /api/match in the OpenAPI components (routes read them by hand)."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in (MatchRequest, MatchUpload):
                schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas["MatchUpload"]["properties"]["file"] = {
                "type": "string",
                "format": "binary",
                "description": MatchUpload.model_fields["file"].description,
            }
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _catalog(matcher: Any) -> list[dict[str, Any]]:
    from ..corpus import role_catalog

    return role_catalog(matcher.corpus)
