#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (Playwright drives it; no
# browser is downloaded). Installs the `chromium` package when /usr/bin/chromium is missing and
# we are root with apt-get; otherwise says what to do. The browser tests fail without it.
set -euo pipefail
browser=${RIPPLEDESK_CHROMIUM:-/usr/bin/chromium}
if [ -x "$browser" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing Chromium from Debian packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x "$browser" ]; then
    echo "!! $browser not found: install Debian's chromium (apt-get install chromium)" >&2
    exit 1
fi
