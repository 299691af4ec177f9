"""Upload: add an evidence file to the store, then serve the data with it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from airwitness.web import models
from airwitness.web.deps import BUSY, State, error_response

router = APIRouter(tags=["upload"])


@router.post(
    "/api/upload",
    response_model=models.UploadResult,
    responses={
        409: error_response("the server has no store to upload into"),
        413: error_response("the file is larger than the limit"),
        **BUSY,
    },
)
def upload(state: State, file: Annotated[UploadFile, File(description="one input file")]):
    """Ingest one input file into the store (format detected from its content, as
    `airwitness ingest` does), then recompute tracks and crossings.

    Refused: files over the size limit (413), empty files and files of no
    supported format (422). The file is kept in the uploads folder next to the
    store under a name the server chooses (its SHA-256 prefix); a file already
    in the store is ``skipped``."""
    return state.upload(file.file, file.filename)
