"""Label stock definitions, one TOML file per stock (shipped as ``refurb_labels``)."""
