"""Customer-experience maturity (Enfield's model, domain.md s.6).

Five levels (1 Interested, 2 Invested, 3 Committed, 4 Engaged, 5 Embedded) across seven aspects
(customer understanding, measurement, management, design, process, technology, culture and
organisation). Each service scores out of 5 (the mean of its aspect levels); its level is the
whole level reached (the mean rounded down); the medal follows Enfield's bands: Bronze for levels
1-2, Silver for 3-4, Gold for 5 (level 5 is Gold, domain.md s.6; the Bronze/Silver split is this
module's reading of the three medals over five levels). The next actions per aspect are the
weakest aspects' steps to the next level.

>>> sa = pd.DataFrame({"service": ["waste"] * 7, "aspect": list(ASPECTS), "level": [3, 3, 4, 2, 3, 3, 3]})
>>> score_self_assessment(sa)[["service", "score", "level", "medal"]].values.tolist()
[['waste', 3.0, 3, 'Silver']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = {1: "Interested", 2: "Invested", 3: "Committed", 4: "Engaged", 5: "Embedded"}
ASPECTS = ("customer understanding", "measurement", "management", "design", "process", "technology",
           "culture and organisation")
MEDALS = {1: "Bronze", 2: "Bronze", 3: "Silver", 4: "Silver", 5: "Gold"}

NEXT_STEP = {
    "customer understanding": "Study demand in the customer's own words and segment customers by need (the failure demand and digital exclusion reports).",
    "measurement": "Measure failure demand, effort and satisfaction routinely, with bases and intervals.",
    "management": "Manage to customer purpose: review failure demand and complaints monthly with front-line staff.",
    "design": "Redesign the top failure-demand journeys with customers, testing before scaling.",
    "process": "Remove the causes of the largest failure types; fix first-time resolution before channel shift.",
    "technology": "Join up systems so a customer tells us once; make self-service complete end to end.",
    "culture and organisation": "Give front-line staff authority to resolve; share customer learning across services.",
}


def score_self_assessment(assessment: pd.DataFrame) -> pd.DataFrame:
    """Per service: score out of 5, level and its name, medal, and the weakest aspects' next steps.

    ``assessment`` has ``service``, ``aspect`` (one of :data:`ASPECTS`) and ``level`` (1-5).
    Raises a clear error for an unknown aspect or a level outside 1-5.
    """
    a = assessment.assign(aspect=assessment["aspect"].astype(str).str.strip().str.lower())
    bad = sorted(set(a["aspect"]) - set(ASPECTS))
    if bad:
        raise ValueError(f"unknown aspects {bad}; expected {list(ASPECTS)}")
    levels = pd.to_numeric(a["level"], errors="coerce")
    if levels.isna().any() or not levels.between(1, 5).all():
        raise ValueError(f"levels must be whole numbers 1-5; found {sorted(set(a['level'].astype(str)))}")
    a = a.assign(level=levels.astype(int))
    rows = []
    for service, g in a.groupby("service"):
        missing = [x for x in ASPECTS if x not in set(g["aspect"])]
        score = float(g["level"].mean())
        level = int(np.floor(score))
        weakest = g.loc[g["level"] == g["level"].min(), "aspect"].tolist()
        rows.append({"service": service, "score": round(score, 2), "level": level, "level_name": LEVELS[level],
                     "medal": MEDALS[level], "aspects_assessed": len(g), "aspects_missing": ", ".join(missing),
                     "next_actions": " | ".join(f"{x}: {NEXT_STEP[x]}" for x in weakest if g['level'].min() < 5)})
    return pd.DataFrame(rows)


def radar(ax, assessment: pd.DataFrame, service: str, colour=None) -> None:
    """Draw one service's aspect levels on a polar ``ax`` (a radar chart, 0-5)."""
    g = assessment.assign(aspect=assessment["aspect"].str.lower()).set_index("aspect")
    values = [float(g.loc[(g["service"] == service)].reindex(ASPECTS)["level"].get(x, np.nan)) for x in ASPECTS]
    angles = np.linspace(0, 2 * np.pi, len(ASPECTS), endpoint=False).tolist()
    ax.plot(angles + angles[:1], values + values[:1], color=colour, label=service.replace("_", " ").capitalize())
    ax.fill(angles + angles[:1], values + values[:1], color=colour, alpha=0.15)
    ax.set_xticks(angles)
    ax.set_xticklabels([x.capitalize() for x in ASPECTS], fontsize=8)
    ax.set_ylim(0, 5)
