"""The application layer: every use case once, for every front door (the CLI now, the
web pages next). Plain arguments in, plain results out; each write is one transaction
that locks what it changes and asks the rulebook (refurb.lifecycle) first.

Modules: lifecycle (moves, wipe records, issue, return, harvest, recycle, attest),
hub (bundle export and import), checks (the rulebook over the whole database).
"""
