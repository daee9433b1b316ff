"""The email connector's typed settings (outgoing SMTP, optional IMAP mailbox)."""

from __future__ import annotations

from dataclasses import dataclass

SECURITY = ("none", "starttls", "tls")


def _port(name: str, value: int) -> None:
    if not 0 < value < 65536:
        raise ValueError(f"{name} {value} is not a port number")


@dataclass(frozen=True)
class EmailConfig:
    address: str
    smtp_host: str
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "tls"
    imap_username: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    every_minutes: int = 10

    def __post_init__(self) -> None:
        if "@" not in self.address:
            raise ValueError("address must be an email address")
        object.__setattr__(self, "address", self.address.lower())
        for name in ("smtp_security", "imap_security"):
            value = str(getattr(self, name)).lower()
            if value not in SECURITY:
                raise ValueError(f"{name} must be one of {', '.join(SECURITY)}")
            object.__setattr__(self, name, value)
        _port("smtp_port", self.smtp_port)
        _port("imap_port", self.imap_port)
        if self.imap_host and not self.imap_username:
            raise ValueError("imap_username is required with imap_host")
