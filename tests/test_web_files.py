"""The web API with resume files: multipart /api/match (PDF, DOCX, bad files) and a zip on /api/batch."""

from __future__ import annotations

import csv
import io

import pytest
from filemakers import RESUME, image_only_pdf, table_docx, typeset_pdf, zip_of

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def client(real_matcher):
    from fastapi.testclient import TestClient

    from matcher.web import create_app

    return TestClient(create_app(real_matcher))


def test_multipart_pdf_and_docx_match_like_the_text(client, real_matcher):
    expected = real_matcher.match(RESUME, top=3).top.id
    for name, data in (("cv.pdf", typeset_pdf()), ("cv.docx", table_docx())):
        response = client.post("/api/match", files={"file": (name, data)}, data={"top": "3", "paths": "true"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["roles"][0]["id"] == expected and len(body["roles"]) == 3 and body["paths"]


def test_a_scanned_pdf_is_422_with_its_own_message(client):
    response = client.post("/api/match", files={"file": ("scan.pdf", image_only_pdf())})
    assert response.status_code == 422 and "OCR" in response.json()["detail"]


def test_openapi_documents_both_bodies_of_match(client):
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/api/match"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert {"MatchRequest", "MatchUpload", "MatchResult"} <= set(spec["components"]["schemas"])


def test_batch_scores_a_zip_one_row_per_file(client):
    archive = zip_of({"b.docx": table_docx(), "a.pdf": typeset_pdf(), "c.pdf": image_only_pdf()})
    response = client.post("/api/batch", files={"file": ("cvs.zip", archive)})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))  # a BOM, as /api/rank
    assert [(r["file"], r["status"]) for r in rows] == [("a.pdf", "ok"), ("b.docx", "ok"), ("c.pdf", "error")]
