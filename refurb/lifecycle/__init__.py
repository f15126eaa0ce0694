"""The device lifecycle's rulebook: a device's history folded into its state
(``history``) and the rules every writer asks before it changes a device (``rules``).
Pure: no database, no clock, no wording for a particular front door."""
