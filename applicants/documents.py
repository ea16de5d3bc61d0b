"""Uploaded documents: type by content (magic bytes), size-limited, stored outside the web root."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions
from .errors import DomainError
from .models import Application, Document, User

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class DocumentError(DomainError):
    pass


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


@transaction.atomic
def document_attach(*, application: Application, kind: str, upload, by: User) -> Document:
    """Attach a PDF, JPEG or PNG (decided by its bytes, not its name) to an application."""
    permissions.require(
        permissions.can_act_for_applicant(by, application), _("您不能为这份申请上传材料。")
    )
    if kind not in Document.Kind.values:
        msg = _("请选择材料类型。")
        raise DocumentError(msg, {"kind": [msg]})
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        msg = _("文件不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}
        raise DocumentError(msg, {"file": [msg]})
    if upload.size == 0:
        msg = _("文件是空的。")
        raise DocumentError(msg, {"file": [msg]})
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        msg = _("只接受 PDF、JPEG 或 PNG 文件（按文件内容判断）。")
        raise DocumentError(msg, {"file": [msg]})
    original = (upload.name or "")[:200]
    upload.name = f"{kind}{EXTENSIONS[content_type]}"  # never trust the uploaded name on disk
    return Document.objects.create(
        application=application,
        kind=kind,
        file=upload,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
