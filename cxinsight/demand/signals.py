"""Behaviour that reveals failure demand the words may not: repeats, channel hops, open complaints.

- **Repeat contact**: the same customer contacted the same service within ``window_days``.
- **Channel hop**: a web contact followed by a phone, counter or web-chat contact from the same
  customer about the same service within ``hop_hours`` (48 by default): a failed digital journey
  (domain.md s.1).
- **During an open complaint**: the customer has a complaint about the same service that was
  received and not yet answered.

:func:`classify` combines them with the text: the text decides first; a contact whose words read
as value demand becomes failure demand if its behaviour says so (channel hop -> information not
found; repeat -> repeat contact; open complaint -> progress chasing), with a lower confidence, and
``demand_source`` says which signal decided.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight import clean
from cxinsight.demand.rules import Taxonomy
from cxinsight.demand.rules import engine as rule_engine
from cxinsight.schemas import DEMAND_SOURCES, classified_schema

ASSISTED_AFTER_WEB = ("phone", "face_to_face", "webchat")
BEHAVIOUR_CONFIDENCE = {"channel_hop": 0.75, "repeat": 0.65, "open_complaint": 0.6}


def behaviour_signals(contacts: pd.DataFrame, window_days: float = 14, hop_hours: float = 48,
                      complaints: pd.DataFrame | None = None) -> pd.DataFrame:
    """``is_repeat``, ``channel_hop`` and ``during_open_complaint`` for each contact (same index).

    >>> c = pd.DataFrame({"contact_id": ["a", "b", "c"], "customer_id": ["1", "1", "1"],
    ...                   "service": ["parking"] * 3, "channel": ["web", "phone", "phone"],
    ...                   "received_at": pd.to_datetime(["2024-05-01 20:00", "2024-05-02 09:00", "2024-06-30 09:00"])})
    >>> behaviour_signals(c)[["is_repeat", "channel_hop"]].values.tolist()
    [[False, False], [True, True], [False, False]]
    """
    needed = {"contact_id", "customer_id", "service", "received_at"}
    missing = needed - set(contacts.columns)
    if missing:
        raise ValueError(f"behaviour signals need columns {sorted(missing)} in the contacts frame")
    prev, days = clean.previous_positions(contacts)
    gap = np.nan_to_num(days, nan=np.inf)
    is_repeat = gap <= window_days
    hop = np.zeros(len(contacts), dtype=bool)
    if "channel" in contacts.columns:
        codes, names = pd.factorize(contacts["channel"].astype(str))
        web = np.asarray(names == "web")
        assisted = np.isin(np.asarray(names, dtype=object), ASSISTED_AFTER_WEB)
        prev_is_web = np.zeros(len(contacts), dtype=bool)
        has_prev = prev >= 0
        prev_is_web[has_prev] = web[codes[prev[has_prev]]] if web.any() else False
        hop = prev_is_web & assisted[codes] & (gap <= hop_hours / 24)
    during = np.zeros(len(contacts), dtype=bool)
    # "open" needs the response dates: a register without them cannot say when a complaint closed
    if (complaints is not None and len(complaints) and "contact_id" in complaints.columns
            and "responded_on" in complaints.columns and complaints["responded_on"].notna().any()):
        during = _during_open_complaint(contacts, complaints)
    return pd.DataFrame({"is_repeat": is_repeat, "channel_hop": hop, "during_open_complaint": during},
                        index=contacts.index)


def _during_open_complaint(contacts: pd.DataFrame, complaints: pd.DataFrame) -> np.ndarray:
    """Contacts made while the same customer's complaint about the same service was unanswered."""
    by_id = contacts.set_index("contact_id")["customer_id"]
    comp = complaints.loc[complaints["contact_id"].notna(), ["contact_id", "service", "received_on", "responded_on"]]
    comp = comp.assign(customer_id=comp["contact_id"].map(by_id)).dropna(subset=["customer_id"])
    if comp.empty:
        return np.zeros(len(contacts), dtype=bool)
    comp = comp.assign(service=comp["service"].astype(str),
                       responded_on=comp["responded_on"].fillna(pd.Timestamp.max.normalize()))
    cand = contacts.loc[contacts["customer_id"].isin(set(comp["customer_id"])),
                        ["customer_id", "service", "received_at"]].assign(service=lambda d: d["service"].astype(str))
    pairs = cand.reset_index().merge(comp[["customer_id", "service", "received_on", "responded_on"]],
                                     on=["customer_id", "service"])
    inside = pairs.loc[(pairs["received_at"] > pairs["received_on"] + pd.Timedelta(days=1))
                       & (pairs["received_at"] < pairs["responded_on"]), "index"].unique()
    return contacts.index.isin(inside)


def classify(contacts: pd.DataFrame, text_columns: tuple[str, ...] = ("notes", "reason"),
             taxonomy: Taxonomy | Path | str | None = None, window_days: float = 14, hop_hours: float = 48,
             complaints: pd.DataFrame | None = None, use_behaviour: bool = True) -> pd.DataFrame:
    """Contacts plus ``demand``, ``failure_type``, ``demand_confidence``, ``demand_evidence``,
    ``demand_source`` (one of :data:`cxinsight.schemas.DEMAND_SOURCES`: ``text``, ``none``,
    ``repeat`` or ``channel_hop``; an open complaint is reported by :func:`behaviour_signals` but
    does not decide).

    Text from ``text_columns`` present in the frame is joined (notes and the CRM reason code).

    >>> c = pd.DataFrame({"contact_id": ["a", "b"], "customer_id": ["1", "1"], "service": ["waste"] * 2,
    ...                   "channel": ["web", "phone"], "notes": ["order a new bin", "order a new bin"],
    ...                   "received_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-01 15:00"])})
    >>> classify(c)[["demand", "failure_type", "demand_source"]].values.tolist()
    [['value', '', 'none'], ['failure', 'information_not_found', 'channel_hop']]
    """
    cols = [c for c in text_columns if c in contacts.columns]
    if not cols:  # an export without free text: only behaviour (repeats, channel hops) can decide
        logging.getLogger(__name__).warning(
            "no text column of %s: failure demand can come only from behaviour (repeat contacts and channel hops, which "
            "need customer numbers)", list(text_columns))
        contacts = contacts.assign(notes=pd.Series(None, index=contacts.index, dtype="str"))
        cols = ["notes"]
    engine = rule_engine(taxonomy)
    # Score each text field on its own distinct values, then decide once per distinct combination.
    fields = [pd.factorize(contacts[c].astype("str").fillna("")) for c in cols]
    scored = [engine.weights(pd.Series(uniques, dtype="str")) for _, uniques in fields]
    combo = np.zeros(len(contacts), dtype=np.int64)
    for codes, uniques in fields:
        combo = combo * (len(uniques) + 1) + codes
    _, combo_first, combo_codes = np.unique(combo, return_index=True, return_inverse=True)
    w = np.zeros((len(combo_first), len(engine.failure_types)))
    v = np.zeros(len(combo_first))
    evidence = np.full(len(combo_first), "", dtype=object)
    for (codes, _), (wu, vu, eu) in zip(fields, scored, strict=True):
        at = codes[combo_first]
        w += wu[at]
        v += vu[at]
        e = eu[at]
        evidence = np.where(e == "", evidence, np.where(evidence == "", e, evidence + "; " + e))
    demand_u, ftype_u, conf_u, _ = engine.decide(w, v)
    demand, ftype = demand_u[combo_codes], ftype_u[combo_codes]
    confidence = conf_u[combo_codes].astype(float)
    evidence = evidence[combo_codes]
    source = np.where(demand == "failure", "text", "none").astype(object)
    if use_behaviour and {"customer_id", "service", "received_at", "contact_id"} <= set(contacts.columns):
        sig = behaviour_signals(contacts, window_days, hop_hours, complaints)
        # An open complaint is reported as a signal but does not decide: on the demo it was a weak
        # predictor (most contacts during an open complaint are about something new).
        for signal, column, new_type in (("channel_hop", "channel_hop", "information_not_found"),
                                         ("repeat", "is_repeat", "repeat_contact")):
            flip = (demand == "value") & sig[column].to_numpy(bool)
            demand[flip], ftype[flip], source[flip] = "failure", new_type, signal
            confidence[flip] = BEHAVIOUR_CONFIDENCE[signal]
    result = {"demand": pd.Categorical(demand, categories=["failure", "value"]), "failure_type": pd.Categorical(ftype),
              "demand_confidence": confidence, "demand_evidence": evidence,
              "demand_source": pd.Categorical(source, categories=DEMAND_SOURCES)}
    # The output's own schema (cxinsight.schemas): a broken classification fails here, naming the check.
    classified_schema(engine.failure_types).validate(
        pd.DataFrame({k: v for k, v in result.items() if k != "demand_evidence"}), lazy=True)
    return contacts.assign(**result)
