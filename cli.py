"""isp-advisor: the command line. Parses options, calls one engine function, renders the result.

All errors reach the user through `Main.invoke`: a located message on stderr and exit code 2
(bad input or usage), 1 (engine failure), never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import click

from engine import __version__
from engine.errors import IspAdvisorError, IspAdvisorWarning, capped, clip, display_name, os_reason, printable
from engine.model.config import EngineConfig
from engine.model.vocabulary import CATEGORIES
from engine.render.formats import COMPARE_FORMATS, DOCUMENT_FORMATS, PLAN_FORMATS, REPORT_FORMATS, SWEEP_FORMATS

if TYPE_CHECKING:
    from datetime import datetime

    from engine.batch.sweep import SweepVariant
    from engine.model.case import Case
    from engine.model.decisions import Decisions
    from engine.practitioner.questions import Question

F = Callable[..., Any]


class Main(click.Group):
    """The one place that turns exceptions into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        _tolerant_streams()
        with warnings.catch_warnings():
            warnings.simplefilter("always", IspAdvisorWarning)
            warnings.showwarning = _show_warning
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IspAdvisorError as exc:
            for problem in capped(exc.problems):
                click.echo(f"error: {problem.render()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            _drop_stdout()
            sys.exit(0)
        except OSError as exc:  # an output that cannot be written (full disk, /dev/full, read-only folder)
            _drop_stdout()
            where = printable(display_name(str(exc.filename))) if exc.filename else "<output>"
            click.echo(f"error: {where}: {os_reason(exc)}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: say so briefly; ISP_ADVISOR_DEBUG=1 shows the traceback
            if os.environ.get("ISP_ADVISOR_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {printable(clip(str(exc), 400))} "
                "(set ISP_ADVISOR_DEBUG=1 for details and please report it)",
                err=True,
            )
            sys.exit(1)


def _tolerant_streams() -> None:
    """Characters the terminal's encoding lacks (PYTHONIOENCODING=latin-1) become escapes, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", "strict") == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot be reconfigured
                pass


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A project warning is one 'warning: ...' line on stderr; any other keeps Python's format."""
    if issubclass(category, IspAdvisorWarning):
        click.echo(f"warning: {message}", err=True)
    else:
        click.echo(warnings.formatwarning(message, category, filename, lineno, line).rstrip("\n"), err=True)


def _drop_stdout() -> None:
    """After stdout failed, send what is still buffered to /dev/null so exiting does not fail again."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass


class NamedPath(click.Path):
    """click.Path that refuses an empty (or blank) name, for every path option in one place: `-o ''` must not
    print to stdout, `--jsonl ''` must not be ignored, `--rules ''` must not load the current folder.

    `what` names the thing in the message ('output file'), `example` is a name the hint suggests."""

    def __init__(self, what: str, example: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what
        self.example = example

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            from engine.errors import Problem, UsageError

            if isinstance(param, click.Argument):  # CASE, INPUT...: named by their metavar, given bare
                where, example, leave = param.human_readable_name, self.example, ""
            else:
                opts = param.opts if param is not None else []
                opt = max(opts, key=len) if opts else "the option"
                where, example = "/".join(opts) or opt, f"{opt} {self.example}"
                leave = "" if param is None or param.required else f", or leave {opt} out"
            raise UsageError(
                Problem(
                    file=where,
                    code="empty_path",
                    message=f"the {self.what} name is empty",
                    hint=f"name the {self.what}, e.g. {example}{leave}",
                )
            )
        return super().convert(value, param, ctx)


def rules_option(f: F) -> F:
    """--rules DIR (repeatable) and --no-shipped: which rule packs to load.

    The command receives `rules` as an engine.model.config.EngineConfig (with --matcher and -v), which
    every library function taking rule folders understands, batch workers included.
    """

    @functools.wraps(f)
    def wrapper(
        *args: Any, rules: tuple[str, ...] = (), no_shipped: bool = False, matcher: str | None = None, **kwargs: Any
    ) -> Any:
        return f(*args, rules=engine_config(rules, not no_shipped, matcher), **kwargs)

    command: F = click.option(
        "--no-shipped", is_flag=True, help="Load only the --rules folders, not the shipped packs."
    )(wrapper)
    command = matcher_option(command)
    return click.option(
        "--rules",
        "rules",
        multiple=True,
        metavar="DIR",
        type=NamedPath("rule folder", "my-rules", file_okay=False),
        help="Add the rule packs in DIR (repeatable; also $ISP_ADVISOR_RULES).",
    )(command)


def engine_config(rules: tuple[str, ...], shipped: bool, matcher: str | None) -> EngineConfig:
    """The command's EngineConfig, built once from its options and the group's -v (the environment's
    $ISP_ADVISOR_VERBOSE and $ISP_ADVISOR_MATCHER are the defaults, read here and in the library)."""
    from engine.evaluation.matcher import verbose_default

    ctx = click.get_current_context(silent=True)
    verbose = bool(ctx is not None and ctx.find_root().meta.get("isp_advisor.verbose")) or verbose_default()
    return EngineConfig(tuple(rules), shipped, matcher, verbose)


def _remember_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta["isp_advisor.verbose"] = True


def format_option(choices: Sequence[str], default: str = "table", help: str = "Output format.") -> Callable[[F], F]:
    """`--format/-f` with the command's formats (declared in engine/render/formats.py or beside the command)."""
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )


def matcher_option(f: F) -> F:
    """--matcher durable|python: which matcher runs the rules (also $ISP_ADVISOR_MATCHER)."""
    return click.option(
        "--matcher",
        type=click.Choice(["durable", "python"]),
        default=None,
        help="Match rules with durable_rules (the default where installed) or the plain "
        "Python matcher; both fire the same rules (also $ISP_ADVISOR_MATCHER).",
    )(f)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from engine.evaluation.matcher import describe

    click.echo(f"isp-advisor, version {__version__}\nmatcher: {describe()}")
    ctx.exit()


def output_options(f: F) -> F:
    """-o FILE and --force, shared by every command that writes a file."""
    f = click.option("--force", is_flag=True, help="Replace FILE if it exists.")(f)
    return click.option(
        "-o",
        "--output",
        type=NamedPath("output file", "report.html", dir_okay=False),
        metavar="FILE",
        help="Write to FILE (atomically) instead of stdout.",
    )(f)


def quiet_option(f: F) -> F:
    """--quiet/-q, as recommend has it, for every command that prints a long result: the command passes
    it to `emit(..., pager=not quiet, quiet=quiet)` and turns colour off with it."""
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="For scripts: no colour, no pager, no 'wrote FILE' note; errors still go to stderr.",
    )(f)


def emit(text: str, output: str | None, force: bool, *, pager: bool = False, quiet: bool = False) -> None:
    """Print, or write a file atomically. `pager`: text longer than the terminal goes through the pager
    ($PAGER), only when stdout is a terminal, never when piped. `quiet`: no "wrote FILE" note."""
    if output:
        from engine.io.outputs import atomic_write

        atomic_write(output, text, force)
        if not quiet:
            click.echo(f"wrote {output}", err=True)
    elif pager and stdout_is_terminal() and text.count("\n") > terminal_height():
        # click sets LESS=-R for less by itself; another pager gets the colour as it is
        words = (os.environ.get("PAGER") or "less").split() or ["less"]
        keep = "\x1b[" in text and os.path.basename(words[0]) != "less"
        click.echo_via_pager(text, color=True if keep else None)
    else:
        click.echo(text, nl=False)


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def use_color() -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


def terminal_height() -> int:
    import shutil

    return shutil.get_terminal_size((100, 40)).lines


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the matcher, then exit.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    expose_value=False,
    callback=_remember_verbose,
    help="Say more on stderr (e.g. which matcher runs the rules and why; also $ISP_ADVISOR_VERBOSE).",
)
def main() -> None:
    """ISP Advisor: tailored, explained implementation-support advice from a site's context.

    Give it a case file describing a site (CFIR ratings, engagement, power, trust, capacity,
    leadership, equity) and it recommends tailored supports, facilitation methods, equity
    strategies, capacity-building actions and ERIC strategies, each with the reasons and sources.

    Example:


    \b
        isp-advisor recommend cases/riverside-fqhc.yaml --explain
    """


# ---------------------------------------------------------------- recommend (core)

FORMATS = [*REPORT_FORMATS, *DOCUMENT_FORMATS]
CATEGORY_CHOICES = list(CATEGORIES)


def decisions_options(f: F) -> F:
    """--decisions FILE, --no-decisions and --redact people: the team's working plan and privacy."""
    f = click.option(
        "--redact",
        "redact",
        multiple=True,
        type=click.Choice(["people"]),
        help="Replace every person's name by their role in all output (repeatable).",
    )(f)
    f = click.option("--no-decisions", is_flag=True, help="Ignore the case's decisions file (<stem>.plan.yaml).")(f)
    return click.option(
        "--decisions",
        "decisions_file",
        type=NamedPath("decisions file", "site.plan.yaml"),
        metavar="FILE",
        help="The team's decisions on the plan's items (default: <stem>.plan.yaml beside CASE, when it exists).",
    )(f)


def _working_case(
    case: str, decisions_file: str | None, no_decisions: bool, redact: tuple[str, ...], previous: str | None = None
) -> tuple[Case, Decisions | None, Case | None]:
    """The case, its decisions (carrying the previous assessment's accepted items forward) and the
    previous case, all redacted as asked."""
    from engine import load_case
    from engine.io.decisionfile import find_decisions
    from engine.model.decisions import carry_forward
    from engine.model.redact import redacted

    the_case = load_case(case)
    decisions = find_decisions(case, the_case.case_id, decisions_file, no_decisions)
    before = None
    if previous:
        from engine.assessments.compare import load_previous

        before = load_previous(previous, the_case)
        if not no_decisions:
            old = find_decisions(previous, before.case_id)
            decisions = carry_forward(decisions, old, before.assessed_on or display_name(previous))
    if redact:
        the_case, decisions = redacted(the_case, decisions, redact)
        if before is not None:
            before, _ = redacted(before, None, redact)
    return the_case, decisions, before


def _write_document(fmt: str, output: str | None, force: bool, data: bytes, quiet: bool = False) -> None:
    """A .docx or .xlsx: always to a file, written atomically."""
    from engine.errors import UsageError
    from engine.io.outputs import atomic_write

    if not output:
        raise UsageError(f"--format {fmt} writes a file: add -o FILE.{fmt}")
    atomic_write(output, data, force)
    if not quiet:
        click.echo(f"wrote {printable(display_name(output))}", err=True)


def plan_options(f: F) -> F:
    """--now N and --next N: how many items the plan's first two horizons hold."""
    f = click.option(
        "--next",
        "next_n",
        type=click.IntRange(0),
        default=10,
        show_default=True,
        metavar="N",
        help="At most N items in Next (this quarter).",
    )(f)
    return click.option(
        "--now",
        "now_n",
        type=click.IntRange(1),
        default=5,
        show_default=True,
        metavar="N",
        help="At most N items in Start here (the first 30 days).",
    )(f)


def view_options(f: F) -> F:
    """Filters and layout of a rendered plan: --top, --horizon, --priority, --category, --by."""
    f = click.option(
        "--by",
        "by",
        type=click.Choice(["plan", "category"]),
        default="plan",
        show_default=True,
        help="plan: Start here, Next, Later, then the detail; category: only the detail by category.",
    )(f)
    f = click.option(
        "--priority",
        "-p",
        "priorities",
        multiple=True,
        type=click.Choice(["high", "medium", "low"]),
        help="Show only this priority (repeatable).",
    )(f)
    f = click.option(
        "--horizon",
        "horizons",
        multiple=True,
        type=click.Choice(["now", "next", "later"]),
        help="Show only this horizon (repeatable).",
    )(f)
    f = click.option(
        "--top", type=click.IntRange(1), default=None, metavar="N", help="Show only the first N items of the plan."
    )(f)
    return click.option(
        "--category",
        "-c",
        "categories",
        multiple=True,
        type=click.Choice(CATEGORY_CHOICES),
        help="Show only this category (repeatable).",
    )(f)


def date_option(f: F) -> F:
    """--date YYYY-MM-DD: the reference date when a case states no assessed_on."""
    return click.option(
        "--date",
        "date",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        metavar="YYYY-MM-DD",
        help="The date to count days from (events, people leaving) and to show, when the case states no "
        "assessed_on; never today's date by default, so the same inputs give the same bytes.",
    )(f)


def iso(date: datetime | None) -> str | None:
    """A --date value as YYYY-MM-DD (None when not given)."""
    return date.date().isoformat() if date else None


def terminal_width() -> int:
    """The terminal's columns ($COLUMNS first); 100 when not a terminal."""
    import shutil

    return shutil.get_terminal_size((100, 40)).columns


def report_width() -> int | None:
    """The width the line-by-line reports (explain, why-not, rules show) wrap to: the terminal's columns,
    or $COLUMNS; None when stdout is piped and $COLUMNS is unset, so a file or grep gets whole lines."""
    return terminal_width() if stdout_is_terminal() or os.environ.get("COLUMNS") else None


@main.command()
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@format_option(FORMATS)
@click.option("--explain", is_flag=True, help="Print the proof tree under each recommendation.")
@click.option(
    "--no-appendix", is_flag=True, help="html: leave out the appendix (every recommendation in full, with its proof)."
)
@date_option
@quiet_option
@click.option(
    "--previous",
    type=NamedPath("earlier case file", "site-2025.yaml"),
    metavar="OLD",
    help="An earlier assessment of the same site: rules see what changed since (change.* facts).",
)
@decisions_options
@view_options
@plan_options
@rules_option
@output_options
def recommend(
    case: str,
    fmt: str,
    explain: bool,
    no_appendix: bool,
    date: datetime | None,
    quiet: bool,
    previous: str | None,
    decisions_file: str | None,
    no_decisions: bool,
    redact: tuple[str, ...],
    categories: tuple[str, ...],
    top: int | None,
    horizons: tuple[str, ...],
    priorities: tuple[str, ...],
    by: str,
    now_n: int,
    next_n: int,
    rules: tuple[str, ...],
    output: str | None,
    force: bool,
) -> None:
    """The plan for the site described in CASE (YAML or JSON): Start here, Next, Later, then the detail.

    On a terminal the table is coloured by priority and horizon (not with NO_COLOR set) and long
    output goes through the pager ($PAGER); piped output is plain and never paged.

    Example:


    \b
        isp-advisor recommend cases/riverside-fqhc.yaml --top 5
        isp-advisor recommend cases/riverside-fqhc.yaml --format markdown -o report.md
        isp-advisor recommend cases/riverside-fqhc.yaml -f html --date 2026-03-02 -o report.html
        isp-advisor recommend cases/riverside-fqhc.yaml -f docx -o plan.docx --redact people
    """
    from engine import load_engine
    from engine.model.placement import PlanOptions
    from engine.render import View, render

    if output:
        from engine.io.outputs import check_writable

        check_writable(output, force)
    the_case, decisions, before = _working_case(case, decisions_file, no_decisions, redact, previous)
    result = load_engine(rules).evaluate(the_case, PlanOptions(now=now_n, next=next_n), before, iso(date), decisions)
    if fmt in ("docx", "xlsx"):
        from engine.render.worddoc import render_document

        _write_document(fmt, output, force, render_document(fmt, result, the_case, None, iso(date)), quiet)
        return
    view = View(
        explain=explain,
        categories=categories,
        horizons=horizons,
        priorities=priorities,
        top=top,
        by=by,
        width=terminal_width(),
        appendix=not no_appendix,
        assessed_on=iso(date),
        color=fmt == "table" and not output and not quiet and use_color(),
    )
    text = render(result, fmt, case=the_case, view=view)
    emit(text, output, force, pager=not quiet, quiet=quiet)


# ---------------------------------------------------------------- plan (issue 11)


@main.command("plan")
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@format_option(
    [*PLAN_FORMATS, *DOCUMENT_FORMATS], help="Output format (csv: one row per strategy, with its logic-model row)."
)
@click.option(
    "--horizon",
    "horizons",
    multiple=True,
    type=click.Choice(["now", "next", "later"]),
    help="Specify the items of this horizon (repeatable; default: now and next).",
)
@date_option
@decisions_options
@quiet_option
@rules_option
@output_options
def plan_cmd(
    case: str,
    fmt: str,
    horizons: tuple[str, ...],
    date: datetime | None,
    decisions_file: str | None,
    no_decisions: bool,
    redact: tuple[str, ...],
    quiet: bool,
    rules: tuple[str, ...],
    output: str | None,
    force: bool,
) -> None:
    """The specified plan for CASE: who does what, to whom, when and how often, the go-zones
    (importance x feasibility), the logic model and the outcome measures.

    Whatever the knowledge base does not state reads "to agree with the team". The case's
    optional `ratings:` section overrides the published importance and feasibility priors.

    Example:


    \b
        isp-advisor plan cases/riverside-fqhc.yaml

        isp-advisor plan cases/riverside-fqhc.yaml --format html -o plan.html

        isp-advisor plan cases/riverside-fqhc.yaml --format xlsx -o plan.xlsx
    """
    from engine import load_engine
    from engine.plan.planspec import DEFAULT_HORIZONS, build_plan_spec, check_ratings
    from engine.render.planformats import render_plan

    if output:
        from engine.io.outputs import check_writable

        check_writable(output, force)
    the_case, decisions, _ = _working_case(case, decisions_file, no_decisions, redact)
    engine = load_engine(rules)
    check_ratings(the_case, engine.base, case)
    result = engine.evaluate(the_case, date=iso(date), decisions=decisions)
    spec = build_plan_spec(result, the_case, engine.base, horizons or DEFAULT_HORIZONS)
    if fmt in ("docx", "xlsx"):
        from engine.render.worddoc import render_document

        _write_document(fmt, output, force, render_document(fmt, result, the_case, spec, iso(date)), quiet)
        return
    emit(render_plan(spec, fmt, the_case, terminal_width()), output, force, pager=not quiet, quiet=quiet)


# ---------------------------------------------------------------- decide (issue 22)


@main.command("decide")
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@click.argument("key", required=False, metavar="KEY")
@click.option("--accept", "accept", is_flag=True, help="The team will do this item.")
@click.option("--set-aside", "set_aside", metavar="REASON", help="The team will not do it now, and why.")
@click.option("--owner", metavar="NAME", help="Who leads it ('' clears it).")
@click.option("--due", metavar="YYYY-MM-DD", help="By when ('' clears it).")
@click.option("--status", type=click.Choice(["not_started", "under_way", "done"]), help="Progress.")
@click.option("--note", metavar="TEXT", help="A short note ('' clears it).")
@click.option("--by", "by", metavar="NAME", help="Who made the change (default: your user name).")
@click.option("--list", "list_", is_flag=True, help="Show the plan with the team's decisions beside it.")
@click.option(
    "--decisions",
    "decisions_file",
    type=NamedPath("decisions file", "site.plan.yaml"),
    metavar="FILE",
    help="Another decisions file than <stem>.plan.yaml beside CASE.",
)
@date_option
@rules_option
def decide(
    case: str,
    key: str | None,
    accept: bool,
    set_aside: str | None,
    owner: str | None,
    due: str | None,
    status: str | None,
    note: str | None,
    by: str | None,
    list_: bool,
    decisions_file: str | None,
    date: datetime | None,
    rules: tuple[str, ...],
) -> None:
    """Keep the plan as a working document: accept an item or set it aside, give it an owner, a due
    date and a status. Written to CASE's decisions file (<stem>.plan.yaml beside it, created on first
    use; its other entries and comments are kept), which `recommend`, `plan` and `compare` read.

    KEY is the item's key, shown in every view (e.g. capacity_building:leadership-transition).

    Example:


    \b
        isp-advisor decide cases/riverside-fqhc.yaml capacity_building:leadership-transition --accept --owner Ortiz
        isp-advisor decide cases/riverside-fqhc.yaml equity:structural-racism --set-aside "after the board retreat"
        isp-advisor decide cases/riverside-fqhc.yaml --list
    """
    from engine import load_case, load_engine
    from engine.errors import UsageError
    from engine.io.decisionfile import find_decisions
    from engine.practitioner.deciding import DecisionEdit, record

    the_case = load_case(case)
    engine = load_engine(rules)
    if list_ or key is None:
        if key is not None or accept or set_aside or owner is not None or due is not None or status or note:
            raise UsageError("--list shows the decisions; give KEY (and no --list) to change one")
        decisions = find_decisions(case, the_case.case_id, decisions_file)
        result = engine.evaluate(the_case, date=iso(date), decisions=decisions)
        from engine.render.decisionsview import render_decisions

        click.echo(render_decisions(result, decisions, terminal_width()), nl=False)
        return
    import datetime as dt

    edit = DecisionEdit(key, accept, set_aside, False, owner, due, status, note)
    path, _ = record(
        case,
        engine.evaluate(the_case, date=iso(date)),
        edit,
        today=date.date() if date else dt.date.today(),
        by=by if by is not None else _user_name(),
        file=decisions_file,
        case_name=display_name(case),
    )
    click.echo(f"{key}: saved in {printable(display_name(str(path)))}", err=True)


def _user_name() -> str | None:
    import getpass

    try:
        return getpass.getuser() or None
    except (KeyError, OSError):  # no user database entry (containers)
        return None


# ---------------------------------------------------------------- serve (issue 23)


@main.command("serve")
@click.option(
    "--workspace",
    "workspace",
    type=NamedPath("workspace folder", "sites", file_okay=False),
    default=".",
    show_default=True,
    metavar="DIR",
    help="The folder of case files (they stay plain YAML there).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; anything but this machine needs --token (or gets a generated one).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--token", metavar="TEXT", help="A secret every request must carry (required off this machine).")
@click.option(
    "--open/--no-open",
    "open_",
    default=None,
    help="Open the browser (default: on a desktop, when run from a terminal).",
)
@rules_option
def serve_cmd(
    workspace: str, host: str, port: int, token: str | None, open_: bool | None, rules: tuple[str, ...]
) -> None:
    """ISP Advisor in the browser: fill in a site as a team, watch the plan form, keep it as a working
    document. A local web server on this machine; the case files stay in the workspace folder.

    Example:


    \b
        isp-advisor serve
        isp-advisor serve --workspace cases --port 8800 --no-open
    """
    from engine.errors import UsageError

    try:
        from webapp.app import LOCAL_HOSTS, Settings, serve
    except ImportError as exc:
        raise UsageError(f"the browser app needs its extra: pip install '.[web]' ({exc.name} is missing)") from None
    import secrets

    if not os.path.isdir(workspace):
        raise UsageError(f"{workspace}: workspace folder not found (give an existing folder with --workspace DIR)")
    if host not in LOCAL_HOSTS and not token:
        token = secrets.token_urlsafe(18)
    settings = Settings(workspace=workspace, host=host, token=token, rules=rules)
    if open_ is None:
        open_ = stdout_is_terminal() and bool(os.environ.get("DISPLAY") or sys.platform in ("darwin", "win32"))

    def ready(url: str) -> None:
        click.echo(f"ISP Advisor is running at {url}  (Ctrl+C stops it)", err=True)
        if host not in LOCAL_HOSTS:
            click.echo(
                "warning: reachable from other machines; share the URL with its token only with your team", err=True
            )

    serve(settings, port, open_, ready)


# ---------------------------------------------------------------- batch (issue 4)


TABLE_FORMATS = ["parquet"]
"""engine.batch.tables.TABLE_FORMATS, spelled out so that --help does not import the table writers."""


def analyst_options(f: F) -> F:
    """--tables parquet and --redact people,events (batch and sweep)."""
    f = click.option(
        "--redact",
        "redact",
        multiple=True,
        metavar="people,events",
        help="Replace every person's name by their role (people) and every event summary by its "
        "kind (events) in all outputs; comma-separated or repeated.",
    )(f)
    return click.option(
        "--tables",
        "tables",
        type=click.Choice(TABLE_FORMATS),
        default=None,
        help="Also write Parquet tables for pandas, R and DuckDB (docs/analysts.md; pip install '.[analytics]').",
    )(f)


def executor_options(f: F) -> F:
    """--executor local|dask and --scheduler ADDRESS (batch and sweep)."""
    f = click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="dask: the scheduler of an existing cluster, e.g. tcp://10.0.0.5:8786 "
        "(default: a LocalCluster on this machine).",
    )(f)
    return click.option(
        "--executor",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="local: processes on this machine; dask: a Dask cluster (pip install '.[dask]').",
    )(f)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=NamedPath("input", "cases/"), metavar="INPUT...")
@click.option(
    "--out",
    "out",
    required=True,
    type=NamedPath("output folder", "results", file_okay=False),
    metavar="DIR",
    help="Folder for results.jsonl, errors.jsonl, recommendations.csv and summary.md.",
)
@click.option(
    "--jobs",
    "-j",
    type=int,
    default=None,
    metavar="N",
    help="Worker processes (default: the machine's cores). Outputs are the same for any N.",
)
@click.option("--resume", is_flag=True, help="Keep the cases DIR already holds results for (same content).")
@click.option("--force", is_flag=True, help="Replace the outputs already in DIR.")
@click.option(
    "--explanations",
    type=click.Choice(["full", "none"]),
    default="full",
    show_default=True,
    help="none: results.jsonl without the proof trees (a fraction of the size); all else is kept.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="For scripts: no progress bar and no summary line; failed cases are still listed on stderr (exit code 1).",
)
@analyst_options
@date_option
@executor_options
@rules_option
def batch(
    inputs: tuple[str, ...],
    out: str,
    jobs: int | None,
    resume: bool,
    force: bool,
    explanations: str,
    quiet: bool,
    tables: str | None,
    redact: tuple[str, ...],
    date: datetime | None,
    executor: str,
    scheduler: str | None,
    rules: tuple[str, ...],
) -> None:
    """Run many cases: case files, folders of them, JSON Lines (.jsonl) and CSV files (.csv).

    Writes DIR/results.jsonl (one 'recommend --format json' object per good case, in input order),
    DIR/errors.jsonl (one line per bad case), DIR/recommendations.csv (one row per case and
    recommendation), DIR/summary.md (the portfolio at a glance) and DIR/summary.html (the same
    as pictures). CSV columns are case paths such as case_id, engagement.level,
    cfir.innovation.complexity. With --tables parquet also DIR/cases.parquet, items.parquet,
    texts.parquet and proofs.parquet (docs/analysts.md). Exit code 1 if some cases failed.

    Example:

    \b
        isp-advisor batch cases/ cases/portfolio.csv --out out --jobs 2
        isp-advisor batch cases/ --out out --tables parquet --redact people,events
        isp-advisor batch cases/ --out out --executor dask --scheduler tcp://10.0.0.5:8786
    """

    from engine.batch.batchrun import Stopped, run_batch, stop_on_signals

    try:
        with stop_on_signals():  # SIGTERM and SIGHUP stop the run as Ctrl-C does
            if sys.stderr.isatty() and not quiet:
                with contextlib.ExitStack() as stack:
                    bars: list[Any] = []

                    def start(total: int) -> None:  # called once the run is known to be usable
                        bars.append(
                            stack.enter_context(click.progressbar(length=total, label="cases", file=sys.stderr))
                        )

                    report = run_batch(
                        inputs,
                        out,
                        jobs=jobs,
                        resume=resume,
                        force=force,
                        rules=rules,
                        total=start,
                        progress=lambda n: bars[0].update(n),
                        explanations=explanations,
                        executor=executor,
                        scheduler=scheduler,
                        date=iso(date),
                        redacted=redact,
                        tables_format=tables,
                    )
            else:
                report = run_batch(
                    inputs,
                    out,
                    jobs=jobs,
                    resume=resume,
                    force=force,
                    rules=rules,
                    explanations=explanations,
                    executor=executor,
                    scheduler=scheduler,
                    date=iso(date),
                    redacted=redact,
                    tables_format=tables,
                )
    except KeyboardInterrupt as exc:
        import signal

        how = f"stopped by {signal.Signals(exc.signum).name}" if isinstance(exc, Stopped) else "interrupted"
        click.echo(f"{how}: the finished cases are kept; add --resume to the same command to go on", err=True)
        sys.exit(128 + exc.signum if isinstance(exc, Stopped) else 130)
    reused = f", {report.reused} reused from the earlier run" if report.reused else ""
    if not quiet:
        click.echo(
            f"{report.cases} cases: {report.ok} evaluated, {report.failed} failed{reused}; "
            f"wrote {', '.join(str(f) for f in report.files)}",
            err=True,
        )
    if report.failed:
        from engine.render.portfoliomd import problem, where

        for row in report.errors:
            click.echo(f"  {printable(clip(where(row), 80))}: {printable(clip(problem(row), 200))}", err=True)
        more = report.failed - len(report.errors)
        click.echo(
            f"{'... and ' + str(more) + ' more; ' if more > 0 else ''}see {report.errors_file} for every failed case",
            err=True,
        )
        sys.exit(1)


# ---------------------------------------------------------------- rule authors (issue 5)

SCHEMA_KINDS = ("case", "rules", "sources", "tests", "output", "plan", "compare", "decisions")
"""engine.authoring.schema.KINDS, spelled out so the CLI does not import the schema models at start-up
(tests/test_schema.py checks they agree)."""

AUTHOR_FORMATS = ["table", "json"]


@main.group("rules")
def rules_group() -> None:
    """Tools for rule authors: list, show, lint, test, coverage, docs and impact diff of rule packs.

    Example:


    \b
        isp-advisor rules lint --rules my_rules
    """


@rules_group.command("list")
@click.option("--category", "-c", type=click.Choice(CATEGORY_CHOICES), help="Only rules of this category.")
@format_option(AUTHOR_FORMATS)
@quiet_option
@rules_option
def rules_list(category: str | None, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """List the loaded rules: id, category (or 'derive'), priority, pack, title, and whether a rule
    overrides a shipped one or is disabled.

    Example:


    \b
        isp-advisor rules list --category equity --rules my_rules
    """
    from engine.authoring.catalogue import summaries
    from engine.errors import warn
    from engine.render.authoringreport import rule_list_text
    from engine.rulepacks.loader import load_rulebase, source_overrides

    for problem in source_overrides(rules):
        warn(problem.render())
    emit(rule_list_text(summaries(load_rulebase(rules), category), fmt, terminal_width()), None, False, pager=not quiet)


@rules_group.command("show")
@click.argument("rule_id", metavar="RULE_ID")
@format_option(["text", "json"], default="text")
@quiet_option
@rules_option
def rules_show(rule_id: str, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """Show one rule in full, with its conditions in plain language (text wrapped to the terminal).

    Example:


    \b
        isp-advisor rules show EQ-TRUST-LOW
    """
    from engine.authoring.catalogue import lookup, rule_dict, rule_text
    from engine.render.jsonout import dumps
    from engine.render.table import fit_lines

    base, rule = lookup(rule_id, rules)
    width = report_width()
    text = dumps(rule_dict(rule)) if fmt == "json" else rule_text(rule, base)
    if fmt == "text" and width is not None:
        text = "\n".join(fit_lines(text.splitlines(), width)) + "\n"
    emit(text, None, False, pager=not quiet)


@rules_group.command("lint")
@format_option(["text", "json"], default="text")
@quiet_option
@rules_option
@click.pass_context
def rules_lint(ctx: click.Context, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """Check rule packs for mistakes: schema errors, duplicate ids, unknown tags, fact paths and
    sources, rules that can never fire, derivation cycles, derived facts nothing uses.

    Exit code 1 when there are errors, 0 when there are only warnings.

    Example:


    \b
        isp-advisor rules lint --rules my_rules
    """
    from engine.authoring.lint import has_errors, lint_with_headroom
    from engine.render.authoringreport import findings_text

    findings, (used, limit) = lint_with_headroom(rules)
    if fmt == "text" and not quiet:
        click.echo(f"durable_rules headroom: a case fills at most {used} of {limit} properties in one fact", err=True)
    emit(findings_text(findings, fmt), None, False, pager=not quiet)
    ctx.exit(1 if has_errors(findings) else 0)


@rules_group.command("test")
@format_option(["text", "json"], default="text")
@quiet_option
@rules_option
@click.pass_context
def rules_test(ctx: click.Context, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """Run the rule tests kept next to the packs (rules/tests/*.yaml, DIR/tests/*.yaml).

    Exit code 1 when a test fails.

    Example:


    \b
        isp-advisor rules test --rules my_rules
    """
    from engine.authoring.ruletests import local_folders, run_rule_tests
    from engine.render.authoringreport import outcomes_text

    outcomes = run_rule_tests(rules)
    emit(outcomes_text(outcomes, fmt, local=bool(local_folders(rules))), None, False, pager=not quiet)
    ctx.exit(0 if all(o.passed for o in outcomes) else 1)


@rules_group.command("coverage")
@click.option(
    "--view",
    type=click.Choice(["rules", "eric"]),
    default="rules",
    show_default=True,
    help="rules: how often each rule fires over the --cases folder. eric: which CFIR barriers "
    "reach each ERIC strategy in the loaded packs, through which rules, on what evidence "
    "(needs no cases).",
)
@click.option(
    "--cases",
    "cases_dir",
    type=NamedPath("cases folder", "cases"),
    metavar="DIR",
    help="Folder of example case files (required by --view rules).",
)
@format_option(["table", "markdown", "json"])
@rules_option
def rules_coverage(view: str, cases_dir: str | None, fmt: str, rules: tuple[str, ...]) -> None:
    """How often each rule fires over a folder of cases; rules that never fire; cases left with
    nothing in a category. With --view eric: for each of the 73 ERIC strategies, the CFIR barriers
    that reach it, the rules and the evidence (figure, level, cited, authors' judgement), the count of
    strategies reachable from each CFIR domain and the strategies no barrier reaches.

    Example:


    \b
        isp-advisor rules coverage --cases cases
        isp-advisor rules coverage --view eric
        isp-advisor rules coverage --view eric --format json --rules my_rules
    """
    from engine.errors import Problem, UsageError
    from engine.render.coveragereport import coverage_report, eric_report

    if view == "eric":
        from engine.authoring.ericview import eric_view_of

        if cases_dir is not None:
            raise UsageError(
                Problem(
                    field="--cases",
                    code="not_used",
                    message="is not used by --view eric",
                    hint="the ERIC view reads the rule packs only; leave --cases out",
                )
            )
        click.echo(eric_report(eric_view_of(rules), fmt, terminal_width()), nl=False)
        return
    from engine.authoring.coverage import coverage_of

    if cases_dir is None:
        raise UsageError(
            Problem(
                field="--cases",
                code="missing",
                message="is required by --view rules",
                hint="give a folder of case files, e.g. --cases cases",
            )
        )
    click.echo(coverage_report(coverage_of(rules, cases_dir), fmt, terminal_width()), nl=False)


@rules_group.command("docs")
@rules_option
@output_options
def rules_docs(rules: tuple[str, ...], output: str | None, force: bool) -> None:
    """Write the Markdown catalogue of the loaded rules, by category (docs/rules.md is made by it).

    Example:


    \b
        isp-advisor rules docs -o docs/rules.md --force
    """
    from engine.authoring.catalogue import catalogue
    from engine.rulepacks.loader import load_rulebase

    if output:
        from engine.io.outputs import check_writable

        check_writable(output, force)
    emit(catalogue(load_rulebase(rules)), output, force)


@rules_group.command("diff")
@click.argument("old", type=NamedPath("old rule folder", "rules-v1", file_okay=False), metavar="OLD")
@click.argument("new", type=NamedPath("new rule folder", "rules-v2", file_okay=False), metavar="NEW")
@click.option(
    "--cases",
    "cases_dir",
    required=True,
    type=NamedPath("cases folder", "cases"),
    metavar="DIR",
    help="Folder of example case files to run on both.",
)
@format_option(AUTHOR_FORMATS)
@click.option(
    "--no-shipped",
    is_flag=True,
    help="OLD and NEW are complete rule bases: load each alone, not over the shipped packs.",
)
def rules_diff(old: str, new: str, cases_dir: str, fmt: str, no_shipped: bool) -> None:
    """Compare two rule folders on a folder of cases: per case, the recommendations added,
    removed or changed in priority, and a total.

    Each folder is loaded over the shipped packs, as --rules DIR is everywhere else (the shipped
    folder itself stands for the shipped packs alone); with --no-shipped each is loaded alone.

    Example:


    \b
        isp-advisor rules diff rules/ my_rules/ --cases cases      # what my_rules adds

        isp-advisor rules diff old_rules/ rules/ --cases cases --no-shipped
    """
    from engine.authoring.rulediff import diff_folders
    from engine.render.authoringreport import diff_text

    click.echo(diff_text(diff_folders(old, new, cases_dir, shipped=not no_shipped), fmt), nl=False)


@main.command("schema")
@click.argument("kind", type=click.Choice(list(SCHEMA_KINDS)), metavar="KIND")
@output_options
def schema_cmd(kind: str, output: str | None, force: bool) -> None:
    """Print the JSON Schema of a file kind: case, rules, sources, tests (rule tests), output, plan,
    compare or decisions (a case's <stem>.plan.yaml).

    Editors use it to complete and check files, e.g. VS Code's YAML extension with a first line
    '# yaml-language-server: $schema=case.schema.json'.

    Example:


    \b
        isp-advisor schema case -o case.schema.json
    """
    from engine.authoring.schema import json_schema
    from engine.render.jsonout import dumps

    emit(dumps(json_schema(kind)), output, force)


# ---------------------------------------------------------------- assessments over time (issue 12)


@main.command("compare")
@click.argument(
    "cases", nargs=-1, required=True, type=NamedPath("case file", "site-2026.yaml"), metavar="OLD NEW [NEWER...]"
)
@format_option(COMPARE_FORMATS, help="Output format (html: small multiples of each rating over the assessments).")
@click.option(
    "--no-decisions", is_flag=True, help="Ignore the assessments' decisions files (<stem>.plan.yaml beside each case)."
)
@click.option(
    "--redact",
    "redact",
    multiple=True,
    type=click.Choice(["people"]),
    help="Replace every person's name by their role in all output (repeatable).",
)
@plan_options
@date_option
@quiet_option
@rules_option
@output_options
def compare_cmd(
    cases: tuple[str, ...],
    fmt: str,
    no_decisions: bool,
    redact: tuple[str, ...],
    now_n: int,
    next_n: int,
    date: datetime | None,
    quiet: bool,
    rules: tuple[str, ...],
    output: str | None,
    force: bool,
) -> None:
    """Compare assessments of one site (same case_id): what changed, what the plan retired, added and moved.

    The cases are put in order of assessed_on when every one states it, else taken in the order given.
    Each case's decisions file (<stem>.plan.yaml beside it) is read: the accepted items of one assessment
    carry their decision into the next, and the output says how far the team got (done, under way, not
    started, overdue, set aside) and what became of each accepted item.

    Example:


    \b
        isp-advisor compare cases/over-time/millbrook-*.yaml
        isp-advisor compare OLD.yaml NEW.yaml -f html -o millbrook-trend.html
    """
    from engine import load_case, load_engine
    from engine.assessments.compare import compare
    from engine.model.placement import PlanOptions
    from engine.render.comparison import render_compare

    if output:
        from engine.io.outputs import check_writable

        check_writable(output, force)
    from engine.io.decisionfile import is_decisions_file

    # a glob such as millbrook-*.yaml also names the decisions files beside the cases: they are read
    # with their case, never as an assessment
    loaded = [(path, load_case(path)) for path in cases if not is_decisions_file(path)]
    decisions: bool | list[Decisions | None] = not no_decisions
    if redact:  # each case and its decisions redacted before anything is computed
        from engine.io.decisionfile import find_decisions
        from engine.model.redact import redacted

        pairs = [
            redacted(case, find_decisions(path, case.case_id, disabled=no_decisions), redact) for path, case in loaded
        ]
        loaded = [(path, case) for (path, _), (case, _) in zip(loaded, pairs, strict=True)]
        decisions = [d for _, d in pairs]
    result = compare(load_engine(rules), loaded, PlanOptions(now=now_n, next=next_n), iso(date), decisions=decisions)
    emit(render_compare(result.report(), fmt, terminal_width()), output, force, pager=not quiet, quiet=quiet)


# ---------------------------------------------------------------- practitioners (issue 6)

QUESTION_FORMATS = ["table", "json"]


class ClickConsole:
    """The interview's console on the terminal: click prompts, which re-ask until an answer converts."""

    def ask(self, question: Question, default: str) -> Any:
        from engine.practitioner.interview import NOT_UTF8, Interrupted, InvalidAnswer

        def convert(text: str) -> Any:
            try:
                return question.convert(text)
            except InvalidAnswer as exc:
                raise click.BadParameter(str(exc)) from None

        while True:
            try:
                return click.prompt(question.prompt, default=default, show_default=bool(default), value_proc=convert)
            except click.Abort:
                raise Interrupted() from None
            except UnicodeDecodeError:  # a strict UTF-8 stdin refuses the bytes before convert sees them
                click.echo(f"Error: {NOT_UTF8}", err=True)

    def say(self, text: str) -> None:
        click.echo(text)

    def confirm(self, text: str, default: bool) -> bool:
        from engine.practitioner.interview import Interrupted

        try:
            return click.confirm(text, default=default)
        except click.Abort:
            raise Interrupted() from None


@main.command()
@click.option(
    "-o",
    "--output",
    type=NamedPath("output case file", "site.yaml", dir_okay=False),
    metavar="FILE",
    help="Write the case to FILE, as JSON if it ends in .json, else YAML (default: the --from file, "
    "else CASE_ID.yaml).",
)
@click.option(
    "--from", "from_", type=NamedPath("case file", "site.yaml"), metavar="CASE", help="Resume or edit this case file."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option(
    "--quick",
    is_flag=True,
    help="Ask only what the rules use most; CFIR ratings only for the barriers and facilitators you name.",
)
@click.option(
    "--group",
    "group",
    default=None,
    metavar="GROUP",
    help="With --from: add or edit one group's perspective (leadership, staff, community_members, "
    "recipients, partners, funders, other).",
)
@click.option("--label", "label", default="", metavar="TEXT", help="With --group: the group's own name.")
@rules_option
def interview(
    output: str | None,
    from_: str | None,
    force: bool,
    quick: bool,
    group: str | None,
    label: str,
    rules: tuple[str, ...],
) -> None:
    """Build a case file by answering questions, then see the recommendations.

    Asks for the case id, the site, stage, challenge, engagement, power, trust, capacity,
    leadership, equity and CFIR 2.0 ratings domain by domain (--quick: the facts the rules use
    most, then only the CFIR constructs you name as barriers or facilitators). Every prompt shows
    where you are. Enter skips a question (or keeps the value in brackets), '?' explains it, '<'
    goes back one, '.' skips the rest of a section. Answers are saved to FILE after each one, so
    stopping (Ctrl-C) loses nothing: --from FILE resumes at the first question not yet answered.

    Example:


    \b
        isp-advisor interview --quick -o riverside.yaml
    """
    import io

    from engine import load_case, load_engine
    from engine.practitioner.interview import InterviewStopped, closing_lines, run_interview

    if isinstance(sys.stdin, io.TextIOWrapper):  # bad bytes reach the answer check, which names them
        sys.stdin.reconfigure(errors="surrogateescape")
    start = load_case(from_) if from_ else None
    if group is not None:
        from engine.practitioner.groupinterview import check_group

        check_group(group)
        if start is None or from_ is None:
            from engine.errors import Problem, UsageError

            raise UsageError(
                Problem(
                    field="--group",
                    code="needs_case",
                    message="adds a perspective to a case",
                    hint="give the case with --from CASE (interview it first without --group)",
                )
            )
    engine = load_engine(rules)  # refuse broken rule packs before anyone types an answer
    try:
        if group is not None and start is not None and from_ is not None:
            from engine.practitioner.groupinterview import run_group_interview

            case, path = run_group_interview(ClickConsole(), start, from_, group, label, output, force, quick)
        else:
            case, path = run_interview(
                ClickConsole(), start=start, output=output, from_path=from_, force=force, quick=quick
            )
    except InterviewStopped as stop:
        click.echo("", err=True)
        click.echo(str(stop), err=True)
        sys.exit(130)
    click.echo(f"Wrote {path}.\n")
    for line in closing_lines(engine.evaluate(case), path, case.case_id, terminal_width()):
        click.echo(line)


@main.command()
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@click.argument("rule_id", metavar="RULE_ID")
@format_option(QUESTION_FORMATS)
@quiet_option
@rules_option
def explain(case: str, rule_id: str, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """Show why RULE_ID fired for CASE: each condition with the case's value, down to the inputs.

    Example:


    \b
        isp-advisor explain cases/riverside-fqhc.yaml EQ-SHARE-POWER
    """
    from engine import load_case, load_engine
    from engine.render.whynot import render_explain

    the_case = load_case(case)
    engine = load_engine(rules)
    proof = engine.explain(the_case, rule_id)
    standing = engine.standing(the_case, rule_id) if proof.fired else None
    emit(render_explain(proof, fmt, standing, report_width()), None, False, pager=not quiet)


@main.command("why-not")
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@click.argument("rule_id", metavar="RULE_ID")
@format_option(QUESTION_FORMATS)
@quiet_option
@rules_option
def why_not(case: str, rule_id: str, fmt: str, quiet: bool, rules: tuple[str, ...]) -> None:
    """Show why RULE_ID did not fire for CASE, and the smallest change that would make it fire.

    Example:


    \b
        isp-advisor why-not cases/riverside-fqhc.yaml EQ-TRUST-HIGH
    """
    from engine import load_case, load_engine
    from engine.render.whynot import render_why_not

    the_case = load_case(case)
    answer = load_engine(rules).why_not(the_case, rule_id)
    emit(render_why_not(answer, case, fmt, report_width()), None, False, pager=not quiet)


@main.command()
@click.argument("case", type=NamedPath("case file", "cases/riverside-fqhc.yaml"), metavar="CASE")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="PATH=VALUE",
    help="Change one fact, e.g. engagement.level=collaborate (repeatable; PATH= leaves it unstated).",
)
@format_option(QUESTION_FORMATS)
@date_option
@quiet_option
@rules_option
def whatif(
    case: str, settings: tuple[str, ...], fmt: str, date: datetime | None, quiet: bool, rules: tuple[str, ...]
) -> None:
    """Compare CASE's recommendations with those after some changes: added, removed, changed priority.

    Example:


    \b
        isp-advisor whatif cases/riverside-fqhc.yaml --set engagement.level=collaborate
    """
    from engine import load_case, load_engine
    from engine.practitioner.whatif import whatif as run_whatif
    from engine.render.whatifreport import render_diff

    the_case = load_case(case)
    diff = run_whatif(load_engine(rules), the_case, settings, iso(date))
    emit(render_diff(diff, fmt, terminal_width()), None, False, pager=not quiet)


# ---------------------------------------------------------------- sweep (issue 14)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=NamedPath("input", "cases/"), metavar="CASE|INPUT...")
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="PATH[=v1,v2,...]",
    help="A fact to vary and the values to try (all allowed values when none are listed; repeatable).",
)
@click.option(
    "--max",
    "max_variants",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    metavar="N",
    help="Refuse sweeps of more than N combinations (per case).",
)
@format_option(SWEEP_FORMATS)
@click.option(
    "--jsonl",
    "jsonl",
    type=NamedPath("variants file", "variants.jsonl", dir_okay=False),
    metavar="FILE",
    default=None,
    help="Also write every variant (the values set and the plan) to FILE, one JSON line each (one case).",
)
@click.option(
    "--out",
    "tables_out",
    type=NamedPath("tables folder", "sweep-tables", file_okay=False),
    metavar="DIR",
    default=None,
    help="With --tables parquet: the folder for variants.parquet (one row per case, variant and item).",
)
@analyst_options
@date_option
@executor_options
@rules_option
@output_options
def sweep(
    inputs: tuple[str, ...],
    varies: tuple[str, ...],
    max_variants: int,
    fmt: str,
    jsonl: str | None,
    tables_out: str | None,
    tables: str | None,
    redact: tuple[str, ...],
    date: datetime | None,
    executor: str,
    scheduler: str | None,
    rules: tuple[str, ...],
    output: str | None,
    force: bool,
) -> None:
    """Which levers move a site's plan: every combination of the --vary values, evaluated, and for each
    recommendation the facts whose change alone adds or removes it or moves its horizon.

    Given a folder, .jsonl or .csv (batch inputs), sweeps every case and counts, per fact, at how
    many sites it moves the plan and which recommendations it moves most often (--executor dask
    sends the cases to a Dask cluster; one case's variants are evaluated in this process). Exit
    code 1 if some of those cases could not be read (each is listed on stderr), as for batch.

    Example:

    \b
        isp-advisor sweep cases/riverside-fqhc.yaml --vary engagement.level --vary relationships.trust
        isp-advisor sweep cases/riverside-fqhc.yaml --vary cfir.inner_setting.culture=-2,0,2 -f csv
        isp-advisor sweep cases/ --vary engagement.level
        isp-advisor sweep cases/ --vary relationships.trust --tables parquet --out sweep-tables
    """
    import json
    from pathlib import Path

    from engine.batch.sweep import parse_varies, sweep_portfolio
    from engine.errors import Problem, UsageError
    from engine.io.inputs import kind_of
    from engine.model.redact import redact_choices
    from engine.render.sweepreport import render_portfolio_sweep, render_sweep

    parsed = parse_varies(varies, max_variants)
    what = redact_choices(list(redact))
    if output:
        from engine.io.outputs import check_writable

        check_writable(output, force)
    one = len(inputs) == 1 and os.path.isfile(inputs[0]) and kind_of(Path(inputs[0])) == "file"
    if not one:
        if jsonl:
            raise UsageError(
                Problem(
                    field="--jsonl",
                    code="one_case",
                    message="writes the variants of one case",
                    hint="sweep one case file with --jsonl, or leave --jsonl out",
                )
            )
        data = sweep_portfolio(
            list(inputs),
            parsed,
            rules=rules,
            executor=executor,
            scheduler=scheduler,
            date=iso(date),
            redacted=what,
            tables_format=tables,
            tables_out=tables_out,
            force=force,
        ).to_dict()
        emit(render_portfolio_sweep(data, fmt, terminal_width()), output, force)
        if data["failed"]:  # as batch: the good cases are reported, the bad ones listed, exit code 1
            from engine.render.sweepreport import failed_lines

            for line in failed_lines(data):
                click.echo(line, err=True)
            sys.exit(1)
        return
    from engine import load_case, load_engine
    from engine.batch.executors import choose
    from engine.batch.sweep import open_variants, variant_line, variant_rows
    from engine.batch.sweep import sweep as run_sweep
    from engine.model.redact import redact as redact_case

    choose(executor, scheduler)  # the same checks as for a portfolio (one case runs here)
    if jsonl:
        from engine.io.outputs import check_writable

        check_writable(jsonl, force)
    the_engine = load_engine(rules)
    table = open_variants(tables, tables_out, parsed, the_engine.info, force)
    the_case = redact_case(load_case(inputs[0]), what)
    lines: list[str] = []

    def keep(variant: SweepVariant) -> None:
        if jsonl:
            lines.append(json.dumps(variant_line(the_case.case_id, parsed, variant), ensure_ascii=False))

    try:
        result = run_sweep(the_engine, the_case, parsed, on_variant=keep, date=iso(date))
        if table is not None:
            table.add(result.case_id, the_case.assessed_on, variant_rows(result))
            click.echo(f"wrote {printable(display_name(str(table.commit())))}", err=True)
    except BaseException:
        if table is not None:
            table.abort()
        raise
    if jsonl:
        from engine.io.outputs import atomic_write

        atomic_write(jsonl, "\n".join(lines) + "\n", force)
        click.echo(f"wrote {jsonl} ({len(lines)} variants)", err=True)
    emit(render_sweep(result.to_dict(), fmt, terminal_width()), output, force)


def run() -> None:
    """The `isp-advisor` command as a process runs it: `main`, then the interpreter's exit without its last
    walk of the garbage collector over every object still alive.

    At exit Python collects reference cycles once more; a command that loaded the rule base holds some 100,000
    objects, and that walk took 40-50 ms of every command (bench/RESULTS.md, issue 24's fifth round). Freezing
    them (gc.freeze) leaves them to the end of the process, as any object outside a cycle is: atexit handlers,
    the flushing of the standard streams and the freeing of everything else happen as before. Outputs never
    wait on the collector: every file is written, flushed and closed by the command itself. Only the process
    entry points call this; `main`, called from Python (tests, CliRunner), never freezes anything."""
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    run()
