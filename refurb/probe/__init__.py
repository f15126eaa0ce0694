"""Read a machine's health into a Snapshot, from the live machine or a recorded capture."""

from refurb.probe.collect import collect

__all__ = ["collect"]
