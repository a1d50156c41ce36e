"""The only package that talks to the database (SQLAlchemy ORM + Alembic migrations)."""
