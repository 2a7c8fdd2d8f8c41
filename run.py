"""fugong command line: the command group (errors, warnings and signals as one line each)
and its commands from fugong/commands/. Commands only parse and print; the work lives in sim/."""

from __future__ import annotations

import errno
import sys
import warnings

import click

from fugong.commands import calibration, outputs, runs, sweeps
from sim.errors import FugongError, FugongWarning, Interrupted


class FugongGroup(click.Group):
    """Turns user errors into one readable line and exit code 2 (--debug shows a traceback),
    warnings into one line each, and Ctrl-C or SIGTERM into one line and exit 130 or 143."""

    def invoke(self, ctx: click.Context):
        from sim.errors import exit_code
        from sim.signals import install_stop_handlers, restore_handlers

        previous = install_stop_handlers()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", FugongWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except Interrupted as exc:  # work so far is saved; the message says how to continue
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
        except FugongError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            if ctx.params.get("debug") or exc.errno not in WRITE_ERRORS:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(
                f"error: {where}cannot write ({exc.strerror or exc}); nothing incomplete was kept",
                err=True,
            )
            sys.exit(2)
        except KeyboardInterrupt as exc:
            click.echo(
                "interrupted: stopped before the results were complete; no partial "
                "results were kept",
                err=True,
            )
            sys.exit(exit_code(exc))
        finally:
            restore_handlers(previous)


WRITE_ERRORS = {
    errno.ENOSPC,
    errno.EROFS,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EFBIG,
    errno.ENOTDIR,
    errno.EISDIR,
}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, FugongWarning):
        click.echo(f"warning: {message}", err=True)
    else:
        _default_show(message, category, filename, lineno, file, line)


_default_show = warnings.showwarning


@click.group(cls=FugongGroup)
@click.version_option(package_name="fugong", prog_name="fugong", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """fugong: simulate a locked-down city's return to work along industry chains."""


for _module in (runs, sweeps, calibration, outputs):
    for _command in _module.COMMANDS:
        cli.add_command(_command)

if __name__ == "__main__":
    cli()
