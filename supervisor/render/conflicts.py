"""What `conflicts` prints for people: each pair that changed a path both, its conflicts with
their line ranges, then the paths that merge cleanly."""

from __future__ import annotations

from supervisor.lifecycle.conflicts import Pair, PathConflict, Prediction
from supervisor.lifecycle.merging import Lines, Region
from supervisor.render.output import Output, quote_path
from supervisor.render.text import plural


def prediction(out: Output, found: Prediction) -> None:
    for pair in found.pairs:
        out.line(pair_title(pair))
        for conflict in pair.conflicts:
            out.line(f"  conflict  {conflict_line(pair, conflict)}")
        for path in pair.overlap:
            out.line(f"  clean     {quote_path(path)}")
    for note in found.notes:
        out.line(f"note: {note}")
    conflicted = sum(1 for p in found.pairs if p.conflicts)
    said = plural(conflicted, "conflicting pair") if conflicted else "no conflict"
    out.line(
        f"{plural(len(found.features), 'feature')}, {plural(found.checked, 'pair')} "
        f"checked: {said} predicted"
    )


def pair_title(pair: Pair) -> str:
    other = f"{pair.b} (its base branch)" if pair.base_branch else pair.b
    counts = []
    if pair.conflicts:
        counts.append(plural(len(pair.conflicts), "conflict"))
    if pair.overlap:
        counts.append(f"{plural(len(pair.overlap), 'path')} both changed that merge cleanly")
    return f"{pair.a} and {other}: {', '.join(counts)}"


def conflict_line(pair: Pair, conflict: PathConflict) -> str:
    path = quote_path(conflict.path)
    if conflict.renamed_to:
        path += f" (renamed to {quote_path(conflict.renamed_to)} on one side)"
    where = "; ".join(region_text(pair, r) for r in conflict.regions)
    return f"{path}: {conflict.reason}" + (f", {where}" if where else "")


def region_text(pair: Pair, region: Region) -> str:
    base = f" (base {span(region.base)})" if region.base else ""
    return f"{pair.a} {span(region.a)}, {pair.b} {span(region.b)}{base}"


def span(lines: Lines) -> str:
    first, last = lines
    if last < first:
        return f"lines removed after line {last}" if last else "lines removed at the top"
    if first == last:
        return f"line {first}"
    return f"lines {first}-{last}"
