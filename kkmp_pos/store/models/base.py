"""The declarative base every table derives from, with the naming convention the migrations rely on."""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Uuid = String(36)
"""Client-generated UUIDs (text) for every record that travels to the city."""


class Base(DeclarativeBase):
    """Every table's base; constraint names follow NAMING so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING)

