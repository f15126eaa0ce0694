"""The translators' and maintainers' commands for the gettext catalogues (needs Babel,
which refurb itself never imports at run time; docs/translating.md):

    python -m refurb.i18n_tools extract     # source -> refurb/locale/refurb.pot
    python -m refurb.i18n_tools update      # .pot -> every LANG/LC_MESSAGES/refurb.po
    python -m refurb.i18n_tools init LANG   # a new language's .po, every message empty
    python -m refurb.i18n_tools compile     # every .po -> its .mo (committed)
    python -m refurb.i18n_tools check       # exit 1 if a message lacks a translation,
                                            # is fuzzy, changes a placeholder, or a .mo is stale
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

from refurb.i18n import DOMAIN, LOCALE_DIR, SOURCE_LANG

ROOT = Path(__file__).parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"

# How a text is marked in Python: _("..."), tr("..."), N_("..."), NC_("context", "...");
# in a template: {{ _("...") }}, {% trans %}...{% endtrans %}, gettext, ngettext.
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "tr": None,
    "N_": None,
    "Phrase": None,
    "NC_": ((1, "c"), 2),
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHODS = [
    ("**/locale/**", "ignore"),
    ("**.py", "python"),
    ("web/templates/**.html", "jinja2.ext:babel_extract"),
]
TEMPLATE_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}
# {name} (str.format, the Python code's style) and %(name)s (a {% trans %} block's)
PLACEHOLDER = re.compile(
    r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}|%\(([A-Za-z_][A-Za-z0-9_]*)\)[sd]"
)


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a text, sorted (``{{`` is a literal brace)."""
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract(write: bool = True) -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    catalog = Catalog(project="refurb", msgid_bugs_address="", charset="utf-8")
    found = extract_from_dir(
        str(ROOT),
        METHODS,
        options_map={"web/templates/**.html": TEMPLATE_OPTIONS},
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"refurb/{filename}", lineno)],
            auto_comments=comments,
            context=context,
            flags=("python-brace-format",) if _is_brace(message) else (),
        )
    if not write:
        return catalog
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True)
    return catalog


def _is_brace(message: Any) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any(placeholders(t) for t in texts if t)


def _read(path: Path, locale: str | None = None) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _write(path: Path, catalog: Any) -> None:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, include_previous=True)
    path.write_bytes(buf.getvalue())


def update() -> None:
    template = _read(POT)
    for po in po_files():
        catalog = _read(po, po.parent.parent.name)
        catalog.update(template, update_header_comment=False)
        _write(po, catalog)


def init(lang: str) -> Path:
    from babel.messages.catalog import Catalog

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po.exists():
        raise SystemExit(f"{po} exists: run update")
    template = _read(POT)
    catalog = Catalog(locale=lang, project="refurb", charset="utf-8", fuzzy=False)
    catalog.update(template)
    po.parent.mkdir(parents=True, exist_ok=True)
    _write(po, catalog)
    return po


def mo_bytes(po: Path) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, _read(po, po.parent.parent.name), use_fuzzy=False)
    return buf.getvalue()


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    done = []
    for po in po_files(locale_dir):
        mo = po.with_suffix(".mo")
        mo.write_bytes(mo_bytes(po))
        done.append(mo)
    return done


def problems(po: Path, template: Path = POT) -> list[str]:
    """What keeps a catalogue from being complete: a message of the .pot missing or
    empty, fuzzy, or with other placeholders than its English; a stale .mo."""
    out: list[str] = []
    catalog = _read(po, po.parent.parent.name)
    lang = po.parent.parent.name
    for message in _read(template):
        if not message.id:
            continue
        have = catalog.get(message.id, message.context)
        name = f"{lang}: {message.id!r}" + (f" ({message.context})" if message.context else "")
        if (
            have is None
            or not have.string
            or (isinstance(have.string, tuple) and not all(have.string))
        ):
            out.append(f"{name}: no translation")
            continue
        if have.fuzzy:
            out.append(f"{name}: fuzzy")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = have.string if isinstance(have.string, tuple) else (have.string,)
        want = placeholders(ids[-1])
        for s in strings:
            if placeholders(s) != want:
                out.append(f"{name}: placeholders {placeholders(s)} instead of {want}")
    mo = po.with_suffix(".mo")
    if not mo.is_file() or mo.read_bytes() != mo_bytes(po):
        out.append(f"{lang}: {mo.name} is not compiled from {po.name}: run compile")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "help"
    if command == "extract":
        catalog = extract()
        print(f"{POT}: {len(catalog)} messages")
    elif command == "update":
        update()
    elif command == "init" and len(args) == 2 and args[1] != SOURCE_LANG:
        print(init(args[1]))
    elif command == "compile":
        for mo in compile_all():
            print(mo)
    elif command == "check":
        found = [p for po in po_files() for p in problems(po)]
        print("\n".join(found) or "every catalogue is complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
