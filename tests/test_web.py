"""ISP Advisor in the browser (`isp-advisor serve`, docs/web.md), driven with Playwright on Debian's
Chromium: a whole session from an empty workspace, the live plan, the working plan, downloads,
accessibility (axe-core, keyboard only), 390 px screens, and the server's safety rules."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from tests.browser import chromium
from tests.conftest import CASES

pytest.importorskip("starlette", reason="the browser app's extra is not installed: pip install '.[web]'")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright")
BROWSER = chromium()
AXE = Path(__file__).parent / "fixtures" / "axe" / "axe.min.js"
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (.ci/run installs it with apt-get)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, workspace: Path, **kw: Any) -> None:
        import uvicorn

        from webapp.app import Settings, create_app

        self.settings = Settings(workspace=str(workspace), **kw)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(self.settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=BROWSER, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _page(browser: Any, width: int = 1280, downloads: bool = False) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=downloads, bypass_csp=True
    )  # bypass: so the test can inject axe-core
    return context.new_page()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _no_side_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


def _now_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("ol.items.now .it-title").all_inner_texts()]


def _open_all(page: Any) -> None:
    """Open every section of the form (a person clicks the section's heading)."""
    closed = page.locator("details.section:not([open]) > summary")
    while closed.count():
        closed.first.click()


def _wait_saved(page: Any) -> None:
    page.wait_for_function(
        "document.querySelector('#saved') && document.querySelector('#saved').textContent.includes('Saved')"
    )


# ---------------------------------------------------------------- the session a team has


def test_a_whole_session_from_an_empty_workspace(browser: Any, tmp_path: Path) -> None:
    import docx
    import openpyxl

    ws = tmp_path / "ws"
    ws.mkdir()
    with Server(ws) as srv:
        page = _page(browser, downloads=True)
        page.goto(srv.url + "/")
        assert "No cases yet" in page.content()
        page.fill("#new-id", "hill-clinic")
        page.click("button:has-text('Create')")
        page.wait_for_url("**/case/hill-clinic")
        assert (ws / "hill-clinic.yaml").is_file()
        _open_all(page)
        for path, value in (("site", "Hill Street Clinic"), ("innovation", "Collaborative care for depression")):
            page.fill(f"#in-f-{path}", value)
            page.press(f"#in-f-{path}", "Tab")
            _wait_saved(page)
            page.evaluate("document.querySelector('#saved').textContent = ''")
        page.select_option("#in-f-stage", "installation")
        _wait_saved(page)
        page.evaluate("document.querySelector('#saved').textContent = ''")
        page.select_option("#in-f-relationships-trust", "low")
        _wait_saved(page)
        text = (ws / "hill-clinic.yaml").read_text()
        assert "site: Hill Street Clinic" in text and "trust: low" in text and "stage: installation" in text
        low = page.locator("#plan").inner_text()
        assert "Rebuild trust" in low
        # the live plan changes when trust goes from low to high
        page.evaluate("document.querySelector('#saved').textContent = ''")
        page.select_option("#in-f-relationships-trust", "high")
        _wait_saved(page)
        page.wait_for_function("!document.querySelector('#plan').innerText.includes('Rebuild trust')")
        assert "trust: high" in (ws / "hill-clinic.yaml").read_text()
        # a wrong answer is refused beside the field, with the interview's own message
        page.fill("#in-f-scope-sites", "many")
        page.press("#in-f-scope-sites", "Tab")
        page.wait_for_function("document.querySelector('#err-f-scope-sites').textContent.length > 0")
        assert "number" in page.inner_text("#err-f-scope-sites")
        # accept and assign two items
        keys = page.locator("ol.items.now li.item").evaluate_all(
            "els => els.map(e => decodeURIComponent(e.id.slice(5)))"
        )[:2]
        for n, _key in enumerate(keys):
            item = page.locator(f"ol.items.now li.item >> nth={n}")
            item.locator("details.decide summary").click()
            item.locator("input[name=owner]").fill(f"Owner {n + 1}")
            item.locator("input[name=due]").fill(f"2026-0{n + 4}-01")
            item.locator("button[value=accept]").click()
            page.wait_for_function(f"document.querySelector('#plan').innerText.includes('owner Owner {n + 1}')")
        listing = (
            CliRunner().invoke(main, ["decide", str(ws / "hill-clinic.yaml"), "--list"], env={"COLUMNS": "200"}).stdout
        )
        for n, key in enumerate(keys):
            assert key in listing and f"Owner {n + 1}" in listing and f"2026-0{n + 4}-01" in listing
        # reopening shows the same working plan
        page.reload()
        assert "owner Owner 1" in page.inner_text("#plan") and "owner Owner 2" in page.inner_text("#plan")
        # downloads, read back
        with page.expect_download() as d:
            page.click("a[href$='/download/plan.docx']")
        path = tmp_path / "plan.docx"
        d.value.save_as(path)
        doc = docx.Document(str(path))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        assert "Owner 1" in cells and "2026-04-01" in cells
        with page.expect_download() as d:
            page.click("a[href$='/download/plan.xlsx']")
        path = tmp_path / "plan.xlsx"
        d.value.save_as(path)
        rows = list(openpyxl.load_workbook(path)["Plan"].iter_rows(values_only=True))
        assert any(r[0] == keys[0] and r[5] == "Owner 1" and r[6] == "2026-04-01" for r in rows)


def test_what_if_changes_the_plan_without_saving(browser: Any, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(CASES / "riverside-fqhc.yaml", ws)
    before = (ws / "riverside-fqhc.yaml").read_text()
    with Server(ws) as srv:
        page = _page(browser)
        page.goto(srv.url + "/case/riverside-fqhc")
        _open_all(page)
        page.check("#scratch")
        page.select_option("#in-f-relationships-trust", "high")
        page.wait_for_function("document.querySelector('#plan .banner') !== null")
        assert "not saved" in page.inner_text("#plan .banner")
    assert (ws / "riverside-fqhc.yaml").read_text() == before


def test_a_second_tab_is_told_not_overwritten(browser: Any, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(CASES / "riverside-fqhc.yaml", ws)
    with Server(ws) as srv:
        one, two = _page(browser), _page(browser)
        one.goto(srv.url + "/case/riverside-fqhc")
        two.goto(srv.url + "/case/riverside-fqhc")
        _open_all(one)
        _open_all(two)
        one.select_option("#in-f-relationships-trust", "moderate")
        _wait_saved(one)
        two.select_option("#in-f-relationships-trust", "high")
        two.wait_for_function("document.querySelector('#saved').textContent.includes('another tab')")
    assert "trust: moderate" in (ws / "riverside-fqhc.yaml").read_text()


# ---------------------------------------------------------------- accessibility and small screens


def _pages(srv: Server) -> list[str]:
    return [
        srv.url + "/",
        srv.url + "/case/riverside-fqhc",
        srv.url + "/case/riverside-fqhc?mode=quick",
        srv.url + "/case/millbrook-2026-06-09",
        srv.url + "/case/eastbrook-school-health",
        srv.url + "/case/nope",
    ]


def test_no_serious_accessibility_violations_and_no_side_scroll_at_390(browser: Any, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(CASES / "riverside-fqhc.yaml", ws)
    shutil.copy(CASES / "perspectives" / "eastbrook-school-health.yaml", ws)
    for p in sorted((CASES / "over-time").glob("millbrook-*.yaml"))[:2]:
        shutil.copy(p, ws)
    with Server(ws) as srv:
        for width in (1280, 390):
            page = _page(browser, width)
            for url in _pages(srv):
                page.goto(url)
                assert _axe(page) == [], (url, width)
                assert _no_side_scroll(page), (url, width)
            page.goto(srv.url + "/case/eastbrook-school-health")
            assert "Each group" in page.inner_text("#plan")
            page.goto(srv.url + "/case/millbrook-2026-06-09/compare")
            assert "Stage" in page.content()
            assert _axe(page) == [], ("compare", width)
            assert _no_side_scroll(page), ("compare", width)


def test_keyboard_only_creates_a_case_and_answers_a_question(browser: Any, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with Server(ws) as srv:
        page = _page(browser)
        page.goto(srv.url + "/")
        page.keyboard.press("Tab")  # the skip link first
        assert page.evaluate("document.activeElement.className") == "skip"
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "new-id":
                break
        assert page.evaluate("document.activeElement.id") == "new-id"
        page.keyboard.type("keys-only")
        page.keyboard.press("Enter")
        page.wait_for_url("**/case/keys-only")
        page.focus("#in-f-stage")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.wait_for_function("document.querySelector('#saved').textContent.includes('Saved')")
        assert "stage: exploration" in (ws / "keys-only.yaml").read_text()


# ---------------------------------------------------------------- safety


def test_escaping_csrf_paths_hosts_and_uploads(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from webapp.app import Settings, create_app

    ws = tmp_path / "ws"
    ws.mkdir()
    outside = tmp_path / "secret.yaml"
    outside.write_text("case_id: secret\n")
    (ws / "linked.yaml").symlink_to(outside)
    hostile = (
        (CASES / "riverside-fqhc.yaml")
        .read_text()
        .replace(
            "site: Riverside Community Health Center", 'site: "<script>alert(1)</script><img src=x onerror=alert(2)>"'
        )
    )
    (ws / "riverside-fqhc.yaml").write_text(hostile)
    settings = Settings(workspace=str(ws))
    client = TestClient(create_app(settings), base_url="http://127.0.0.1:8765")
    page = client.get("/case/riverside-fqhc").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    start = client.get("/").text
    assert "<script>alert(1)" not in start
    # hostile answers typed into the form are stored as text and shown escaped, never run
    ok0 = {"X-CSRF-Token": settings.csrf}
    for value, shown_as in (
        ("<img src=x onerror=alert(3)>", "&lt;img src=x onerror=alert(3)&gt;"),
        ("{{7*7}} {% raw %}", "{{7*7}} {% raw %}"),
    ):
        res = client.post("/case/riverside-fqhc/field", data={"path": "innovation", "value": value}, headers=ok0)
        assert res.status_code == 200 and "<img src=x" not in res.text
        shown = client.get("/case/riverside-fqhc").text
        assert shown_as in shown and "<img src=x" not in shown
    res = client.post("/case/riverside-fqhc/field", data={"path": "innovation", "value": "bell\x07ring"}, headers=ok0)
    assert "control" in res.text  # the case model's own message, beside the field
    # every POST carries the page's token
    res = client.post("/case/riverside-fqhc/field", data={"path": "relationships.trust", "value": "high"})
    assert res.status_code == 403 and "trust: low" in (ws / "riverside-fqhc.yaml").read_text()
    ok = {"X-CSRF-Token": settings.csrf}
    # only files directly in the workspace
    assert client.get("/case/linked").status_code == 400
    assert client.get("/case/..%2Fsecret").status_code in (400, 404)
    assert client.post("/case/linked/field", data={"path": "site", "value": "x"}, headers=ok).status_code == 400
    assert outside.read_text() == "case_id: secret\n"
    # another Host header is refused (DNS rebinding)
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    # uploads: capped, parsed with the safe loaders
    big = b'case_id: big\nnotes: "' + b"x" * 1_100_000 + b'"\n'
    res = client.post("/upload", files={"file": ("big.yaml", big)}, data={"csrf": settings.csrf})
    assert res.status_code == 400 and "larger than 1 MB" in res.text and not (ws / "big.yaml").exists()
    res = client.post(
        "/upload",
        files={"file": ("evil.yaml", b"case_id: evil\nsite: !!python/object:os.system x\n")},
        data={"csrf": settings.csrf},
    )
    assert res.status_code == 400 and not (ws / "evil.yaml").exists()
    res = client.post(
        "/upload",
        files={"file": ("ok.yaml", b"case_id: uploaded\nstage: exploration\n")},
        data={"csrf": settings.csrf},
        follow_redirects=False,
    )
    assert res.status_code == 303 and (ws / "uploaded.yaml").is_file()
    # security headers
    head = client.get("/").headers
    assert "script-src 'self'" in head["content-security-policy"] and head["x-frame-options"] == "DENY"


def test_a_server_off_this_machine_needs_its_token(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from webapp.app import Settings, create_app

    settings = Settings(workspace=str(tmp_path), host="0.0.0.0", token="s3cret")
    client = TestClient(create_app(settings), base_url="http://10.0.0.5:8765")
    assert client.get("/").status_code == 401
    res = client.get("/?token=s3cret", follow_redirects=False)
    assert res.status_code == 303 and "isp_token" in res.headers["set-cookie"]
    assert client.get("/").status_code == 200  # the cookie carries it now
    stranger = TestClient(create_app(settings), base_url="http://10.0.0.5:8765")
    assert stranger.get("/?token=wrong").status_code == 401


def test_serve_binds_to_localhost_and_generates_a_token_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import webapp.app as app_mod

    seen: dict[str, Any] = {}

    def fake_serve(settings: Any, port: int, open_browser: bool, ready: Any) -> None:
        seen.update(host=settings.host, token=settings.token, port=port, open=open_browser)
        ready(f"http://{settings.host}:{port}/")

    monkeypatch.setattr(app_mod, "serve", fake_serve)
    out = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path), "--no-open"])
    assert out.exit_code == 0 and seen == {"host": "127.0.0.1", "token": None, "port": 8765, "open": False}
    assert "running at http://127.0.0.1:8765/" in out.stderr
    out = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path), "--host", "0.0.0.0", "--no-open"])
    assert seen["token"] and len(seen["token"]) >= 16 and "other machines" in out.stderr
    out = CliRunner().invoke(main, ["serve", "--workspace", str(tmp_path / "missing"), "--no-open"])
    assert out.exit_code == 2 and "workspace folder not found" in out.stderr
    _ = json
