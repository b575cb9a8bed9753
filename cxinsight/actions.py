"""What this means: the two or three actions a scope's figures support, in plain English.

Each action is drawn from a figure on the same page and only when that figure is shown (not
suppressed, not too few): the lever with the best net present value, the largest cause of failure
demand, a service whose journeys are resolved at the first contact less often than the council's
(only when the two ranges do not overlap), the residents to keep an assisted route for, complaints
answered late. Nothing here is a
judgement the figures cannot carry: where the savings range crosses zero, the action is to replace
the placeholder costs before deciding.

>>> from cxinsight.headlines import COUNCIL, Figures, Headline
>>> f = Figures(COUNCIL, [Headline("complaints_on_time", "council", 0.62, 0.55, 0.69, 200,
...                                  "stage 1 complaints answered")], {})
>>> what_this_means(f)[0].startswith("Answer stage 1 complaints on time: 62%")
True
"""

from __future__ import annotations

import pandas as pd

from cxinsight.columns import equals
from cxinsight.headlines import Council, Figures, describe
from cxinsight.publish import money, small_max

ON_TIME_TARGET = 0.95  # the codes expect every complaint answered within its limit; 95% allows for a few


def _savings_action(figures: Figures) -> str | None:
    """The lever to lead with, only when it clearly pays (:func:`cxinsight.phrasing.best_lever`: a
    chance of a positive net present value of at least 80%); its range is the one its figure shows
    everywhere (ends rounded outward)."""
    from cxinsight.headlines import interval_text
    from cxinsight.phrasing import BEST_LEVER_CHANCE, best_lever, chance_words

    s = figures.savings
    if s is None or figures.get("savings_npv") is None:
        return None
    levers = s.levers().set_index("lever", drop=False)
    row = best_lever(levers)
    if row is None:
        top = levers.loc[levers["npv_p50"].idxmax()]
        left = s.assumptions.placeholders()
        then = (f"Replace the placeholder {' and '.join(left)} with the council's own first."
                if left else "Check the council's own costs and the take-up assumptions before deciding.")
        return (f"No lever clearly pays at these costs: none has a positive net present value in "
                f"{round(100 * BEST_LEVER_CHANCE)}% of the simulated outcomes (the nearest, "
                f"{top['name'].lower()}, in {chance_words(top['chance_positive'])}; median "
                f"{money(top['npv_p50'])}, range {interval_text(top['npv_p10'], top['npv_p90'], 'money')}). {then}")
    best = row["lever"]
    others = levers.drop(index=best)
    against = ", ".join(f"{r['name'].lower()} {money(r['npv_p50'])}" for _, r in others.iterrows())
    payback = ("" if pd.isna(row["payback_year"]) else
               f", paying back in year {int(row['payback_year'])} at central assumptions")
    lead = {"fix_failure_first": "Fix failure demand first", "digital_push": "Lead with channel shift",
            "both": "Do both: fix failure demand and shift channels"}[best]
    return (f"{lead}: of the levers that clearly pay, the highest median net present value over "
            f"{s.assumptions.horizon_years} years, {money(row['npv_p50'])} (range "
            f"{interval_text(row['npv_p10'], row['npv_p90'], 'money')}; positive in "
            f"{chance_words(row['chance_positive'])} simulated outcomes){payback}; {against}.")


def _corrected_count(classified: pd.DataFrame, review: pd.DataFrame, service, ftype) -> tuple[float, int, int] | None:
    """How many of ``service``'s contacts are failure demand of kind ``ftype``, estimated from the
    review as failure demand is (:func:`cxinsight.demand.measures.failure_share`, counting a reviewed
    contact as a hit only when the analyst labelled it failure of that kind): ``(estimate, low, high)``
    with the ends rounded outward to 5; None when the review gives no kinds."""
    from cxinsight.demand.measures import failure_share

    if "analyst_failure_type" not in review or not (review["analyst_failure_type"].astype(str) != "").any():
        return None
    hit = (review["analyst_demand"].astype(str) == "failure") & (review["analyst_failure_type"].astype(str) == str(ftype))
    mine = classified.loc[equals(classified["service"], service)]
    row = failure_share(mine, review=review.assign(analyst_demand=hit.map({True: "failure", False: "value"})))
    row = row.iloc[0]
    if not row["n_reviewed"]:
        return None
    low, high = int(row["low"] * row["n"]), -int(-row["high"] * row["n"] // 1)
    low = 5 * (low // 5)
    return float(row["estimate"] * row["n"]), (0 if low <= small_max() else low), 5 * (-(-high // 5))


def _failure_action(figures: Figures, classified: pd.DataFrame | None, review: pd.DataFrame | None = None) -> str | None:
    """The largest kind of failure demand (service x kind, on the council's page). With a review
    whose analysts named each failure's kind, the count is the review's estimate for that service and
    kind, with its 95% range (the largest of the classifier's three largest, once corrected); without
    one, the classifier's count, said to be the classifier's."""
    h = figures.get("failure_share")
    if h is None or describe(h)["value"] in ("*", "too few to report") or classified is None:
        return None
    fail = classified.loc[equals(classified["demand"], "failure")]
    if fail.empty:
        return None
    from cxinsight.demand import load_taxonomy
    from cxinsight.phrasing import about
    from cxinsight.wording import label

    counts = fail.groupby(["service", "failure_type"], observed=True).size().sort_values(ascending=False)
    (service, ftype), n = counts.index[0], int(counts.iloc[0])
    how_many = f"{about(n)} contacts the classifier found in the period (not corrected by a review)"
    if review is not None:
        corrected = {key: _corrected_count(classified, review, *key) for key in counts.index[:3]}
        corrected = {key: c for key, c in corrected.items() if c is not None}
        if corrected:
            (service, ftype), (n, low, high) = max(corrected.items(), key=lambda kv: kv[1][0])
            how_many = f"{about(round(n))} contacts in the period (95% interval {low:,} to {high:,}, from the review)"
    if n <= small_max():  # a count that would show as *
        return None
    kind = load_taxonomy().labels.get(str(ftype), label(str(ftype)))
    where = f" in {label(str(service))}" if isinstance(figures.scope, Council) else ""
    return (f"Start on failure demand where it is largest: '{kind}'{where}, {how_many}. "
            f"{describe(h)['value']} of contacts are failure demand ({describe(h)['interval']}); "
            "removing the cause removes the contact.")


def _exclusion_action(figures: Figures) -> str | None:
    h = figures.get("likely_excluded")
    if h is None or describe(h)["value"] in ("*", "too few to report"):
        return None
    d = describe(h)
    return (f"Keep a phone or counter route open as services move online: {d['value']} of customers with a "
            f"customer number ({d['interval']}) are likely digitally excluded.")


def _complaints_action(figures: Figures) -> str | None:
    h = figures.get("complaints_on_time")
    if h is None or describe(h)["value"] in ("*", "too few to report") or h.estimate >= ON_TIME_TARGET:
        return None
    overdue = ""
    if figures.timed is not None and "overdue" in figures.timed:
        n = int(figures.timed["overdue"].sum())
        from cxinsight.phrasing import count_said

        overdue = f"; {count_said(n)} complaints are open past their limit now" if n else ""
    return (f"Answer stage 1 complaints on time: {describe(h)['value']} were ({describe(h)['interval']}), and the "
            f"Ombudsman codes expect every one within 10 working days (20 where an extension was agreed, which the "
            f"on-time share allows){overdue}.")


def _shown(h) -> dict | None:
    """The figure as shown, or None when it is not (suppressed, too few, no range to compare)."""
    if h is None or h.estimate is None:
        return None
    d = describe(h)
    return None if d["value"] in ("*", "too few to report", "not available") or not d["interval"] else d


def _journey_action(figures: Figures) -> str | None:
    """Where journeys are resolved at the first contact less often than the council's, and the data
    shows it: a service whose whole 95% interval lies below the council's whole interval (the two
    intervals do not overlap). On the council's page, the service furthest below; on a service's
    page, the service itself against the council."""
    from cxinsight.headlines import Headline
    from cxinsight.wording import label

    mine = _shown(figures.get("first_contact_resolution"))
    if mine is None:
        return None
    here = figures.get("first_contact_resolution")
    if isinstance(figures.scope, Council):
        rows = figures.journey_services
        if rows is None or rows.empty:
            return None
        rows = rows.loc[rows["estimate"].notna() & (rows["high"] < here.low)]
        if rows.empty:
            return None
        worst = rows.sort_values("high").iloc[0]
        service = str(worst["service"])
        theirs = _shown(Headline("first_contact_resolution", service, float(worst["estimate"]), float(worst["low"]),
                                 float(worst["high"]), int(worst["n"]), "journeys"))
        if theirs is None:
            return None
        return (f"Review the journeys in {label(service)} first: {theirs['value']} of its journeys were resolved at "
                f"the first contact (95% interval {theirs['interval']}, {theirs['base']}), against {mine['value']} "
                f"for the council ({mine['interval']}, {mine['base']}); the two ranges do not overlap.")
    ref = figures.journey_reference
    council = _shown(ref)
    if council is None or not here.high < ref.low:
        return None
    return (f"Review this service's journeys: {mine['value']} were resolved at the first contact (95% interval "
            f"{mine['interval']}, {mine['base']}), against {council['value']} for the council as a whole "
            f"({council['interval']}, {council['base']}); the two ranges do not overlap, so each extra contact is "
            "one a resident should not have needed.")


def what_this_means(figures: Figures, classified: pd.DataFrame | None = None, limit: int = 3,
                    review: pd.DataFrame | None = None) -> list[str]:
    """Up to ``limit`` actions the figures support, most valuable first (``review``: the scope's
    labelled review, which corrects the count a failure action gives)."""
    found = [_savings_action(figures), _failure_action(figures, classified, review), _journey_action(figures),
             _complaints_action(figures), _exclusion_action(figures)]
    return [a for a in found if a][:limit]
