"""The shop's web pages (``refurb serve``): Starlette, Jinja2 and a vendored htmx.

A front door like the CLI: every read and write goes through ``refurb.app`` (an
import-linter contract forbids the store, SQLAlchemy and SQLModel here), so a page can do
nothing the command line would refuse. Needs the ``web`` extra.
"""
