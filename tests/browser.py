"""Headless Chromium for the browser tests: measure a page, take screenshots, print PDFs.

Pages are driven with Playwright for Python on Debian's `chromium` (its `executable_path`; no browser
is downloaded). A phone's 390 px is Playwright's viewport. The reports themselves never hold a
script; measurements run through `page.evaluate` from the test.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


class Browser:
    """One headless Chromium (Debian's, never a downloaded one) driven by Playwright; a context manager."""

    def __init__(self, binary: str) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=binary, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        )

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    def open(self, url: str, width: int, height: int = 900, mobile: bool = False) -> Page:
        """A page at `url`, `width` px wide (Playwright emulates widths below headless Chromium's 500 px)."""
        context = self._browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            is_mobile=mobile,
            has_touch=mobile,
            bypass_csp=True,
        )
        page = context.new_page()
        page.goto(url, wait_until="load")
        return Page(page, width)


class Page:
    def __init__(self, page: Any, width: int) -> None:
        self.page, self.width = page, width

    def eval(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def screenshot(self, path: Path, height: int | None = None) -> Path:
        """A PNG of the page's top `height` px (the whole page when None)."""
        full = int(self.eval("document.documentElement.scrollHeight"))
        h = min(full, height) if height else full
        self.page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": self.width, "height": h}, full_page=True)
        return path


def print_pdf(binary: str, page: Path, out: Path) -> Path:
    """Print a page as the browser's print dialog would (Letter by default, no header or footer)."""
    profile = tempfile.mkdtemp(prefix="isp-chromium-")
    try:
        subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return out


def pdf_pages(pdf: Path) -> int:
    """The PDF's page count: pdfinfo when installed, else the page objects in the file."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        for line in out.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    data = pdf.read_bytes()
    return data.count(b"/Type /Page") - data.count(b"/Type /Pages")


def pdf_page_texts(pdf: Path, pages: int) -> list[str] | None:
    """Each page's text (pdftotext), or None when poppler is not installed."""
    if not shutil.which("pdftotext"):
        return None
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for n in range(1, pages + 1)
    ]
