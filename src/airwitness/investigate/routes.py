"""The allegation's routes, each weighed on its own, and the verdict over all of them.

A case names one route (``via: AZE``), several (``via: [BLR, UKR]``) or any
(``via: any``: an entry into ``into`` from any other airspace, international
airspace included). A crossing *enters by* route ``R`` when it goes from ``R``
into ``into``; by ``any`` when it goes into ``into`` from anything but ``into``
and the areas ``into`` claims with others. Each route has its own findings,
suspect and disputed crossings, border coverage and verdict (:func:`weigh`);
the case's verdict is the strongest evidence of an entry over all routes
(:func:`combine`): ``confirmed`` if a route is confirmed, else ``indicated`` if one
is indicated; with no crossing on any route, ``not_observed`` only when every
route's border was covered, else ``inconclusive``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import Airspace
from airwitness.fusion import connected
from airwitness.investigate.coverage import CoverageGrid
from airwitness.investigate.crosscheck import SetCheck

#: Verdicts, the strongest evidence of an entry first.
VERDICTS = ("confirmed", "indicated", "not_observed", "inconclusive")


@dataclass
class Route:
    """One route of the allegation, weighed on its own."""

    via: str  # an airspace code, or "any"
    findings: pa.Table
    suspect: pa.Table
    disputed: pa.Table
    set_checks: list[SetCheck]  # per finding, in row order
    coverage: CoverageGrid
    verdict: str
    reason: str


@dataclass(frozen=True)
class RouteMasks:
    """Which crossings (rows of the window's crossings) enter by a route."""

    exact: np.ndarray  # bool: from the route into ``into``
    near: np.ndarray  # bool: the same with joint codes allowed on either side


def _isin(column: pa.ChunkedArray, codes: tuple[str, ...]) -> np.ndarray:
    return np.asarray(
        pc.is_in(column, pa.array(list(codes), pa.string())).to_numpy(zero_copy_only=False),
        dtype=bool,
    )


def route_masks(window: pa.Table, route: str | None, into: str, sky: Airspace) -> RouteMasks:
    """The crossings of ``window`` entering ``into`` by ``route`` (None: any)."""
    into_near = sky.codes_matching(into, include_disputed=True)
    to_into = _isin(window["to"], (into,))
    to_near = _isin(window["to"], into_near)
    from_into = _isin(window["from"], into_near)
    if route is None:
        return RouteMasks(to_into & ~from_into, to_near & ~from_into)
    exact = to_into & _isin(window["from"], (route,))
    near = to_near & _isin(window["from"], sky.codes_matching(route, include_disputed=True))
    return RouteMasks(exact, near)


def weigh(
    findings: pa.Table, coverage: float, threshold: float, confidence_threshold: float = 0.99
) -> tuple[str, str]:
    """The verdict and one sentence saying why."""
    kinds = findings["kind"].to_pylist() if findings.num_rows else []
    sure = findings["confidence"].to_pylist() if findings.num_rows else []
    observed = [c for k, c in zip(kinds, sure, strict=True) if k == "observed"]
    confirmed = [c for c in observed if c >= confidence_threshold]
    if confirmed:
        sure_rows = np.array([k == "observed" for k in kinds]) & (
            np.array(sure) >= confidence_threshold
        )
        return "confirmed", (
            f"{len(confirmed)} observed crossing(s) in the window with confidence "
            f">= {confidence_threshold:g} (the surest {max(confirmed):.4f})"
            + corroboration_note(findings.filter(pa.array(sure_rows)))
        )
    if kinds:
        why = []
        if observed:
            why.append(
                f"{len(observed)} observed, none with confidence >= {confidence_threshold:g} "
                f"(the surest {max(observed):.4f})"
            )
        inferred = len(kinds) - len(observed)
        if inferred:
            why.append(f"{inferred} inferred")
        return "indicated", (
            f"{len(kinds)} crossing(s): " + "; ".join(why) + corroboration_note(findings)
        )
    if coverage >= threshold:
        return "not_observed", (
            f"no crossing seen while the border was covered {coverage:.1%} of the time "
            f"(threshold {threshold:.0%})"
        )
    return "inconclusive", (
        f"no crossing seen, but the border was covered only {coverage:.1%} of the time "
        f"(threshold {threshold:.0%})"
    )


def corroboration_note(findings: pa.Table) -> str:
    """What the verdict's sentence says of independent sensors (docs/fusion.md): how many
    distinct events the crossings are (one object's tracks of several sensors showing
    one crossing count once) and how many of them two or more sensors show; nothing
    when no finding is shown by more than one sensor."""
    if "sensors" not in findings.column_names or not findings.num_rows:
        return ""
    sensors = findings["sensors"].to_pylist()
    if max(sensors) < 2:
        return ""
    events = _events(findings)
    corroborated = sum(1 for e in events if max(sensors[i] for i in e) >= 2)
    return (
        f"; {len(events)} distinct event(s), {corroborated} of them shown by two or more "
        f"independent sensors (the most: {max(sensors)})"
    )


def _events(findings: pa.Table) -> list[list[int]]:
    """The findings grouped by event: a finding and those of the tracks corroborating it
    (same ``from`` and ``to``) are one."""
    ids = findings["track_id"].to_pylist()
    codes = list(zip(findings["from"].to_pylist(), findings["to"].to_pylist(), strict=True))
    by = [set((b or "").split(",")) - {""} for b in findings["corroborated_by"].to_pylist()]
    links = [
        (i, j)
        for i in range(len(ids))
        for j in range(len(ids))
        if ids[j] in by[i] and codes[i] == codes[j]
    ]
    return connected(len(ids), links)


def disputed_note(disputed: pa.Table, sky: Airspace) -> str:
    """What the verdict's sentence says of crossings into or out of disputed areas."""
    if not disputed.num_rows:
        return ""
    joint = sorted({c for c in disputed["to"].to_pylist() + disputed["from"].to_pylist()})
    joint = [c for c in joint if sky.claimants(c)]
    return (
        f"; {disputed.num_rows} crossing(s) into or out of disputed areas "
        f"({', '.join(joint)}) listed apart, not counted"
    )


def combine(routes: list[Route]) -> tuple[str, str]:
    """The case's verdict over its routes, and why: the route's own for one route."""
    if len(routes) == 1:
        return routes[0].verdict, routes[0].reason
    verdicts = {r.verdict for r in routes}
    if "confirmed" in verdicts or "indicated" in verdicts:
        verdict = "confirmed" if "confirmed" in verdicts else "indicated"
    else:
        verdict = "not_observed" if verdicts == {"not_observed"} else "inconclusive"
    order = sorted(routes, key=lambda r: VERDICTS.index(r.verdict))
    if verdict == "inconclusive":  # the uncovered routes are why
        order = sorted(routes, key=lambda r: r.verdict != "inconclusive")
    return verdict, " | ".join(f"via {r.via}: {r.verdict} — {r.reason}" for r in order)
