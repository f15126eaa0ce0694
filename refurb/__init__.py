"""refurb: probe, assess, record and label donated laptops.

Importing this package is cheap on purpose: the CLI's start-up and ``refurb probe``
must not pay for SQLAlchemy or reportlab.
"""

__version__ = "0.1.0"

SNAPSHOT_FORMAT = "refurb-snapshot/1"
CAPTURE_FORMAT = "refurb-capture/1"
