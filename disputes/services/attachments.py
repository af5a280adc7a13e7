"""Photos and documents of a case: checked by size and by their first bytes (a file's name
and declared type are the client's word, its content is not), stored, served only through
the case's jurisdiction."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from disputes.models import Attachment, AttachmentKind, Case, CaseEvent
from disputes.services import ReportResult, case_report
from disputes.transitions import run_transition
from personnel.models import User

MAX_FILES = 9
# Signatures of the formats a county accepts: (leading bytes, offset, content type).
PHOTO_SIGNATURES = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heic"),
]
DOCUMENT_SIGNATURES = [
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),  # .docx / .xlsx (checked by extension below)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),  # .doc / .xls
    *PHOTO_SIGNATURES,  # a photographed agreement is a document too
]
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".webp"}
# What a document's bytes must be for its extension: "invoice.pdf" holding a zip archive is
# no PDF, and is not served as one.
_PICTURE = frozenset(content_type for _sig, _offset, content_type in PHOTO_SIGNATURES)
EXTENSION_CONTENT = {
    ".pdf": frozenset({"application/pdf"}),
    ".docx": frozenset({"application/zip"}),
    ".xlsx": frozenset({"application/zip"}),
    ".doc": frozenset({"application/x-ole-storage"}),
    ".xls": frozenset({"application/x-ole-storage"}),
    **{extension: _PICTURE for extension in (".jpg", ".jpeg", ".png", ".webp")},
}
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}


def _sniff(upload: UploadedFile, signatures: list[tuple[bytes, int, str]]) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, offset, content_type in signatures:
        if head[offset : offset + len(signature)] == signature:
            return content_type
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def attachment_content_type(upload: UploadedFile, kind: str) -> str:
    """The checked content type of an upload, or a ValidationError saying what is wrong."""
    name = upload.name or ""
    limit = (
        settings.PHOTO_MAX_BYTES if kind == AttachmentKind.PHOTO else settings.DOCUMENT_MAX_BYTES
    )
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files of this kind may be at most %(limit)s.")
            % {"name": name, "size": _megabytes(upload.size), "limit": _megabytes(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if kind == AttachmentKind.PHOTO:
        content_type = _sniff(upload, PHOTO_SIGNATURES)
        if content_type is None:
            raise ValidationError(
                _("“%(name)s” is not a photo: send a JPEG, PNG, WebP or HEIC picture.")
                % {"name": name}
            )
        return content_type
    extension = PurePath(name).suffix.lower()
    content_type = _sniff(upload, DOCUMENT_SIGNATURES)
    if content_type not in EXTENSION_CONTENT.get(extension, ()):
        raise ValidationError(
            _("“%(name)s” is not an accepted document: send PDF, Word, Excel or a picture.")
            % {"name": name}
        )
    return OFFICE_TYPES.get(extension, content_type)


PHOTO_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def photo_content_type(upload: UploadedFile) -> str:
    """What a photo is by its bytes (JPEG, PNG, WebP, HEIC), never what the phone claimed."""
    return attachment_content_type(upload, AttachmentKind.PHOTO)


def photo_checked(upload: UploadedFile) -> UploadedFile:
    """The one photo of field work (a visit, a campaign task), checked by its content and
    renamed: the phone's file name may name a person, and only the bytes say what it is."""
    if errors := attachments_errors([upload], AttachmentKind.PHOTO):
        raise ValidationError(errors)
    content_type = photo_content_type(upload)
    upload.name = uuid.uuid4().hex + PHOTO_SUFFIXES.get(content_type, ".heic")
    return upload


def attachments_errors(uploads: list[UploadedFile], kind: str) -> list[str]:
    if len(uploads) > MAX_FILES:
        return [_("At most %(max)s files at a time.") % {"max": MAX_FILES}]
    errors = []
    for upload in uploads:
        try:
            attachment_content_type(upload, kind)
        except ValidationError as error:
            errors.extend(error.messages)
    return errors


@transaction.atomic
def attachments_add(
    *,
    case: Case,
    uploaded_by,
    uploads: list[UploadedFile],
    kind: str,
    event: CaseEvent | None = None,
) -> list[Attachment]:
    """Store every upload or none: one bad file refuses the lot with a message per file."""
    field = "photos" if kind == AttachmentKind.PHOTO else "documents"
    if errors := attachments_errors(uploads, kind):
        raise ValidationError({field: errors})
    attachments = []
    for upload in uploads:
        content_type = attachment_content_type(upload, kind)
        attachment = Attachment(
            case=case,
            event=event,
            kind=kind,
            name=PurePath(upload.name or "file").name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=uploaded_by,
        )
        # Stored under a neutral name: the sender's file name (李某调解协议.pdf) may name a
        # person, and is kept only in the row, for the download.
        suffix = PurePath(upload.name or "").suffix.lower()
        stored = uuid.uuid4().hex + (suffix if suffix in DOCUMENT_EXTENSIONS else "")
        attachment.file.save(stored, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    if attachments:
        # Ids and counts only: a file's name may name a person.
        audit_record(
            action="case.attach",
            actor=uploaded_by,
            obj=case,
            area_id=case.grid_id,
            new={
                "kind": kind,
                "attachments": [a.pk for a in attachments],
                "event": event and event.pk,
            },
        )
    return attachments


@transaction.atomic
def case_report_with_files(
    *, reporter: User, photos: list[UploadedFile], documents: list[UploadedFile], **fields
) -> ReportResult:
    """File a report with its photos and documents, all or nothing. A resend of the same
    report returns the case filed the first time and stores no second copy of the files."""
    result = case_report(reporter=reporter, **fields)
    if result.created:
        _attach_to_event(result.case, reporter, photos, documents)
    return result


def _attach_to_event(case: Case, actor: User, photos, documents) -> None:
    event = case.events.order_by("-created_at", "-id").first()
    for kind, uploads in ((AttachmentKind.PHOTO, photos), (AttachmentKind.DOCUMENT, documents)):
        if uploads:
            attachments_add(case=case, uploaded_by=actor, uploads=uploads, kind=kind, event=event)


@transaction.atomic
def case_transition_with_files(
    *,
    case: Case,
    actor: User,
    data: dict,
    photos: list[UploadedFile],
    documents: list[UploadedFile],
) -> Case:
    """A transition (a handler's record, say) with its evidence attached to its event."""
    case = run_transition(case, actor, data)
    _attach_to_event(case, actor, photos, documents)
    return case
