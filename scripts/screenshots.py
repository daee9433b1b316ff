"""Re-take docs/screenshots/*.png from a running demo desk (``make demo`` in another shell).

Usage: .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--password PW]
The password defaults to the one ``rippledesk demo`` saved in $RIPPLEDESK_DATA_DIR (./var).
Drives Debian's /usr/bin/chromium through Playwright, signed in as the demo agent and manager.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def saved_password() -> str:
    data = Path(os.environ.get("RIPPLEDESK_DATA_DIR", "var")) / "demo-login.txt"
    for line in data.read_text(encoding="utf-8").splitlines():
        if line.startswith("password:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"no password in {data}; pass --password")


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default=None)
    args = parser.parse_args()
    password = args.password or saved_password()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in(page, args.url, "ava", password)
        page.screenshot(path=str(OUT / "inbox.png"))
        page.keyboard.press("j")
        page.keyboard.press("r")
        page.wait_for_load_state("networkidle")
        page.keyboard.type("@customer So sorry about this. ")
        page.screenshot(path=str(OUT / "conversation.png"), full_page=True)
        page.goto(f"{args.url}/w/demo/search/?q=lost+bag")
        page.screenshot(path=str(OUT / "search.png"))
        manager = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in(manager, args.url, "max", password)
        manager.goto(f"{args.url}/w/demo/team/")
        manager.screenshot(path=str(OUT / "team-load.png"))
        for name in ("sla", "routing", "rules"):
            manager.goto(f"{args.url}/w/demo/{name}/")
            manager.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
