"""A throwaway Dovecot IMAP server on 127.0.0.1 for the email connector's tests.

Debian's ``dovecot-imapd`` is installed by ``scripts/ensure-test-services.sh``. The server runs
in the foreground from a config written to a temp dir, with one mailbox user and plaintext
login on loopback only. As root, Dovecot's login processes must run as its own unprivileged
users (created by the package); otherwise everything runs as the current user.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


@dataclass(frozen=True)
class ImapServer:
    port: int
    user: str
    password: str

    def append(self, raw: bytes) -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        client.append("INBOX", "", None, raw)
        client.logout()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _users(home: Path) -> tuple[str, str, str, int, int]:
    """(internal user, login user, group, mail uid, mail gid) for the config."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return me, me, group, os.geteuid(), os.getegid()
    dovecot = pwd.getpwnam("dovecot")
    shutil.chown(home, dovecot.pw_uid, dovecot.pw_gid)
    return "dovecot", "dovenull", "dovecot", dovecot.pw_uid, dovecot.pw_gid


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists():
        raise RuntimeError(f"{DOVECOT} not found: install Debian's dovecot-imapd (make test does)")
    # Its own world-traversable dir: as root, Dovecot's auth process runs as the unprivileged
    # "dovecot" user and must reach the passwd file (pytest's tmp dirs are private).
    tmp = Path(tempfile.mkdtemp(prefix="rippledesk-imap-"))
    tmp.chmod(0o755)
    try:
        with _running(tmp) as server:
            yield server
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _running(tmp: Path) -> Iterator[ImapServer]:
    for sub in ("run", "state", "home"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    internal, login, group, uid, gid = _users(tmp / "home")
    port = _free_port()
    user, password = "support@acme.example", "imap-test-password"
    (tmp / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
    config = f"""
protocols = imap
listen = 127.0.0.1
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
default_internal_group = {group}
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={tmp}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    (tmp / "dovecot.conf").write_text(config, encoding="utf-8")
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(tmp / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log = (
                        (tmp / "dovecot.log").read_text() if (tmp / "dovecot.log").exists() else ""
                    )
                    raise RuntimeError(f"dovecot did not start: {log[-2000:]}") from None
                time.sleep(0.1)
        yield ImapServer(port, user, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
