"""Alembic migrations of the SQL store (ADR 0059); run through :mod:`adapters.sql.schema`."""
