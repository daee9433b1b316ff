#!/usr/bin/env bash
# Installs the Debian programs the tests drive for real: Chromium for the browser tests
# (Playwright drives it; no browser is downloaded) and Dovecot as the IMAP server the email
# connector polls. Installs only what is missing, when we are root with apt-get; otherwise says
# what to do. The tests fail without them rather than skip.
set -euo pipefail
browser=${RIPPLEDESK_CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$browser" ] || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]} from Debian packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # The package starts a system Dovecot; the tests start their own on a free port.
    if command -v service >/dev/null; then service dovecot stop >/dev/null 2>&1 || true; fi
fi
status=0
if [ ! -x "$browser" ]; then
    echo "!! $browser not found: install Debian's chromium (apt-get install chromium)" >&2
    status=1
fi
if [ ! -x /usr/sbin/dovecot ]; then
    echo "!! /usr/sbin/dovecot not found: install Debian's dovecot-imapd" >&2
    status=1
fi
exit $status
