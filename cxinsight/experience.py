"""Customer-experience measures with their bases and intervals (domain.md s.5).

- **NPS**: 0-10 "how likely are you to recommend"; promoters 9-10, detractors 0-6;
  NPS = 100 (p - d); variance 100^2 ((p + d) - (p - d)^2) / n; 95% interval +/- 1.96 sd, computed
  with one pseudo-response added to each of promoters, passives and detractors (an adjusted Wald
  interval, as Agresti and Coull adjust the binomial; Rocks 2016, The American Statistician 70(4),
  compares such intervals for NPS), so it still covers 93-97% at n = 30 with extreme scores.
- **CES**: agreement 1-7 (older surveys 1-5) that the council made it easy: mean with a
  t-interval kept within the scale, and the share agreeing (5-7 on a 7-point scale).
- **CSAT**: share satisfied, the top two boxes of 1-5, with a Wilson interval.
- **Net satisfaction** (GovMetric style): good +1, average 0, poor -1, averaged, with a t-interval.

:func:`by_group` computes any of them by time of day, day of week, service, channel or staff
member; groups with fewer than ``min_responses`` are left out and counted, so no staff-level
figure is ever shown on too few responses.

>>> float(round(nps(pd.Series([10, 9, 8, 7, 6, 0]))["estimate"], 1))
0.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cxinsight.stats import Z95, wilson

MIN_STAFF_RESPONSES = 30


def nps(scores: pd.Series) -> pd.Series:
    """Net Promoter Score with its domain.md variance and 95% interval."""
    s = pd.to_numeric(pd.Series(scores), errors="coerce").dropna()
    n = len(s)
    if n == 0:
        return pd.Series({"estimate": np.nan, "low": np.nan, "high": np.nan, "n": 0, "promoters": 0, "detractors": 0})
    promoters, detractors = int((s >= 9).sum()), int((s <= 6).sum())
    est = 100 * (promoters - detractors) / n
    # adjusted Wald: one pseudo-response in each category (module docstring)
    p, d = (promoters + 1) / (n + 3), (detractors + 1) / (n + 3)
    centre = 100 * (p - d)
    se = 100 * np.sqrt(max((p + d) - (p - d) ** 2, 0.0) / (n + 3))
    low, high = max(centre - Z95 * se, -100.0), min(centre + Z95 * se, 100.0)
    return pd.Series({"estimate": est, "low": min(low, est), "high": max(high, est),
                      "n": n, "promoters": promoters, "detractors": detractors})


def _mean_t(values: pd.Series) -> pd.Series:
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    n = len(v)
    if n < 2:
        return pd.Series({"estimate": float(v.mean()) if n else np.nan, "low": np.nan, "high": np.nan, "n": n})
    half = stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)
    return pd.Series({"estimate": float(v.mean()), "low": float(v.mean() - half), "high": float(v.mean() + half), "n": n})


def ces(scores: pd.Series, scale: int = 7) -> pd.Series:
    """Customer Effort Score: mean agreement (t-interval, kept within 1 to ``scale``) and the share
    agreeing (top of the scale).

    >>> c = ces(pd.Series([7, 7, 7, 6]))
    >>> float(c["high"]) <= 7.0
    True
    """
    out = _mean_t(scores)
    out["low"], out["high"] = (float(np.clip(out[k], 1, scale)) if pd.notna(out[k]) else np.nan for k in ("low", "high"))
    s = pd.to_numeric(pd.Series(scores), errors="coerce").dropna()
    agree_from = 5 if scale == 7 else 4
    k, n = int((s >= agree_from).sum()), len(s)
    out["share_agree"], out["share_agree_low"], out["share_agree_high"] = wilson(k, n) if n else (np.nan,) * 3
    return out


def csat(scores: pd.Series) -> pd.Series:
    """Share satisfied: the top two boxes (4-5) of a 1-5 scale, Wilson 95% interval."""
    s = pd.to_numeric(pd.Series(scores), errors="coerce").dropna()
    k, n = int((s >= 4).sum()), len(s)
    p, lo, hi = wilson(k, n) if n else (np.nan,) * 3
    return pd.Series({"estimate": p, "low": lo, "high": hi, "n": n})


def net_satisfaction(ratings: pd.Series) -> pd.Series:
    """GovMetric-style net satisfaction: good +1, average 0, poor -1, averaged (t-interval)."""
    mapped = pd.Series(ratings).astype(str).str.strip().str.lower().map({"good": 1, "average": 0, "poor": -1})
    return _mean_t(mapped)


MEASURES = {"nps": nps, "ces": ces, "csat": csat, "net_satisfaction": net_satisfaction}


def by_group(responses: pd.DataFrame, group: str, measure: str = "nps", column: str | None = None,
             min_responses: int = 1) -> tuple[pd.DataFrame, int]:
    """``measure`` for each value of ``group``; groups under ``min_responses`` are left out.

    Returns the table and how many groups were suppressed. For staff, pass
    ``min_responses=MIN_STAFF_RESPONSES`` (or the council's own minimum).

    >>> table, hidden = by_group(pd.DataFrame({"staff_id": ["a", "b"], "nps": [10, 0]}), "staff_id",
    ...                          min_responses=30)
    >>> hidden, len(table), "estimate" in table
    (2, 0, True)
    """
    func = MEASURES[measure]
    col = column or measure
    rows, suppressed = [], 0
    for key, g in responses.groupby(group, observed=True):
        n = int(pd.to_numeric(g[col], errors="coerce").notna().sum()) if measure != "net_satisfaction" else len(g)
        if n < min_responses:
            suppressed += 1
            continue
        rows.append(func(g[col]).rename(key))
    # The measure's own columns even when every group is suppressed, so callers can sort and plot.
    columns = func(pd.Series([], dtype="float64")).index
    table = pd.DataFrame(rows, columns=columns)
    table.index.name = group
    return table.reset_index(), suppressed


def nps_differs(responses: pd.DataFrame, group: str, column: str = "nps", min_responses: int = 30) -> pd.Series:
    """Whether NPS really differs between the values of ``group`` (hours, days, services...): a
    chi-square test of promoters, passives and detractors across the groups with at least
    ``min_responses`` responses. Returns ``statistic, dof, p_value, groups, significant`` (at 5%).
    A breakdown is worth showing only when it is significant; otherwise it ranks noise.

    >>> rng = np.random.default_rng(0)
    >>> same = pd.DataFrame({"hour": np.repeat(range(8, 18), 60), "nps": rng.integers(0, 11, 600)})
    >>> bool(nps_differs(same, "hour")["significant"])
    False
    """
    s = pd.to_numeric(responses[column], errors="coerce")
    kind = pd.cut(s, [-0.5, 6.5, 8.5, 10.5], labels=["detractor", "passive", "promoter"])
    table = pd.crosstab(responses[group], kind)
    table = table.loc[table.sum(axis=1) >= min_responses]
    table = table.loc[:, table.sum(axis=0) > 0]
    if len(table) < 2 or table.shape[1] < 2:
        return pd.Series({"statistic": np.nan, "dof": 0, "p_value": np.nan, "groups": len(table), "significant": False})
    chi2, p, dof, _ = stats.chi2_contingency(table.to_numpy())
    return pd.Series({"statistic": float(chi2), "dof": int(dof), "p_value": float(p), "groups": len(table),
                      "significant": bool(p < 0.05)})


def funnel(responses: pd.DataFrame, group: str, column: str = "nps", min_responses: int = MIN_STAFF_RESPONSES,
           sigmas: float = 3.0) -> tuple[pd.DataFrame, float, float, int]:
    """A funnel plot's numbers, not a league table: each group's NPS (with at least ``min_responses``)
    against the centre of the responses it rests on, and the control limit for its number of
    responses (``sigmas`` standard errors of one response's score over sqrt(n)).

    Returns the table (``group, estimate, n, limit, outside``...), the centre, one response's
    standard deviation and how many groups were left out for too few responses.
    """
    table, hidden = by_group(responses, group, "nps", column=column, min_responses=min_responses)
    scores = pd.to_numeric(responses.loc[responses[group].notna(), column], errors="coerce").dropna()
    p_pro, p_det = float((scores >= 9).mean()), float((scores <= 6).mean())
    centre = 100 * (p_pro - p_det)
    sd_one = 100 * float(np.sqrt(max(p_pro + p_det - (p_pro - p_det) ** 2, 1e-9)))
    table = table.assign(limit=sigmas * sd_one / np.sqrt(table["n"].astype(float)))
    table = table.assign(outside=(table["estimate"] - centre).abs() > table["limit"])
    return table, centre, sd_one, hidden


def satisfaction_drivers(survey: pd.DataFrame, classified: pd.DataFrame, outcome: str = "csat") -> pd.DataFrame:
    """What goes with satisfaction: a transparent linear-probability model with robust (HC1) 95%
    intervals, so each effect reads in percentage points.

    Outcome: satisfied (CSAT 4-5) or, with ``outcome="nps"``, a promoter (9-10). Drivers: failure
    demand, a repeat contact, the wait in minutes, and the channel (against phone). Associations,
    not causes: the model says where to look, not what would change if we acted.
    """
    joined = survey.merge(classified[["contact_id", "channel", "demand", "is_repeat", "wait_seconds"]],
                          on="contact_id", how="inner", suffixes=("", "_contact"))
    channel = joined["channel_contact"] if "channel_contact" in joined else joined["channel"]
    score = pd.to_numeric(joined[outcome], errors="coerce")
    y = (score >= (4 if outcome == "csat" else 9)).astype(float)
    x = pd.DataFrame({"intercept": 1.0,
                      "failure demand": (joined["demand"].astype(str) == "failure").astype(float),
                      "repeat contact": joined["is_repeat"].fillna(False).astype(float),
                      "wait (per minute)": joined["wait_seconds"].fillna(0).astype(float) / 60})
    for ch in sorted(set(channel.astype(str)) - {"phone"}):
        x[f"channel: {ch.replace('_', ' ')}"] = (channel.astype(str) == ch).astype(float)
    keep = score.notna().to_numpy()
    xm, ym = x.loc[keep].to_numpy(), y.loc[keep].to_numpy()
    keep_cols = xm.std(axis=0) > 0
    keep_cols[0] = True
    xm, names = xm[:, keep_cols], [c for c, k in zip(x.columns, keep_cols, strict=True) if k]
    n, k = xm.shape
    xtx_inv = np.linalg.pinv(xm.T @ xm)
    beta = xtx_inv @ xm.T @ ym
    resid = ym - xm @ beta
    meat = (xm * resid[:, None] ** 2).T @ xm
    cov = n / max(n - k, 1) * xtx_inv @ meat @ xtx_inv
    se = np.sqrt(np.diag(cov))
    out = pd.DataFrame({"driver": names, "effect_pp": 100 * beta, "low_pp": 100 * (beta - Z95 * se),
                        "high_pp": 100 * (beta + Z95 * se), "n": n})
    return out.loc[out["driver"] != "intercept"].reset_index(drop=True)
