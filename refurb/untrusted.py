"""Text from outside (command-line arguments, firmware strings, snapshot files) is made
safe where it enters: no control characters, which could rewrite a trainee's terminal
(ANSI escapes), hide text, or make two codes that look the same on screen differ."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import unicodedata

from refurb.errors import BadInput
from refurb.i18n import N_, NC_, Listed, Phrase

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up
if TYPE_CHECKING:
    from typing import Any, BinaryIO

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_TEXT = 2000  # characters in one argument (a note, a name, a code)
_C1 = re.compile(r"[\x7f-\x9f]")


MAX_SNAPSHOT = 2 * 2**20  # bytes; a snapshot is a few kilobytes, a full dmidecode dump under 200 KB


def read_file(path: str | os.PathLike[str], most: int) -> bytes:
    """The bytes of a regular file of at most ``most`` bytes, read without waiting and
    without reading more than that: a named pipe (which would wait for a writer), a
    device such as /dev/zero (which never ends), a folder, or a file too large is refused
    (BadInput, the reason alone: the caller names the file)."""
    with open_regular(path) as fh:
        try:
            data = fh.read(most + 1)  # a file that grows while read is no larger than this
        except OSError as exc:
            raise BadInput(Phrase(N_("cannot be read ({error})"), error=exc.strerror)) from None
    if len(data) > most:
        raise BadInput(
            Phrase(
                N_("larger than {most:,} bytes, too large for what refurb reads here"),
                most=most,
            ),
            N_("is this the right file?"),
        )
    return data


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` open for reading if it is a regular file, checked on the open file (so it
    cannot be swapped between a check and the open), opened without waiting (a named
    pipe would wait for a writer); BadInput with the reason alone otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BadInput(Phrase(N_("no such file"))) from None
    except OSError as exc:
        raise BadInput(Phrase(N_("cannot be read ({error})"), error=exc.strerror)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise BadInput(
            Phrase(N_("not a file but {kind}"), kind=_kind(mode)),
            N_("is this the right file?"),
        )
    return os.fdopen(fd, "rb")


def _kind(mode: int) -> Phrase:
    if stat.S_ISDIR(mode):
        return Phrase(N_("a folder"))
    if stat.S_ISFIFO(mode):
        return Phrase(N_("a named pipe"))
    if stat.S_ISSOCK(mode):
        return Phrase(N_("a socket"))
    return Phrase(N_("a device"))


class _NotJSON(ValueError):
    pass


def _no_constant(name: str) -> object:
    raise _NotJSON(f"{name} is not a JSON number")


# json.loads, but NaN and the infinities (which Python writes and JSON does not have)
# are refused: no database column or report can hold them
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def json_value(data: bytes | str) -> object:
    """A JSON document from a file's bytes (or text already decoded); refused (BadInput,
    the reason alone) when it is not UTF-8 JSON, nested deeper than the parser goes or
    holding NaN included."""
    try:
        return _DECODER.decode(data if isinstance(data, str) else data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput(Phrase(N_("not UTF-8 text")), N_("is this the right file?")) from None
    except (ValueError, RecursionError) as exc:
        damaged = N_("the file is damaged or truncated; probe the machine again")
        if not data.strip():
            raise BadInput(Phrase(N_("the file is empty")), damaged) from None
        if isinstance(exc, json.JSONDecodeError):  # where, in words, not the parser's English
            said = Phrase(
                N_("not valid JSON (line {line}, column {column})"),
                line=exc.lineno,
                column=exc.colno,
            )
        elif isinstance(exc, _NotJSON):
            said = Phrase(N_("not valid JSON ({error})"), error=str(exc))
        elif isinstance(exc, RecursionError):
            said = Phrase(N_("not valid JSON (nested too deeply)"))
        else:
            said = Phrase(N_("not valid JSON ({error})"), error=str(exc)[:200])
        raise BadInput(said, damaged) from None


# How deep a JSON document kept in the database may nest: a snapshot's deepest evidence
# (a disk's partitions' children in lsblk's output) is under a dozen levels.
DEPTH = 64


def shallow(doc: object, most: int) -> bool:
    """Whether ``doc`` (parsed JSON) nests at most ``most`` lists or objects deep, found
    without recursion (a reader that walks it recursively would run out of stack)."""
    level = [doc]
    depth = 0
    while True:
        inner: list[object] = []
        found = False
        for v in level:
            if type(v) is dict:
                inner.extend(v.values())
                found = True
            elif type(v) is list:
                inner.extend(v)
                found = True
        if not found:
            return True
        depth += 1
        if depth > most:
            return False
        level = inner


def json_document(data: bytes, where: str) -> object:
    """``json_value``, its refusal naming ``where`` (a file, an upload)."""
    try:
        return json_value(data)
    except BadInput as exc:
        raise BadInput(Phrase(N_("{where}: {reason}"), where=where, reason=exc.message),
                       exc.hint) from None  # fmt: skip


# The bidirectional embeddings, overrides and isolates: text after one is drawn in
# another order than it is stored ("Trojan source"), so a file name "x\u202egnp.json"
# shows as "xnosj.png". Shown, and kept, as U+FFFD; so is a lone surrogate (a command
# line or file name that is not UTF-8 reaches Python as U+DC80-U+DCFF; JSON may spell
# any), which no database or terminal can take.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def one_line(value: str) -> str:
    """Control characters become spaces; runs of whitespace one space; trimmed; a
    direction override, or a character that was not valid UTF-8 (a lone surrogate),
    becomes U+FFFD."""
    return " ".join(CONTROL.sub(" ", _BIDI.sub("\ufffd", value)).split())


_LONE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (bytes that were not UTF-8, or JSON's
    "\\udc80"), which no database text column takes."""
    return not text.isascii() and _LONE.search(text) is not None


def for_terminal(text: str) -> str:
    """A message as a terminal shows it: in each line, control characters as spaces and
    direction overrides as U+FFFD; the lines, and the spacing (French no-break spaces
    before ":"), kept."""
    return "\n".join(CONTROL.sub(" ", _BIDI.sub("\ufffd", line)) for line in text.split("\n"))


def clean_text(value: str) -> str:
    """``one_line``, with a fast path for text that is already clean (most firmware
    strings): printable, no double space, no space at either end."""
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value
    return one_line(value)


def json_text(doc: Any, **kwargs: Any) -> str:
    """JSON for a terminal or a file: like ``json.dumps(ensure_ascii=False)``, but the
    C1 control characters (U+007F-U+009F), which JSON leaves as they are and some
    terminals obey as escapes (U+009B is a one-character CSI), are written as \\uXXXX
    too. They can only stand inside strings, so the document means the same."""
    text = json.dumps(doc, ensure_ascii=False, **kwargs)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _C1.search(text) else text


# --- codes: lot and participant codes, printed on paper and reported to funders -------

MAX_CODE = 64
# Categories that are never part of a code someone can read off paper: format characters
# (zero-width space, word joiner, byte-order mark, soft hyphen, direction overrides),
# controls, private use, unassigned, surrogates, line and paragraph separators.
_INVISIBLE = {"Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp"}
# Characters that draw nothing although they are not format characters (Unicode's
# "default ignorable" marks and fillers: the combining grapheme joiner, variation
# selectors, Mongolian free variation selectors, Hangul fillers, Khmer inherent vowels).
_IGNORABLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)  # fmt: skip


def _ignorable(ch: str) -> bool:
    n = ord(ch)
    return any(lo <= n <= hi for lo, hi in _IGNORABLE)


# Cyrillic and Greek letters drawn like Latin ones: a code written only with these is
# a twin of a Latin code on paper (Cyrillic "Р-0042" and Latin "P-0042").
_LATIN_TWINS = set(
    "АВСЕНІЈКМОРЅТХУҮԚԜаеорсухіјѕһԁԛԝүӏ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκρυαω"  # Greek
)


# What a code is written with: the digits 0-9, "-" and "_", and letters of the
# alphabets a program writes codes in: Latin (with the accented letters of French
# and the Latin-1 and Latin Extended-A blocks, not small capitals or IPA, which pass for
# plain letters), Greek, Cyrillic and Canadian syllabics (Inuktitut, Cree). Other
# digits (N'Ko, Ol Chiki zeros), marks, blanks, dashes of other shapes and letters of
# other scripts (Cherokee, Lisu, Coptic, Armenian), many of which are drawn like Latin
# letters, are refused rather than listed one by one.
_CODE_LETTERS = (
    (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x17F),  # Latin
    (0x391, 0x3A9), (0x3B1, 0x3C9),  # Greek
    (0x400, 0x4FF),  # Cyrillic
    (0x1401, 0x167F), (0x18B0, 0x18F5),  # Canadian syllabics
)  # fmt: skip


def _code_character(ch: str) -> bool:
    if ch in "0123456789-_":
        return True
    n = ord(ch)
    return ch.isalpha() and any(lo <= n <= hi for lo, hi in _CODE_LETTERS)


def _recorded_code_character(ch: str) -> bool:
    """A code recorded at a station before codes had an alphabet ("LOT 7", "2026.11")
    may also hold ASCII punctuation and spaces: a code never changes, so a hub that
    refused them could never take that station's bundles. ASCII cannot pass for a
    letter of another script; what the attack passes found is all outside it."""
    return _code_character(ch) or " " <= ch <= "~"


# the alphabets a code is seen mixing, as a reader says them ("Cyrillic letters")
_SCRIPTS = {
    "LATIN": NC_("letters of an alphabet", "Latin"),
    "CYRILLIC": NC_("letters of an alphabet", "Cyrillic"),
    "GREEK": NC_("letters of an alphabet", "Greek"),
    "ARMENIAN": NC_("letters of an alphabet", "Armenian"),
    "CHEROKEE": NC_("letters of an alphabet", "Cherokee"),
    "CANADIAN": NC_("letters of an alphabet", "Canadian syllabics"),
}


def _script_word(script: str) -> str:
    return _SCRIPTS.get(script, script.title())


def _script(ch: str) -> str:
    """The script of a letter, from its Unicode name ("LATIN", "CYRILLIC", "GREEK",
    "CANADIAN" for syllabics, ...): enough to tell alphabets apart in a short code."""
    return unicodedata.name(ch, "?").split(" ", 1)[0]


def program_code(value: str, what: str, recorded: bool = False) -> str:
    """A lot or participant code as it is stored and looked up: NFKC-normalised (a
    full-width "Ｐ" is "P"), one line, trimmed; refused (BadInput) when it is empty,
    holds an invisible character or one outside the alphabet of codes, mixes scripts,
    or is written in Cyrillic or Greek letters that all look Latin. Two codes that
    print the same are the same code. ``recorded``: a code a station already holds (in
    a bundle), which may also hold ASCII punctuation and spaces, as codes could before
    they had an alphabet."""
    code = lookup_code(value)
    if not code:
        raise BadInput(
            Phrase(N_("the {what} is empty"), what=what),
            Phrase(N_("give a {what} someone can read, e.g. P-0042"), what=what),
        )
    if len(code) > MAX_CODE:
        raise BadInput(
            Phrase(N_("the {what} is {n} characters long"), what=what, n=len(code)),
            Phrase(
                N_("keep codes under {most} characters: they are printed on labels"),
                most=MAX_CODE,
            ),
        )
    hidden = [ch for ch in code if unicodedata.category(ch) in _INVISIBLE or _ignorable(ch)]
    hidden += _BIDI.findall(unicodedata.normalize("NFKC", value))  # one_line hid these
    if hidden:
        names = ", ".join(
            dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in hidden)
        )
        raise BadInput(
            Phrase(N_("the {what} holds an invisible character ({names})"), what=what, names=names),
            N_(
                "type the code again by hand (letters, digits and -): a pasted code can "
                "carry characters that do not print"
            ),
        )
    allowed = _recorded_code_character if recorded else _code_character
    odd = [ch for ch in code if not allowed(ch)]
    if odd:
        names = ", ".join(
            dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in odd)
        )
        raise BadInput(
            Phrase(
                N_("the {what} {shown!r} holds characters a code does not use ({names})"),
                what=what,
                shown=one_line(code),
                names=names,
            ),
            N_(
                "write a code with letters of one alphabet, the digits 0-9, - and _ (no "
                "spaces): anything else can pass for another code on paper"
            ),
        )
    letters = [ch for ch in code if ch.isalpha()]
    scripts = sorted({_script(ch) for ch in letters})
    shown = one_line(code)
    if len(scripts) > 1:
        raise BadInput(
            Phrase(
                N_("the {what} {shown!r} mixes alphabets ({values})"),
                what=what,
                shown=shown,
                values=Listed([_script_word(s) for s in scripts], ", "),
            ),
            N_("write a code in one alphabet: letters from two look alike on paper"),
        )
    if scripts and scripts != ["LATIN"] and all(ch in _LATIN_TWINS for ch in letters):
        raise BadInput(
            Phrase(
                N_("the {what} {shown!r} is written in {title} letters that look Latin"),
                what=what,
                shown=shown,
                title=_script_word(scripts[0]),
            ),
            N_("type it with a Latin keyboard layout: on paper it is the same as a Latin code"),
        )
    return code


# Dashes drawn like the hyphen-minus on paper (hyphens, the non-breaking hyphen, figure,
# en and em dashes, the horizontal bar, the hyphen bullet, minus signs, small and
# full-width forms): a code typed with any of them is the code with "-" (a word
# processor or a phone turns "-" or "--" into one of these).
_DASHES = str.maketrans(
    dict.fromkeys("\u02d7\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-")
)


def lookup_code(value: str) -> str:
    """A code as typed, normalised the way codes are stored (for look-ups): NFKC, the
    dashes that look like "-" made "-", one line."""
    return one_line(unicodedata.normalize("NFKC", value).translate(_DASHES))


def printable_output() -> None:
    """A file name that is not UTF-8 (a USB stick written elsewhere) reaches Python as
    lone surrogates; printing it to a UTF-8 stdout would raise. Write such characters
    as \\udcXX instead, as Python already does on stderr (never as the raw bytes, which a
    Latin-1 terminal could read as C1 escapes). Called by every front door that prints
    (refurb.cli, and the probe's fast path in refurb.entry)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change now
                reconfigure(errors="backslashreplace")
