"""The canonical tables: which fields each has, how each is parsed, and the pandera models that
check them at the raw -> processed boundary.

A profile (:mod:`cxinsight.profile`) maps one system's columns onto these fields. ``FIELDS`` says,
for every table, each canonical field's *kind* (how :mod:`cxinsight.io` parses it) and whether it
is required. The pandera models are checked with ``lazy=True`` so an analyst sees every problem
at once, as a table of ``column, check, failure_case, index``.

>>> sorted(FIELDS)
['areas', 'complaints', 'contacts', 'survey']
>>> required_fields("contacts")
['received_at', 'channel', 'service']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Category

CHANNELS: tuple[str, ...] = ("phone", "face_to_face", "email", "web", "webchat", "letter", "social", "other")
DIGITAL_CHANNELS: tuple[str, ...] = ("email", "web", "webchat", "social")


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its kind (parser) and whether a profile must map it."""

    kind: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None


# Kinds: id, datetime, date, channel, service, text (free text: redacted before it is written),
# category, duration (seconds), score (bounded integer), int, float, bool, lsoa.
FIELDS: dict[str, dict[str, FieldSpec]] = {
    "contacts": {
        "contact_id": FieldSpec("id"),
        "received_at": FieldSpec("datetime", required=True),
        "channel": FieldSpec("channel", required=True),
        "service": FieldSpec("service", required=True),
        "reason": FieldSpec("category"),
        "notes": FieldSpec("text"),
        "customer_id": FieldSpec("id"),
        "age_band": FieldSpec("category"),
        "lsoa_code": FieldSpec("lsoa"),
        "outcome": FieldSpec("category"),
        "handle_seconds": FieldSpec("duration"),
        "wait_seconds": FieldSpec("duration"),
        "staff_id": FieldSpec("id"),
    },
    "complaints": {
        "complaint_id": FieldSpec("id", required=True),
        "stage": FieldSpec("score", required=True, minimum=1, maximum=2),
        "received_on": FieldSpec("date", required=True),
        "acknowledged_on": FieldSpec("date"),
        "responded_on": FieldSpec("date"),
        "extension": FieldSpec("bool"),
        "service": FieldSpec("service", required=True),
        "category": FieldSpec("category"),
        "outcome": FieldSpec("category"),
        "summary": FieldSpec("text"),
        "contact_id": FieldSpec("id"),
    },
    "survey": {
        "response_id": FieldSpec("id", required=True),
        "contact_id": FieldSpec("id"),
        "submitted_at": FieldSpec("datetime", required=True),
        "nps": FieldSpec("score", minimum=0, maximum=10),
        "ces": FieldSpec("score", minimum=1, maximum=7),
        "csat": FieldSpec("score", minimum=1, maximum=5),
        "comment": FieldSpec("text"),
    },
    "areas": {
        "lsoa_code": FieldSpec("lsoa", required=True),
        "lsoa_name": FieldSpec("category"),
        "ward": FieldSpec("category"),
        "population": FieldSpec("int"),
        "pct_65_74": FieldSpec("float"),
        "pct_75_plus": FieldSpec("float"),
        "pct_65_plus": FieldSpec("float"),
        "pct_disabled": FieldSpec("float"),
        "pct_social_grade_de": FieldSpec("float"),
        "pct_no_qualifications": FieldSpec("float"),
        "pct_pension_credit": FieldSpec("float"),
        "claimant_rate": FieldSpec("float"),
        "imd_score": FieldSpec("float"),
        "pct_premises_below_30mbit": FieldSpec("float"),
        "pct_connections_below_10mbit": FieldSpec("float"),
        "avg_download_mbit": FieldSpec("float"),
    },
}

# The fields that identify one record, for de-duplication. ``None``: all mapped fields.
RECORD_KEYS: dict[str, tuple[str, ...] | None] = {
    "contacts": ("contact_id",),
    "complaints": ("complaint_id", "stage"),
    "survey": ("response_id",),
    "areas": ("lsoa_code",),
}
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    table: tuple(name for name, spec in fields.items() if spec.kind == "text")
    for table, fields in FIELDS.items()
}


def required_fields(table: str) -> list[str]:
    """The canonical fields a profile for ``table`` must map."""
    return [name for name, spec in FIELDS[table].items() if spec.required]


class Contacts(pa.DataFrameModel):
    """A processed contact: one row per customer contact, any channel."""

    contact_id: str = pa.Field(unique=True)
    received_at: pd.Timestamp = pa.Field()
    channel: Category = pa.Field(isin=list(CHANNELS))
    service: Category = pa.Field(str_matches=r"^[a-z0-9_]+$")
    # Optional: a council's export may not have them (the analyses that need them switch off).
    customer_id: Optional[str] = pa.Field(nullable=True)  # noqa: UP045 (pandera reads Optional)
    lsoa_code: Optional[str] = pa.Field(nullable=True, str_matches=r"^[EWS]\d{8}$")  # noqa: UP045
    notes: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    handle_seconds: Optional[float] = pa.Field(nullable=True, ge=0)  # noqa: UP045
    wait_seconds: Optional[float] = pa.Field(nullable=True, ge=0)  # noqa: UP045
    source_file: str = pa.Field()
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = False
        coerce = False


class Complaints(pa.DataFrameModel):
    """A processed complaint stage: one row per complaint and stage."""

    complaint_id: str = pa.Field()
    stage: float = pa.Field(isin=[1, 2])
    received_on: pd.Timestamp = pa.Field()
    acknowledged_on: Optional[pd.Timestamp] = pa.Field(nullable=True)  # noqa: UP045
    responded_on: Optional[pd.Timestamp] = pa.Field(nullable=True)  # noqa: UP045
    service: Category = pa.Field(str_matches=r"^[a-z0-9_]+$")
    summary: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    source_file: str = pa.Field()
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = False
        unique = ["complaint_id", "stage"]


class Survey(pa.DataFrameModel):
    """A processed survey response."""

    response_id: str = pa.Field(unique=True)
    submitted_at: pd.Timestamp = pa.Field()
    nps: Optional[float] = pa.Field(nullable=True, ge=0, le=10)  # noqa: UP045
    ces: Optional[float] = pa.Field(nullable=True, ge=1, le=7)  # noqa: UP045
    csat: Optional[float] = pa.Field(nullable=True, ge=1, le=5)  # noqa: UP045
    comment: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    source_file: str = pa.Field()
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = False


class Areas(pa.DataFrameModel):
    """A processed area (LSOA) row with its indicators."""

    lsoa_code: str = pa.Field(unique=True, str_matches=r"^[EWS]\d{8}$")
    population: Optional[float] = pa.Field(nullable=True, ge=0)  # noqa: UP045
    source_file: str = pa.Field()
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = False


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "contacts": Contacts, "complaints": Complaints, "survey": Survey, "areas": Areas,
}


def validate(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check ``frame`` against the pandera model for ``table``; every failure reported at once.

    Raises ``pandera.errors.SchemaErrors``; its ``failure_cases`` is a readable table.
    """
    return MODELS[table].validate(frame, lazy=True)
