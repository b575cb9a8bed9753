"""The canonical tables: which fields each has, how each is parsed, and the pandera models that
check them at the raw -> processed boundary, generated from ``FIELDS`` (one source of truth).

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

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

CHANNELS: tuple[str, ...] = ("phone", "face_to_face", "email", "web", "webchat", "letter", "social", "other")
DIGITAL_CHANNELS: tuple[str, ...] = ("email", "web", "webchat", "social")
# What decided a contact's classification: its words ("text"; "none" when they named no failure), or
# behaviour that overrides value demand (a repeat contact, a channel hop). cxinsight.demand.signals
# writes demand_source as a categorical with exactly these categories, so a source it writes that is
# not listed here becomes missing and fails classify's schema check.
DEMAND_SOURCES: tuple[str, ...] = ("text", "none", "repeat", "channel_hop")


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
        # the case or reference number the contact is about (a CRM case, a 311 request): the contacts
        # carrying one are one journey (cxinsight.journeys)
        "case_id": FieldSpec("id"),
        # when that case was closed (resolved), for end-to-end time
        "closed_at": FieldSpec("datetime"),
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


# The field-kind registry's half that knows what a processed column must hold (the other half,
# how each kind is read from text, is cxinsight.io.PARSERS): kind -> (pandera dtype, checks).
SERVICE_CODE = r"^[a-z0-9_]+$"
LSOA_CODE = r"^[EWS]\d{8}$"
KIND_COLUMNS: dict[str, tuple[object, Callable[[FieldSpec], list[pa.Check]]]] = {
    "id": (str, lambda spec: []),
    "datetime": ("datetime64[ns]", lambda spec: []),
    "date": ("datetime64[ns]", lambda spec: []),
    "channel": ("category", lambda spec: [pa.Check.isin(list(CHANNELS))]),
    "service": ("category", lambda spec: [pa.Check.str_matches(SERVICE_CODE)]),
    "text": (str, lambda spec: []),
    "category": ("category", lambda spec: []),
    "duration": (float, lambda spec: [pa.Check.ge(0)]),
    "score": (float, lambda spec: [pa.Check.in_range(spec.minimum, spec.maximum)]),
    "int": (float, lambda spec: []),    # read as numbers: missing values stay missing
    "float": (float, lambda spec: []),
    "bool": ("boolean", lambda spec: []),
    "lsoa": (str, lambda spec: [pa.Check.str_matches(LSOA_CODE)]),
}
KINDS: tuple[str, ...] = tuple(KIND_COLUMNS)


def table_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of a processed table, generated from :data:`FIELDS`: one column per field
    (dtype and checks by its kind), present and never empty when the field is required or identifies
    a record, plus ``source_file`` and ``source_row``. Columns beyond these (derived ones, such as
    ``is_repeat``) are allowed.

    >>> schema = table_schema("survey")
    >>> schema.columns["nps"].nullable, schema.columns["response_id"].unique, schema.columns["submitted_at"].required
    (True, True, True)
    """
    keys = RECORD_KEYS[table] or ()
    columns = {}
    for name, spec in FIELDS[table].items():
        dtype, checks = KIND_COLUMNS[spec.kind]
        needed = spec.required or name in keys
        columns[name] = pa.Column(dtype, checks=checks(spec), nullable=not needed, required=needed,
                                  unique=keys == (name,))
    columns["source_file"] = pa.Column(str)
    columns["source_row"] = pa.Column(int, checks=[pa.Check.ge(1)])
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=table,
                              unique=list(keys) if len(keys) > 1 else None)


SCHEMAS: dict[str, pa.DataFrameSchema] = {table: table_schema(table) for table in FIELDS}


def classified_schema(failure_types: list[str] | tuple[str, ...]) -> pa.DataFrameSchema:
    """What classification adds to the contacts (:func:`cxinsight.demand.classify`): every contact
    failure or value, a failure type from the taxonomy on failures only, a confidence and a
    probability between 0 and 1, and the signal that decided it.

    >>> classified_schema(["progress_chasing"]).columns["demand"].nullable
    False
    """
    return pa.DataFrameSchema({
        "demand": pa.Column("category", checks=[pa.Check.isin(["failure", "value"])]),
        "failure_type": pa.Column("category", checks=[pa.Check.isin([*failure_types, ""])]),
        "demand_confidence": pa.Column(float, checks=[pa.Check.in_range(0, 1)]),
        "p_failure": pa.Column(float, checks=[pa.Check.in_range(0, 1)], required=False),
        "demand_source": pa.Column("category", checks=[pa.Check.isin(list(DEMAND_SOURCES))]),
    }, strict=False, coerce=False, name="classified contacts",
        checks=[pa.Check(lambda d: (d["failure_type"] != "") == (d["demand"] == "failure"),
                         name="failure type exactly on failures", error="a failure type on value demand, "
                         "or failure demand without a type")])


def validate(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check ``frame`` against the pandera model for ``table``; every failure reported at once.

    Raises ``pandera.errors.SchemaErrors``; its ``failure_cases`` is a readable table.
    """
    return SCHEMAS[table].validate(frame, lazy=True)
