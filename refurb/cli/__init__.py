"""The command line: thin click commands, loaded lazily, behind one error boundary.

Each command lives in its own module and is imported only when it runs, so
``refurb --help`` and ``refurb probe`` never pay for SQLAlchemy or reportlab.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any

import click

from refurb import __version__
from refurb.errors import ExitStatus, RefurbError
from refurb.i18n import N_, Phrase
from refurb.untrusted import for_terminal, json_text, printable_output

# name -> (module, function, one-line help shown by ``refurb --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "probe": ("refurb.cli.probe", "probe", "Read this machine's health (or a capture's)."),
    "assess": ("refurb.cli.assess", "assess", "Verdict: refurbish, repair, harvest or recycle."),
    "check": ("refurb.cli.check", "check", "Walk through the bench checklist and quick tests."),
    "intake": (
        "refurb.cli.intake",
        "intake",
        "Probe, assess and record this machine; print its tag.",
    ),
    "import": ("refurb.cli.importcmd", "import_", "Import snapshot files or folders (USB sticks)."),
    "show": ("refurb.cli.inventory", "show", "Everything about one device."),
    "list": (
        "refurb.cli.inventory",
        "list_",
        "List devices by status, community, lot, site, date.",
    ),
    "search": ("refurb.cli.inventory", "search", "Find devices by tag, serial or model."),
    "status": ("refurb.cli.lifecycle", "status", "Move a device to a new status."),
    "wipe": ("refurb.cli.lifecycle", "wipe", "Record drive sanitization (NIST 800-88)."),
    "issue": ("refurb.cli.lifecycle", "issue", "Hand a ready laptop to a participant."),
    "return": ("refurb.cli.lifecycle", "return_", "A participant brought a laptop back."),
    "harvest": ("refurb.cli.lifecycle", "harvest", "Take a part out (and fit it elsewhere)."),
    "recycle": ("refurb.cli.lifecycle", "recycle", "Send devices to a downstream recycler."),
    "weigh": ("refurb.cli.lifecycle", "weigh", "Record a device's measured weight."),
    "void": ("refurb.cli.lifecycle", "void", "Correct a mistake: void one recorded step."),
    "attest": (
        "refurb.cli.lifecycle",
        "attest",
        "A lead's statement: no storage at all, or a failing drive accepted.",
    ),
    "scan": ("refurb.cli.scan", "scan", "Barcode-scanner loop: see and move devices fast."),
    "stocktake": (
        "refurb.cli.stocktake",
        "stocktake",
        "Count a shelf: devices seen at a site, and which were expected but not seen.",
    ),
    "lot": ("refurb.cli.people", "lot", "Intake lots (donations)."),
    "participant": ("refurb.cli.people", "participant", "Participants, by pseudonymous code."),
    "community": ("refurb.cli.people", "community", "Community spellings: list, merge."),
    "donor": ("refurb.cli.people", "donor", "Donor spellings: list, merge."),
    "recycler": ("refurb.cli.ship", "recycler", "Downstream recyclers (name, certification)."),
    "ship": (
        "refurb.cli.ship",
        "ship",
        "Shipments to a recycler: devices, bill of lading, weight, certificate.",
    ),
    "db": ("refurb.cli.db", "db", "Database location, schema version and upgrades."),
    "serve": ("refurb.cli.serve", "serve", "The shop's web pages (needs the web extra)."),
    "user": ("refurb.cli.users", "user", "Accounts for the web pages and their roles."),
    "export": ("refurb.cli.sync", "export", "Signed bundle of this station's records for the hub."),
    "label": ("refurb.cli.label", "label", "Print QR asset labels (PDF or printer)."),
    "report": ("refurb.cli.report", "report", "Funder report: diversion, issued, served (en/fr)."),
    "certificate": (
        "refurb.cli.report",
        "certificate",
        "Data-sanitization certificate for a lot or devices.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        cmd: click.Command = getattr(module, spec[1])
        _clean_text_arguments(cmd)
        return cmd

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0]) if args else ""
        if args and name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, COMMANDS, n=3, cutoff=0.6)
            said = _said[0]
            hint = (
                said(N_(" Did you mean {names}?")).format(names=", ".join(map(repr, close)))
                if close
                else ""
            )
            ctx.fail(
                said(N_("No such command {name!r}.{hint} (refurb --help lists them)")).format(
                    name=name, hint=hint
                )
            )
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _clean_text_arguments(cmd: click.Command) -> None:
    """Every plain-text argument of a command (and of a group's subcommands) passes
    through refurb.untrusted before the command sees it: one place, every command."""
    if getattr(cmd, "_refurb_cleaned", False):
        return
    setattr(cmd, "_refurb_cleaned", True)  # noqa: B010
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _clean_text_arguments(sub)
        return
    names = {
        p.name: "/".join(p.opts)
        for p in cmd.params
        if p.name and isinstance(p.type, click.types.StringParamType)
    }
    callback = cmd.callback
    if callback is None or not names:
        return

    @functools.wraps(callback)
    def cleaned(*args: Any, **kwargs: Any) -> Any:
        for name, shown in names.items():
            kwargs[name] = _cleaned(shown, kwargs.get(name))
        return callback(*args, **kwargs)

    cmd.callback = cleaned


def _cleaned(shown: str, value: Any) -> Any:
    from refurb.errors import BadInput
    from refurb.untrusted import MAX_TEXT, one_line

    if isinstance(value, tuple):
        return tuple(_cleaned(shown, v) for v in value)
    if not isinstance(value, str):
        return value
    if len(value) > MAX_TEXT:
        raise BadInput(
            Phrase(N_("{shown} is {n:,} characters long"), shown=shown, n=len(value)),
            Phrase(N_("keep it under {most:,} characters"), most=MAX_TEXT),
        )
    return one_line(value) if value else value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="refurb")
def cli() -> None:
    """refurb: probe, assess, record and label donated laptops.

    Start with `refurb intake` on the machine to be checked. Every command has --help.
    """


def _wants_json(argv: list[str]) -> bool:
    """--json anywhere among the options (before a lone ``--``)."""
    return "--json" in (argv[: argv.index("--")] if "--" in argv else argv)


def _lang_of(args: list[str]) -> str:
    """The language of an error: --lang, else REFURB_LANG or the config's, else English
    (an error about the config itself must still be shown)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    from refurb.cli.common import shop_lang

    return shop_lang()


def _error(
    message: str, hint: str | None, code: int, as_json: bool, args: list[str] | None = None
) -> None:
    if as_json:  # for programs: the English text, as documented
        doc = {"error": message, "hint": hint, "exit": int(code)}
        click.echo(json_text(doc), err=True)
        return
    from refurb.i18n import available_languages, gettext_for

    lang = _lang_of(args or [])
    tr = gettext_for(lang if lang in available_languages() else "en")
    # a message or hint the catalogue holds is translated; the others stay in English.
    # Whatever a message quotes (a file name, a field of a file) reaches the terminal
    # without its escapes and direction overrides.
    text = tr("error: {message}").format(message=for_terminal(tr(message)))
    if hint:
        text += "\n" + tr("  -> {hint}").format(hint=for_terminal(tr(hint)))
    click.echo(text, err=True)


def _interrupted(args: list[str]) -> str:
    from refurb.i18n import available_languages, gettext_for

    lang = _lang_of(args)
    return gettext_for(lang if lang in available_languages() else "en")(
        "interrupted; nothing was changed"
    )


def _as_is(message: str) -> str:
    return message


# what the command group says when a command is mistyped, in the reader's language while
# main() runs (set by _click_speaks)
_said: list[Callable[[str], str]] = [_as_is]


def _click_speaks(args: list[str]) -> Callable[[], None]:
    """Click's error messages (refurb.cli.click_words) in the reader's language. Click
    builds them with the standard library's gettext, bound into each of its modules; those
    names are pointed at refurb's catalogue, for its error messages only (help pages stay
    as written), and the language is found only when Click says something."""
    from refurb.cli.click_words import MESSAGES, OURS, PLURALS

    known = set(MESSAGES) | set(OURS) | {s for s, _ in PLURALS}
    reader: list[Any] = []

    def tr() -> Any:
        if not reader:
            from refurb.i18n import available_languages, gettext_for

            lang = _lang_of(args)
            reader.append(gettext_for(lang if lang in available_languages() else "en"))
        return reader[0]

    def gettext(message: str) -> str:
        return tr()(message) if message in known else message

    _said[0] = gettext

    def ngettext(singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return str(tr()(chosen)) if singular in known else chosen

    before = []
    for name in ("core", "exceptions", "parser", "types", "decorators", "termui", "utils"):
        module = sys.modules.get(f"click.{name}")
        for attr, ours in (("_", gettext), ("ngettext", ngettext)):
            if module is not None and hasattr(module, attr):
                before.append((module, attr, getattr(module, attr)))
                setattr(module, attr, ours)

    def restore() -> None:
        for module, attr, theirs in before:
            setattr(module, attr, theirs)
        _said[0] = _as_is

    return restore


def main(argv: list[str] | None = None) -> None:
    """Entry point. The single error boundary: every RefurbError becomes a plain message
    on stderr and its exit code (with --json, one JSON object on stderr:
    ``{"error": ..., "hint": ..., "exit": n}``); nothing else prints a traceback to a
    trainee."""
    args = list(argv if argv is not None else sys.argv[1:])
    as_json = _wants_json(args)
    printable_output()
    # Click's own errors in the reader's language (JSON errors stay English, for programs)
    restore_click = _click_speaks(args) if not as_json else (lambda: None)
    try:
        rv: Any = cli.main(args=argv, prog_name="refurb", standalone_mode=False)
    except RefurbError as exc:
        from refurb.cli.hints import command_hint

        # the rulebook's reason, then the command that does what it asks
        hint = command_hint(exc, args) or exc.hint
        _error(exc.message, hint, exc.exit_code, as_json, args)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        if as_json:
            _error("interrupted", "nothing was changed", ExitStatus.INTERRUPTED, True)
        else:
            click.echo("\n" + _interrupted(args), err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except click.ClickException as exc:
        if as_json:
            hint = None
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f"{exc.ctx.command_path} --help"
            _error(exc.format_message(), hint, exc.exit_code, True)
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitStatus.OK)
    finally:
        restore_click()
        if "refurb.store.db" in sys.modules:
            sys.modules["refurb.store.db"].dispose_all()
    sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else ExitStatus.OK)
