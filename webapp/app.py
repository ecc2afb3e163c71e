"""`isp-advisor serve`: the browser app. A thin Starlette layer over the library: it parses form
posts, calls engine/ (the workspace, the case editor, the engine, the decisions file, the renderers)
and renders Jinja2 templates. Nothing here decides advice.

Safety: binds to 127.0.0.1 unless told otherwise (another host needs a token); the Host header must
name the bound host (no DNS rebinding); every POST carries the page's CSRF token; only files directly
in the workspace are read or written; uploads are capped and parsed with the safe loaders; every
text from a case is escaped (Jinja2 autoescape); a page that read an older version of a case is told,
never allowed to overwrite a newer one.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.errors import IspAdvisorError, Problem
from engine.io.caseedit import EditConflict, create_case, digest, edit_case, edited_text, read_case_text
from engine.io.caseload import case_from_text, load_case
from engine.io.decisionfile import find_decisions
from engine.model.case import Case
from engine.model.config import RulesArg
from engine.model.decisions import Decisions
from engine.model.results import Result
from engine.practitioner.deciding import DecisionEdit, record
from engine.practitioner.questions import (
    BACK,
    CLEAR,
    HELP,
    REST,
    SKIP,
    SUBS,
    InvalidAnswer,
    Question,
    Section,
    quick_sections,
    sections,
)
from engine.practitioner.workspace import MAX_UPLOAD, Workspace, examples, examples_dir

HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class Settings:
    """What the server was started with."""

    workspace: str
    host: str = "127.0.0.1"
    token: str | None = None
    rules: RulesArg = ()
    """Rule folders, or the command's EngineConfig (its --no-shipped, --matcher and -v are kept)."""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["words"] = lambda v: str(v).replace("_", " ") if v is not None else ""
    env.filters["urlq"] = lambda v: quote(str(v), safe="")
    return env


# ---------------------------------------------------------------- the form, from the field registry


@dataclass(frozen=True)
class FieldView:
    """One form control: a registry question with the case's current value as text."""

    path: str
    anchor: str
    label: str
    kind: str
    help: str
    choices: tuple[tuple[str, str], ...]
    value: str
    answered: bool


@dataclass(frozen=True)
class SectionView:
    """One section of the form: its questions as controls, and how many of them the case answers."""

    key: str
    title: str
    intro: str
    fields: list[FieldView]
    answered: int


def _anchor(path: str) -> str:
    return "f-" + path.replace(".", "-").replace("_", "-")


def _choices(q: Question) -> tuple[tuple[str, str], ...]:
    if q.kind == "bool":
        return (("yes", "yes"), ("no", "no"))
    if q.kind == "rating":
        return tuple(
            (str(v), text)
            for v, text in (
                ("-2", "−2 strong barrier"),
                ("-1", "−1 barrier"),
                ("0", "0 neutral"),
                ("+1", "+1 facilitator"),
                ("+2", "+2 strong facilitator"),
                ("mixed", "mixed"),
            )
        )
    if q.kind == "choice":
        return tuple((c, c.replace("_", " ") + (f": {q.glosses[c]}" if c in q.glosses else "")) for c in q.choices)
    return ()


def _current(data: dict[str, Any], path: str) -> Any:
    section, _, key = path.partition(".")
    if not key:
        return data.get(section)
    inner = data.get(section)
    return inner.get(key) if isinstance(inner, dict) else None


def form_sections(case: Case, quick: bool) -> list[SectionView]:
    """The form's sections: the interview's questions (engine/practitioner/questions.py, made from the
    field registry), each with the case's value as the interview would show it."""
    from engine.io.casewriter import case_data

    data = case_data(case)
    out: list[SectionView] = []
    for sec in quick_sections() if quick else sections():
        if sec.key.startswith("quick."):
            continue  # the quick interview's barrier lists: the form rates constructs directly
        fields = [
            _field_view(q, _current(data, q.path)) for q in sec.questions if not q.path.startswith(("gate.", "quick."))
        ]
        if fields:
            out.append(_section_view(sec, fields, sum(f.answered for f in fields)))
    if quick:  # the quick form also rates every CFIR construct the case has rated
        out += _rated_sections(case)
    return out


def _section_view(sec: Section, fields: list[FieldView], answered: int) -> SectionView:
    return SectionView(sec.key, sec.title, sec.intro, fields, answered)


def _field_view(q: Question, value: Any) -> FieldView:
    """One question as the form shows it, with the case's value as the interview would show it."""
    shown = q.show(value) if value is not None else ""
    if q.kind == "rating" and isinstance(value, int):
        shown = f"+{value}" if value > 0 else str(value)
    return FieldView(q.path, _anchor(q.path), q.prompt.strip(), q.kind, q.help, _choices(q), shown, value is not None)


def _rated_sections(case: Case) -> list[SectionView]:
    """The full interview's CFIR sections, with only the constructs the case has rated (the quick form)."""
    rated = set(case.cfir or {})
    out: list[SectionView] = []
    for sec in sections():
        if not sec.key.startswith("cfir."):
            continue
        fields = [
            FieldView(
                q.path, _anchor(q.path), q.prompt.strip(), q.kind, q.help, _choices(q), _rating_text(case, q.path), True
            )
            for q in sec.questions
            if q.path[5:] in rated
        ]
        if fields:
            out.append(_section_view(sec, fields, len(fields)))
    return out


def _rating_text(case: Case, path: str) -> str:
    value = (case.cfir or {}).get(path[5:])
    return f"+{value}" if isinstance(value, int) and value > 0 else "" if value is None else str(value)


def _question(path: str) -> Question:
    for sec in sections():
        for q in sec.questions:
            if q.path == path:
                return q
    raise IspAdvisorError(Problem(field=path[:80], code="unknown_field", message="not a field of the case form"))


def convert(path: str, raw: str) -> Any:
    """A form value as the case holds it (None: remove), or InvalidAnswer with the interview's message."""
    q = _question(path)
    if q.kind == "case_id":
        raise InvalidAnswer("the case id names the file; start a new case to change it")
    value = q.convert(raw)
    if value is SKIP or value is CLEAR:
        return None
    if value in (HELP, REST, SUBS, BACK):
        raise InvalidAnswer("type the answer itself (the interview's keys ?, ., s and < do not apply here)")
    return value


# ---------------------------------------------------------------- the app


def create_app(settings: Settings) -> Starlette:
    """The ASGI app for one workspace."""
    from engine import load_engine

    ws = Workspace(settings.workspace)
    engine = load_engine(settings.rules)
    env = _env()

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("csrf", settings.csrf)
        html = env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    def problem_text(exc: IspAdvisorError) -> list[str]:
        return [(p.message + (f" ({p.hint})" if p.hint else "")) for p in exc.problems[:5]]

    def evaluate(case: Case, path: Path) -> tuple[Result, Decisions | None]:
        decisions = find_decisions(path, case.case_id)
        return engine.evaluate(case, decisions=decisions), decisions

    def plan_context(stem: str, case: Case, path: Path, scratch_of: Case | None = None) -> dict[str, Any]:
        from engine.model.whyhere import why_here
        from engine.render.plantext import decision_line, reasons_line, working_lines
        from engine.render.prooftext import proof_lines

        result, _ = evaluate(case, path)
        groups: dict[str, list[dict[str, Any]]] = {"now": [], "next": [], "later": []}
        for rec, place in result.placed():
            d = place.decision
            groups[place.horizon].append(
                {
                    "rank": place.rank,
                    "key": rec.key,
                    "title": rec.title,
                    "priority": rec.priority,
                    "category": rec.category,
                    "first": rec.actions[0] if rec.actions else rec.title,
                    "actions": rec.actions,
                    "why_here": why_here(rec, 4),
                    "reasons": reasons_line(place),
                    "rationale": rec.rationale,
                    "team": decision_line(place),
                    "proof": [line for p in rec.explanation for line in proof_lines(p)],
                    "decision": d.decision if d else "",
                    "owner": (d.owner or "") if d else "",
                    "due": (d.due or "") if d else "",
                    "status": (d.status or "") if d else "",
                    "note": (d.note or "") if d else "",
                    "reason": (d.reason or "") if d else "",
                }
            )
        changed: dict[str, list[str]] = {}
        if scratch_of is not None:
            saved, _ = evaluate(scratch_of, path)
            before = {r.key: r.title for r in saved.recommendations}
            after = {r.key: r.title for r in result.recommendations}
            changed = {
                "added": [after[k] for k in after if k not in before],
                "removed": [before[k] for k in before if k not in after],
            }
        cues = [
            {"question": c.question, "anchor": _anchor(c.path if c.path != "events" else "events")} for c in result.cues
        ]
        views = ""
        if result.perspectives:
            from engine.render.perspectiveview import html_block

            views = html_block(result.perspectives)
        return {
            "stem": stem,
            "groups": groups,
            "working": working_lines(result),
            "cues": cues,
            "perspectives_html": views,
            "missing": [{"path": m, "anchor": _anchor(m)} for m in result.missing_information],
            "warnings": list(result.warnings),
            "scratch": scratch_of is not None,
            "changed": changed,
            "perspectives": result.perspectives,
        }

    async def form_of(request: Request) -> FormData:
        form = await request.form(max_files=1, max_fields=2000)
        return form

    # ------------------------------------------------------------ pages

    async def index(request: Request) -> Response:
        return page(request, "index.html", entries=ws.entries(engine), examples=examples(), workspace=str(ws.root))

    async def new_case(request: Request) -> Response:
        form = await form_of(request)
        case_id = str(form.get("case_id") or "").strip()
        example = str(form.get("example") or "")
        try:
            case_id = Question("case_id", "Case id", "case_id").convert(case_id)
            if example:
                if example not in examples():
                    raise IspAdvisorError(Problem(field="example", code="unknown", message="no such example"))
                base = load_case(examples_dir() / f"{example}.yaml")
                case = base.model_copy(update={"case_id": case_id})
            else:
                case = case_from_text(f"case_id: {case_id}\n", "new case")
            create_case(ws.case_path(case_id, must_exist=False), case)
        except InvalidAnswer as exc:
            return page(
                request,
                "index.html",
                400,
                entries=ws.entries(engine),
                examples=examples(),
                workspace=str(ws.root),
                errors=[str(exc)],
            )
        except IspAdvisorError as exc:
            return page(
                request,
                "index.html",
                400,
                entries=ws.entries(engine),
                examples=examples(),
                workspace=str(ws.root),
                errors=problem_text(exc),
            )
        return RedirectResponse(f"/case/{quote(case_id)}", status_code=303)

    async def upload(request: Request) -> Response:
        form = await form_of(request)
        item = form.get("file")
        errors: list[str] = []
        if item is None or isinstance(item, str):
            errors = ["choose a YAML or JSON case file to upload"]
        else:
            raw = await item.read(MAX_UPLOAD + 1)
            await form.close()
            name = Path(item.filename or "upload.yaml").name
            if len(raw) > MAX_UPLOAD:
                errors = [f"{name} is larger than {MAX_UPLOAD // 1_000_000} MB; a case file is a few KB"]
            else:
                try:
                    text = raw.decode("utf-8")
                    suffix = ".json" if name.lower().endswith(".json") else ".yaml"
                    case = case_from_text(
                        text, name if name.lower().endswith((".json", ".yaml", ".yml")) else name + suffix
                    )
                    target = ws.case_path(case.case_id, must_exist=False)
                    create_case(target, case)
                    return RedirectResponse(f"/case/{quote(case.case_id)}", status_code=303)
                except UnicodeDecodeError:
                    errors = [f"{name} is not UTF-8 text"]
                except IspAdvisorError as exc:
                    errors = problem_text(exc)
        return page(
            request,
            "index.html",
            400,
            entries=ws.entries(engine),
            examples=examples(),
            workspace=str(ws.root),
            errors=errors,
        )

    async def case_page(request: Request) -> Response:
        stem = request.path_params["stem"]
        quick = request.query_params.get("mode") == "quick"
        try:
            path = ws.case_path(stem)
            text, version = read_case_text(path)
            case = case_from_text(text, str(path))
        except IspAdvisorError as exc:
            return page(
                request,
                "error.html",
                404 if "not_found" in {p.code for p in exc.problems} else 400,
                errors=problem_text(exc),
            )
        others = [s for s, _ in ws.assessments_of(case.case_id)]
        form = form_sections(case, quick)
        total = sum(len(s.fields) for s in form)
        answered = sum(s.answered for s in form)
        return page(
            request,
            "case.html",
            stem=stem,
            case=case,
            sections=form,
            version=version,
            quick=quick,
            progress=(answered, total),
            plan=plan_context(stem, case, path),
            compare=len(others) > 1,
        )

    async def field_post(request: Request) -> Response:
        stem = request.path_params["stem"]
        form = await form_of(request)
        fpath = str(form.get("path") or "")
        raw = str(form.get("value") if "value" in form else form.get(f"field:{fpath}") or "")
        version = str(form.get("version") or "") or None
        scratch = form.get("scratch") == "1"
        path = ws.case_path(stem)
        try:
            value = convert(fpath, raw)
        except InvalidAnswer as exc:
            return page(request, "_field_result.html", 200, anchor=_anchor(fpath), error=str(exc), plan=None)
        except IspAdvisorError as exc:
            return page(
                request, "_field_result.html", 200, anchor=_anchor(fpath), error=problem_text(exc)[0], plan=None
            )
        try:
            if scratch:
                text, _ = read_case_text(path)
                saved = case_from_text(text, str(path))
                _, case = edited_text(text, {fpath: value}, str(path))
                plan = plan_context(stem, case, path, scratch_of=saved)
                new_version = version
            else:
                case, new_version = edit_case(path, {fpath: value}, version)
                plan = plan_context(stem, case, path)
        except EditConflict as exc:
            return page(
                request,
                "_field_result.html",
                200,
                anchor=_anchor(fpath),
                error=problem_text(exc)[0],
                plan=None,
                conflict=True,
            )
        except IspAdvisorError as exc:
            return page(
                request, "_field_result.html", 200, anchor=_anchor(fpath), error="; ".join(problem_text(exc)), plan=None
            )
        return page(
            request,
            "_field_result.html",
            anchor=_anchor(fpath),
            error="",
            plan=plan,
            version=new_version,
            saved=not scratch,
        )

    async def save_all(request: Request) -> Response:
        """The form without JavaScript: every field posted at once, validated together, saved once."""
        stem = request.path_params["stem"]
        form = await form_of(request)
        path = ws.case_path(stem)
        changes: dict[str, Any] = {}
        errors: list[str] = []
        for key, raw in form.multi_items():
            if not key.startswith("field:"):
                continue
            fpath = key[6:]
            try:
                changes[fpath] = convert(fpath, str(raw))
            except (InvalidAnswer, IspAdvisorError) as exc:
                errors.append(f"{fpath}: {exc}")
        text, now = read_case_text(path)
        current = case_from_text(text, str(path))
        from engine.io.casewriter import case_data

        data = case_data(current)
        changes = {k: v for k, v in changes.items() if _current(data, k) != v}
        if not errors and changes:
            try:
                edit_case(path, changes, str(form.get("version") or "") or None)
            except IspAdvisorError as exc:
                errors = problem_text(exc)
        if errors:
            case = current
            form_view = form_sections(case, False)
            return page(
                request,
                "case.html",
                400,
                stem=stem,
                case=case,
                sections=form_view,
                version=now,
                quick=False,
                progress=(sum(s.answered for s in form_view), sum(len(s.fields) for s in form_view)),
                plan=plan_context(stem, case, path),
                errors=errors,
                compare=False,
            )
        return RedirectResponse(f"/case/{quote(stem)}", status_code=303)

    async def decide_post(request: Request) -> Response:
        stem = request.path_params["stem"]
        form = await form_of(request)
        path = ws.case_path(stem)
        case = load_case(path)
        key = str(form.get("key") or "")
        action = str(form.get("action") or "save")

        def text(name: str) -> str | None:
            return str(form.get(name) or "") if name in form else None

        edit = DecisionEdit(
            key,
            accept=action == "accept",
            set_aside=str(form.get("reason") or "") if action == "set_aside" else None,
            undo=action == "undo",
            owner=text("owner"),
            due=text("due"),
            status=text("status"),
            note=text("note"),
        )
        error = ""
        try:
            record(path, engine.evaluate(case), edit, today=dt.date.today())
        except IspAdvisorError as exc:
            error = "; ".join(problem_text(exc))
        if request.headers.get("HX-Request"):
            return page(
                request,
                "_plan.html",
                200 if not error else 400,
                plan=plan_context(stem, case, path),
                decide_error=error,
                decide_key=key,
            )
        if error:
            return page(request, "error.html", 400, errors=[error])
        return RedirectResponse(f"/case/{quote(stem)}#item-{quote(key)}", status_code=303)

    async def download(request: Request) -> Response:
        stem = request.path_params["stem"]
        what = request.path_params["what"]
        path = ws.case_path(stem)
        case = load_case(path)
        decisions = find_decisions(path, case.case_id)
        if request.query_params.get("redact") == "people":
            from engine.model.redact import redacted

            case, decisions = redacted(case, decisions, ("people",))
        result = engine.evaluate(case, decisions=decisions)
        name = f"{stem}-{what}"
        if what == "report.html":
            from engine.render import render

            return _attachment(render(result, "html", case=case), name, "text/html; charset=utf-8")
        if what in ("plan.html", "plan.docx", "plan.xlsx"):
            from engine.plan.planspec import DEFAULT_HORIZONS, build_plan_spec

            spec = build_plan_spec(result, case, engine.base, DEFAULT_HORIZONS)
            if what == "plan.html":
                from engine.render.planformats import render_plan

                return _attachment(render_plan(spec, "html", case), name, "text/html; charset=utf-8")
            from engine.render.worddoc import render_document

            fmt = what.rsplit(".", 1)[1]
            mime = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if fmt == "docx"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            return _attachment(render_document(fmt, result, case, spec), name, mime)
        return PlainTextResponse("not found", status_code=404)

    async def compare_page(request: Request) -> Response:
        stem = request.path_params["stem"]
        case = load_case(ws.case_path(stem))
        found = ws.assessments_of(case.case_id)
        if len(found) < 2:
            return page(request, "error.html", 404, errors=["this site has one assessment in the workspace"])
        from engine.assessments.compare import compare
        from engine.render.comparison import render_compare

        decided = [find_decisions(ws.case_path(s), c.case_id) for s, c in found]
        result = compare(engine, [(s, c) for s, c in found], decisions=decided)
        return HTMLResponse(render_compare(result.report(), "html"), headers={"Content-Security-Policy": REPORT_CSP})

    async def case_file(request: Request) -> Response:
        stem = request.path_params["stem"]
        path = ws.case_path(stem)
        text, _ = read_case_text(path)
        return _attachment(text, path.name, "text/yaml; charset=utf-8")

    routes = [
        Route("/", index),
        Route("/new", new_case, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/case/{stem}", case_page),
        Route("/case/{stem}/field", field_post, methods=["POST"]),
        Route("/case/{stem}/save", save_all, methods=["POST"]),
        Route("/case/{stem}/decide", decide_post, methods=["POST"]),
        Route("/case/{stem}/download/{what}", download),
        Route("/case/{stem}/compare", compare_page),
        Route("/case/{stem}/file", case_file),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    hosts = list(LOCAL_HOSTS) if settings.host in LOCAL_HOSTS else ["*"]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        exception_handlers={IspAdvisorError: _error_handler(env, settings)},
    )
    app.add_middleware(_Guard, settings=settings)
    return app


REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
"""The reports are self-contained pages with their own inline styles and no scripts."""

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
"""The app's own script and stylesheet only; style attributes are allowed (the group views' bars are
sized by one), <style> elements and inline scripts are not."""


def _attachment(body: str | bytes, name: str, mime: str) -> Response:
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "-_.")[:120] or "download"
    return Response(
        body,
        media_type=mime,
        headers={"Content-Disposition": f'attachment; filename="{safe}"', "Content-Security-Policy": REPORT_CSP},
    )


def _error_handler(env: Environment, settings: Settings) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IspAdvisorError)
        errors = [(p.message + (f" ({p.hint})" if p.hint else "")) for p in exc.problems[:5]] or [str(exc)]
        status = 404 if any(p.code == "not_found" for p in exc.problems) else 400
        html = env.get_template("error.html").render(request=request, errors=errors, csrf=settings.csrf)
        return HTMLResponse(html, status_code=status)

    return handle


class _Guard:
    """Token (when the server is not local), CSRF on every POST, and security headers on every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        token = self.settings.token
        if token:
            given = request.query_params.get("token")
            if given is not None and hmac.compare_digest(given, token):
                response: Response = RedirectResponse(request.url.path, status_code=303)
                response.set_cookie("isp_token", token, httponly=True, samesite="strict")
                await response(scope, receive, send)
                return
            if not hmac.compare_digest(request.cookies.get("isp_token", ""), token):
                await PlainTextResponse("a token is needed: open the URL the server printed", status_code=401)(
                    scope, receive, send
                )
                return
        if request.method == "POST":
            sent = request.headers.get("x-csrf-token") or ""
            if not sent:
                # plain forms carry it as a field; read the body once and hand it on
                body = b""
                more = True
                messages = []
                while more:
                    message = await receive()
                    messages.append(message)
                    body += message.get("body", b"")
                    more = message.get("more_body", False)
                    if len(body) > MAX_UPLOAD * 2:
                        break
                sent = _field_from(body, request.headers.get("content-type", ""))

                async def replay() -> Message:
                    return messages.pop(0) if messages else {"type": "http.request", "body": b"", "more_body": False}

                receive = replay
            if not hmac.compare_digest(sent, self.settings.csrf):
                await PlainTextResponse("this form is out of date: reload the page and try again", status_code=403)(
                    scope, receive, send
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", APP_CSP.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _field_from(body: bytes, content_type: str) -> str:
    """The `csrf` field of a urlencoded or multipart body ('' when absent)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        from urllib.parse import parse_qs

        values = parse_qs(body.decode("utf-8", "replace")).get("csrf", [""])
        return values[0]
    if content_type.startswith("multipart/form-data"):
        marker = b'name="csrf"'
        at = body.find(marker)
        if at >= 0:
            start = body.find(b"\r\n\r\n", at)
            end = body.find(b"\r\n", start + 4)
            if start >= 0 and end >= 0:
                return body[start + 4 : end].decode("utf-8", "replace")
    return ""


def serve(
    settings: Settings, port: int = 8765, open_browser: bool = False, ready: Callable[[str], None] | None = None
) -> None:
    """Run the server until interrupted (uvicorn)."""
    import uvicorn

    app = create_app(settings)
    host = settings.host
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    url = f"http://{shown if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"
    if settings.token:
        url += f"?token={settings.token}"
    if ready:
        ready(url)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.8, lambda: webbrowser.open(url)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


__all__ = ["Settings", "create_app", "serve", "digest"]
