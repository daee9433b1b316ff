"""Attachment bytes on disk, addressed by their SHA-256, under ``$RIPPLEDESK_DATA_DIR``.

Content addressing makes storing the same file twice free and a half-written file harmless
(it is written to a temporary name and renamed into place).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from rippledesk.conversations.models import Attachment, Message

MAX_FILE = 10 * 1024 * 1024


def _path(digest: str) -> Path:
    return Path(settings.DATA_DIR) / "attachments" / digest[:2] / digest


def read_file(attachment: Attachment) -> bytes:
    return _path(attachment.sha256).read_bytes()


def do_attach(message: Message, filename: str, content_type: str, data: bytes) -> Attachment | None:
    """Keep ``data`` with the message; None (and nothing stored) when over ``MAX_FILE``."""
    if len(data) > MAX_FILE:
        return None
    digest = hashlib.sha256(data).hexdigest()
    path = _path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{digest}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    return Attachment.objects.create(
        message=message,
        filename=filename[:200] or "attachment",
        content_type=content_type[:100],
        size=len(data),
        sha256=digest,
        created_at=timezone.now(),
    )
