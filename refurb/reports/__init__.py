"""Funder reports: tallies computed in SQL, rendered as table, CSV, JSON or PDF."""
