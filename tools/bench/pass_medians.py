"""Several passes of compare.py's table as one table.

Issue 27 judges its targets on the medians of three alternating runs: each
pass of compare.py drives AgentTheo and its peer one after the other, so N
passes alternate them N times. Combined, each figure is the median of the
passes that have it. A target that compares figures ("<= nchan", ">= 5x
nchan", "<= 1") is judged on those medians; any other ("0 / 0", "within
bounds") is met when most passes met it. Each row also says how many
passes met its target alone: a median can meet a target most passes missed
(the peer's bad pass and ours need not be the same one).
"""

import operator
import re
import statistics

COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
# "<= nchan", "<= 0.5x guide", "< 2x", "<= 1", ">= 5x nchan"
RULE = re.compile(r"^(<=|>=|<|>)\s*(?:([\d.,]+)\s*(x)?)?\s*([A-Za-z].*)?$")


def combine(passes):
    """`passes`: each pass's records (compare.Table.records: scenario, metric,
    agenttheo, peer, peer_value, target, met), in the order they were added.
    Returns records of the same form in the first-seen order, each with
    `passes` (how many passes had the row) and `met_passes` (how many of
    them met its target; None for a row without one)."""
    keyed = [dict(keys_of(records)) for records in passes]
    order = list(dict.fromkeys(key for by_key in keyed for key in by_key))
    combined = []
    for key in order:
        rows = [by_key[key] for by_key in keyed if key in by_key]
        checked = [r for r in rows if r["met"] is not None]
        verdicts = [r["met"] for r in checked]
        ours = median_of([r["agenttheo"] for r in rows])
        peer = median_of([r["peer_value"] for r in rows])
        # A scenario may set a target in some passes only (fan-out's
        # "<= nchan" where nchan kept up): the one the passes checked.
        target = (checked or rows)[0]["target"]
        met = None
        if verdicts:
            met = judged_on_medians(target, ours, peer)
            if met is None:
                met = 2 * sum(verdicts) > len(verdicts)
        combined.append({
            "scenario": rows[0]["scenario"], "metric": rows[0]["metric"],
            "agenttheo": ours, "peer": rows[0]["peer"], "peer_value": peer,
            "target": target, "met": met,
            "passes": len(rows),
            "met_passes": sum(verdicts) if verdicts else None,
        })
    return combined


def judged_on_medians(target, ours, peer):
    """`target` applied to the medians when it compares figures: with an
    `x` or a peer's name, against the peer's median (`<= nchan`: 1x);
    with a bare number, against that number. None when it is not such a
    target or a figure it needs is missing."""
    rule = RULE.match(target.strip())
    if not rule or not is_number(ours):
        return None
    op, amount, times, word = rule.groups()
    if amount is None or times:
        if not is_number(peer):
            return None
        factor = 1.0 if amount is None else float(amount.replace(",", ""))
        return COMPARE[op](ours, factor * peer)
    if word:  # a number with a unit or a word after it: not ours to read
        return None
    return COMPARE[op](ours, float(amount.replace(",", "")))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def keys_of(records):
    """Each record with what names it across passes: its scenario, metric
    and peer (a metric may be set against two peers: nchan, and AgentTheo
    without pacing), and which of the same it is within its pass."""
    seen = {}
    for r in records:
        name = (r["scenario"], r["metric"], r["peer"])
        seen[name] = seen.get(name, 0) + 1
        yield name + (seen[name],), r


def median_of(values):
    """The median of numbers; a text shared by every pass as it is, texts
    that differ joined (", ") so none is hidden; None when no pass had one."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(is_number(v) for v in present):
        middle = statistics.median(present)
        # Counts stay whole (an even number of passes may average two).
        if all(isinstance(v, int) for v in present) and middle == int(middle):
            return int(middle)
        return middle
    return ", ".join(dict.fromkeys(str(v) for v in present))
