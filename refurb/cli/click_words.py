"""Click's own error messages (a mistyped option, a missing argument, a value of the
wrong kind), marked here so that refurb's catalogue carries them: Click marks its texts
with the standard library's gettext, whose language comes from the environment, not from
refurb's config; refurb.cli hands these to Click in the reader's language. The English
must stay exactly Click's (each is Click's message id); help pages are left as they are.
"""

from __future__ import annotations

from refurb.i18n import N_

MESSAGES = (
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Aborted!"),
)
# (singular, plural) pairs Click chooses between by a count
PLURALS = (
    (N_("Did you mean {possibility}?"), N_("(Did you mean one of: {possibilities}?)")),
    (N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}.")),
    (N_("Got unexpected extra argument ({args})"), N_("Got unexpected extra arguments ({args})")),
    (
        N_("Option {name!r} requires an argument."),
        N_("Option {name!r} requires {nargs} arguments."),
    ),
    (
        N_("{value!r} does not match the format {format}."),
        N_("{value!r} does not match the formats {formats}."),
    ),
)
# refurb's own words in a usage error (the command group's "did you mean")
OURS = (
    N_("No such command {name!r}.{hint} (refurb --help lists them)"),
    N_(" Did you mean {names}?"),
)
