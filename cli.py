"""isp-advisor: the command line. Parses options, calls one engine function, renders the result.

All errors reach the user through `Main.invoke`: a located message on stderr and exit code 2
(bad input or usage), 1 (engine failure), never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from engine import __version__
from engine.errors import IspAdvisorError

F = Callable[..., Any]


class Main(click.Group):
    """The one place that turns exceptions into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IspAdvisorError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem.render()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # a bug: say so briefly; ISP_ADVISOR_DEBUG=1 shows the traceback
            if os.environ.get("ISP_ADVISOR_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set ISP_ADVISOR_DEBUG=1 for details "
                       "and please report it)", err=True)
            sys.exit(1)


def rules_option(f: F) -> F:
    """--rules DIR, repeatable: local rule packs on top of the shipped ones."""
    return click.option("--rules", "rules", multiple=True, type=click.Path(file_okay=False),
                        metavar="DIR", help="Add the rule packs in DIR (repeatable; also $ISP_ADVISOR_RULES).")(f)


def output_options(f: F) -> F:
    """-o FILE and --force, shared by every command that writes a file."""
    f = click.option("--force", is_flag=True, help="Replace FILE if it exists.")(f)
    return click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Write to FILE (atomically) instead of stdout.")(f)


def emit(text: str, output: str | None, force: bool) -> None:
    """Print, or write a file atomically."""
    if output:
        from engine.outputs import atomic_write

        atomic_write(output, text, force)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="isp-advisor")
def main() -> None:
    """ISP Advisor: tailored, explained implementation-support advice from a site's context.

    Give it a case file describing a site (CFIR ratings, engagement, power, trust, capacity,
    leadership, equity) and it recommends tailored supports, facilitation methods, equity
    strategies, capacity-building actions and ERIC strategies, each with the reasons and sources.

    Example:

        isp-advisor recommend cases/riverside-fqhc.yaml --explain
    """


# ---------------------------------------------------------------- recommend (core)

FORMATS = ["table", "markdown", "json"]
CATEGORY_CHOICES = ["tailored_support", "facilitation", "equity", "capacity_building", "implementation_strategy"]


@main.command()
@click.argument("case", type=click.Path(), metavar="CASE")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("--explain", is_flag=True, help="Print the proof tree under each recommendation.")
@click.option("--category", "-c", "categories", multiple=True, type=click.Choice(CATEGORY_CHOICES),
              help="Show only this category (repeatable).")
@rules_option
@output_options
def recommend(case: str, fmt: str, explain: bool, categories: tuple[str, ...], rules: tuple[str, ...],
              output: str | None, force: bool) -> None:
    """Recommend supports and strategies for the site described in CASE (YAML or JSON).

    Example:

        isp-advisor recommend cases/riverside-fqhc.yaml --format markdown -o report.md
    """
    from engine import load_case, load_engine
    from engine.render import render

    if output:
        from engine.outputs import check_writable

        check_writable(output, force)
    the_case = load_case(case)
    result = load_engine(rules).evaluate(the_case)
    text = render(result, fmt, explain=explain, categories=categories)
    emit(text, output, force)


# ---------------------------------------------------------------- batch (issue 4)

# ---------------------------------------------------------------- rule authors (issue 5)

# ---------------------------------------------------------------- practitioners (issue 6)


if __name__ == "__main__":
    main()
