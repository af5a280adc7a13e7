"""Serving a stored file nobody may fetch without being let see its record (a case's
attachment, a visit's or a task's photo). The caller has looked the record up through its
scoped selector; this answers with the file, never cached, never sniffed into another type."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers


def protected_file(
    file: FieldFile,
    *,
    content_type: str | Callable[[File], str],
    filename: str = "",
    as_attachment: bool = False,
) -> FileResponse:
    """The stored `file` as a response: inline (a picture the page shows) or as a download,
    under `filename` (else its stored name). `content_type` is the type recorded with the
    file, or a check that reads it from the bytes (refusing with a ValidationError): a file
    that is gone, or that the check refuses, is a 404."""
    try:
        stream = file.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without media)
        raise Http404 from None
    if callable(content_type):
        try:
            content_type = content_type(stream)
        except ValidationError:
            stream.close()
            raise Http404 from None
    response = FileResponse(
        stream, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    return response
