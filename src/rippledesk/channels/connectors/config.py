"""Typed connector configs: each connector declares a frozen dataclass of its settings.

``load_config`` builds it from the JSON stored on the channel account (or typed into ``channel
add`` / the Channels page): values are coerced to the declared ``str``/``int`` types, a missing
required key or a bad value is a ``ValueError`` naming it, and each dataclass's
``__post_init__`` adds its own checks. Adapters then read attributes, never raw dict keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")
LOCAL_TEST_SERVERS = ("http://127.0.0.1", "http://localhost")


def load_config(cls: type[T], raw: Mapping[str, Any]) -> T:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = raw.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.default is dataclasses.MISSING:
                raise ValueError(f"{field.name} is required")
            continue
        if field.type == "int":
            text = str(value).strip()
            if not text.isdigit():
                raise ValueError(f"{field.name} must be a whole number, not {text[:40]!r}")
            values[field.name] = int(text)
        else:
            values[field.name] = str(value).strip()
    return cls(**values)


def as_json(config: object) -> dict[str, Any]:
    """The typed config as the JSON stored on the account."""
    return dataclasses.asdict(config)  # type: ignore[call-overload,no-any-return]


def check_base_url(name: str, url: str) -> str:
    """``https://…`` (or a local test server), without a trailing slash."""
    clean = url.rstrip("/")
    if not clean.startswith(("https://", *LOCAL_TEST_SERVERS)):
        raise ValueError(f"{name} must be https:// (or a local test server)")
    return clean
