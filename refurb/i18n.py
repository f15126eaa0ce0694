"""Every text refurb shows a person is English source text translated through one gettext
catalogue per language (domain ``refurb``, files in refurb/locale/LANG/LC_MESSAGES/).

- In code, a text is marked where it is written: ``tr = gettext_for(lang); tr("Tag")``,
  or, in a table read later, ``N_("Tag")`` (a mark for extraction only) and
  ``NC_("column", "ready")`` when the same English needs two translations.
- Placeholders are ``str.format`` fields, ``{tag}``, formatted after translation.
- The runtime uses the standard library's gettext and a compiled .mo, loaded the first
  time a language is asked for; Babel is only the maintainers' tool (refurb.i18n_tools).
- A language is available when its catalogue is there: adding one is a new .po (and its
  compiled .mo), no code (docs/translating.md).
- A message the catalogue lacks comes out in English. It is logged once (logger
  ``refurb.i18n``), and with REFURB_MARK_UNTRANSLATED=1 it is shown as ``[en] text`` so a
  translator can see what is left.
"""

from __future__ import annotations

import functools
import os

TYPE_CHECKING = False  # as typing's, without importing typing on the probe's start-up

if TYPE_CHECKING:
    import gettext as _gettext
    from pathlib import Path
    from typing import Any

DOMAIN = "refurb"


def __getattr__(name: str) -> Any:
    """``LOCALE_DIR``, the catalogues shipped with refurb, made when first asked for:
    pathlib is not imported at start-up for it (the probe's fast path imports this)."""
    if name == "LOCALE_DIR":
        return _shipped()
    raise AttributeError(name)


def _shipped() -> Path:
    from pathlib import Path

    return Path(__file__).parent / "locale"


SOURCE_LANG = "en"
MARK_ENV = "REFURB_MARK_UNTRANSLATED"
# REFURB_LOCALE_DIR: more catalogues (a translator's work in progress), searched first.
EXTRA_DIR_ENV = "REFURB_LOCALE_DIR"


def _log() -> Any:
    """The logger ``refurb.i18n``, imported when a message is first missed: logging costs
    a few milliseconds at start-up, and the probe's fast path imports this module."""
    import logging

    return logging.getLogger("refurb.i18n")


class Msg(str):
    """English text with a gettext context (msgctxt), from ``NC_``."""

    context: str | None = None


class Phrase(str):
    """A catalogue message with named values: a str holding the English text (so logs,
    JSON errors and tests read it as before), that a translator renders in its own
    language (``tr(phrase)``). Values that are phrases themselves (a status word) are
    translated too; a list is joined with ``sep``. Made where the rule is written, for
    example in the rulebook, which knows no language."""

    template: str
    values: dict[str, Any]
    tail = ""  # text after the message that is not translated (``then``)

    def __new__(cls, template: str, /, **values: Any) -> Phrase:
        english = template.format(**{k: _english(v) for k, v in values.items()})
        self = super().__new__(cls, english)
        self.template, self.values = template, values
        return self

    def then(self, text: str) -> Phrase:
        """This phrase followed by ``text`` as it is: "relevé x.json" + ".cpu.cores", a
        field's path under a named document."""
        out = str.__new__(Phrase, str(self) + text)
        out.template, out.values, out.tail = self.template, self.values, self.tail + text
        return out

    def render(self, tr: Translator) -> str:
        values = {k: _render(v, tr) for k, v in self.values.items()}
        if tr.catalogue is None:
            return tr(self.template).format(**values) + self.tail
        # str.format, with each number's separators the reader's ("100 000", "2,5")
        return _formatter()(tr).vformat(tr(self.template), (), values) + self.tail


@functools.cache
def _formatter() -> Any:
    """string.Formatter that writes numbers as a translator's readers do (string is
    imported when a translated phrase is first shown, not at start-up)."""
    import string

    class Numbers(string.Formatter):
        def __init__(self, tr: Translator) -> None:
            self.tr = tr

        def format_field(self, value: Any, format_spec: str) -> Any:
            text = format(value, format_spec)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return self.tr.digits(text)
            return text

    return Numbers


class Listed(tuple[object, ...]):
    """Several values shown as one, joined with ``sep`` (each translated if a phrase)."""

    sep = "; "

    def __new__(cls, items: Any, sep: str = "; ") -> Listed:
        self = super().__new__(cls, items)
        self.sep = sep
        return self


def _english(value: Any) -> Any:
    if isinstance(value, Listed):
        return value.sep.join(str(_english(v)) for v in value)
    return value


def _render(value: Any, tr: Translator) -> Any:
    if isinstance(value, Listed):
        return value.sep.join(str(_render(v, tr)) for v in value)
    if isinstance(value, Phrase):
        return value.render(tr)
    if isinstance(value, Msg):
        return tr(value)
    return value


def N_(text: str) -> str:
    """Marks text for the catalogue where it is written; it is translated where shown."""
    return text


def NC_(context: str, text: str) -> str:
    """Like N_, with a context telling two uses of the same English apart."""
    msg = Msg(text)
    msg.context = context
    return msg


def locale_dirs() -> list[Path]:
    extra = os.environ.get(EXTRA_DIR_ENV)
    if not extra:
        return [_shipped()]
    from pathlib import Path

    return [Path(extra), _shipped()]


def available_languages() -> list[str]:
    """English (the source text) and every language with a compiled catalogue."""
    found = {SOURCE_LANG}
    for base in locale_dirs():
        if base.is_dir():
            for child in base.iterdir():
                if (child / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
                    found.add(child.name)
    return sorted(found, key=lambda lang: (lang != SOURCE_LANG, lang))


def _untranslated(lang: str) -> Any:
    import gettext

    mark = os.environ.get(MARK_ENV, "") not in ("", "0")

    class Untranslated(gettext.NullTranslations):
        """The fallback: English, logged once per message, marked on demand."""

        def __init__(self) -> None:
            super().__init__()
            self.seen: set[str] = set()

        def _miss(self, message: str) -> str:
            if message not in self.seen:
                self.seen.add(message)
                _log().info("no %s translation for %r; shown in English", lang, message)
            return f"[en] {message}" if mark and message else message

        def gettext(self, message: str) -> str:
            return self._miss(message)

        def pgettext(self, context: str, message: str) -> str:
            return self._miss(message)

        def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
            return self._miss(msgid1 if n == 1 else msgid2)

        def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
            return self._miss(msgid1 if n == 1 else msgid2)

    return Untranslated()


class Translator:
    """One language's texts: ``tr("Tag")``, ``tr.n("{n} device", "{n} devices", n)``."""

    def __init__(self, lang: str, catalogue: _gettext.NullTranslations | None) -> None:
        self.lang = lang
        self.catalogue = catalogue

    def __call__(self, message: str) -> str:
        if self.catalogue is None or not message:
            return str(message)
        if isinstance(message, Phrase):
            return message.render(self)
        context = getattr(message, "context", None)
        if context is not None:
            return self.catalogue.pgettext(context, str(message))
        return self.catalogue.gettext(message)

    def p(self, context: str, message: str) -> str:
        return message if self.catalogue is None else self.catalogue.pgettext(context, message)

    def n(self, singular: str, plural: str, n: int) -> str:
        if self.catalogue is None:
            return singular if n == 1 else plural
        return self.catalogue.ngettext(singular, plural, n)

    def digits(self, text: str) -> str:
        """A number written the English way ("1,234.5") with this language's separators
        ("1 234,5" in French): each separator is a catalogue message."""
        thousands, point = self(NC_("thousands separator", ",")), self(NC_("decimal point", "."))
        return "".join(thousands if c == "," else point if c == "." else c for c in text)

    @property
    def colon(self) -> str:
        """What follows a label: ":" in English, " :" (no-break space) in French."""
        return self(NC_("punctuation", ":"))


@functools.lru_cache(maxsize=16)
def gettext_for(lang: str | None) -> Translator:
    """The translator for a language; English (or an unknown language) is the source."""
    lang = lang or SOURCE_LANG
    if lang == SOURCE_LANG:
        return Translator(lang, None)
    import gettext

    catalogue: gettext.NullTranslations = gettext.NullTranslations()
    for base in locale_dirs():
        try:
            catalogue = gettext.translation(DOMAIN, localedir=str(base), languages=[lang])
            break
        except OSError:
            continue
    catalogue.add_fallback(_untranslated(lang))
    return Translator(lang, catalogue)


def pick(pair: tuple[Any, Any], lang: str) -> Any:
    """The old (en, fr) pair form, kept for text not yet in the catalogue (a branch
    merged later); move such text into the catalogue (docs/translating.md)."""
    return pair[1] if lang == "fr" else pair[0]
