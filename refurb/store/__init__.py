"""The inventory store: the only package that imports SQLModel / SQLAlchemy."""
