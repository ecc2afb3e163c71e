"""Headless Chromium for the report tests: measure a page, take screenshots, print PDFs.

Headless Chromium will not make a window narrower than 500 px, so a phone's 390 px is emulated
through the DevTools protocol (Emulation.setDeviceMetricsOverride) over `--remote-debugging-pipe`:
requests are NUL-terminated JSON written to the browser's fd 3, answers read from its fd 4. The
report itself never holds a script; measurements run through Runtime.evaluate from the test.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


class Browser:
    """One headless Chromium driven over a pipe; use as a context manager."""

    def __init__(self, binary: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="isp-chromium-")
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()
        os.set_inheritable(to_child_r, True)
        os.set_inheritable(from_child_w, True)

        def fds() -> None:  # the browser reads commands on fd 3 and writes answers on fd 4
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
                                      "about:blank"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buf:
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        data: dict[str, Any] = json.loads(msg)
        return data

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            data = self._read()
            if data.get("id") == self._id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                result: dict[str, Any] = data.get("result", {})
                return result
            self._events.append(data)

    def wait_for(self, event: str, session: str) -> None:
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == event and e.get("sessionId") == session:
                    del self._events[i]
                    return
            self._events.append(self._read())

    def open(self, url: str, width: int, height: int = 900, mobile: bool = False) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        self.send("Page.enable", session)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session, width)


class Page:
    def __init__(self, browser: Browser, session: str, width: int) -> None:
        self.browser, self.session, self.width = browser, session, width

    def eval(self, expression: str) -> Any:
        res = self.browser.send("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        return res["result"].get("value")

    def screenshot(self, path: Path, height: int | None = None) -> Path:
        """A PNG of the page's top `height` px (the whole page when None)."""
        full = int(self.eval("document.documentElement.scrollHeight"))
        h = min(full, height) if height else full
        shot = self.browser.send("Page.captureScreenshot", self.session, format="png", captureBeyondViewport=True,
                                 clip={"x": 0, "y": 0, "width": self.width, "height": h, "scale": 1})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def print_pdf(binary: str, page: Path, out: Path) -> Path:
    """Print a page as the browser's print dialog would (Letter by default, no header or footer)."""
    profile = tempfile.mkdtemp(prefix="isp-chromium-")
    try:
        subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", page.as_uri()], capture_output=True, timeout=120, check=False)
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
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, timeout=60).stdout for n in range(1, pages + 1)]
