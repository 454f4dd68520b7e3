"""Several passes of compare.py's table as one table.

Issue 27 judges its targets on the medians of three alternating runs: each
pass of compare.py drives AgentTheo and its peer one after the other, so N
passes alternate them N times. Combined, each figure is the median of the
passes that have it, and a target counts as met when most of the passes met
it (each pass's verdict compares the two systems measured minutes apart on
the same machine, the pairing the medians alone would lose)."""

import statistics


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
        verdicts = [r["met"] for r in rows if r["met"] is not None]
        combined.append({
            "scenario": rows[0]["scenario"], "metric": rows[0]["metric"],
            "agenttheo": median_of([r["agenttheo"] for r in rows]),
            "peer": rows[0]["peer"],
            "peer_value": median_of([r["peer_value"] for r in rows]),
            "target": rows[0]["target"],
            "met": 2 * sum(verdicts) > len(verdicts) if verdicts else None,
            "passes": len(rows),
            "met_passes": sum(verdicts) if verdicts else None,
        })
    return combined


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
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        middle = statistics.median(present)
        # Counts stay whole (an even number of passes may average two).
        if all(isinstance(v, int) for v in present) and middle == int(middle):
            return int(middle)
        return middle
    return ", ".join(dict.fromkeys(str(v) for v in present))
