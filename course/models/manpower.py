"""Manpower as a stock and flows: can departures feed on themselves (the "vicious cycle")?

Module 06 ("Cascades and feedback") turns the article's assertion — the more soldiers leave,
the more the rest leave — into a stock-and-flow model in the style of Sterman (2000,
*Business Dynamics*, McGraw-Hill: stocks and flows, feedback loops and loop dominance).
One stock, ``S`` (personnel present), measured against a ``target``; time in **months**.

Flows, per month::

    inflow      = intake + replacement_rate * max(target - S, 0)     (balancing loop)
    casualties  = casualty_rate * S
    departures  = h * S,  h = base_departure * (1 + feedback * share_gone)
    share_gone  = clip(1 - S / target, 0, 1)                           (reinforcing loop)
    S[t+1]      = S[t] + inflow - casualties - departures              (Euler, dt = 1 month)

By default ``intake`` replaces the normal losses at full strength,
``(casualty_rate + base_departure) * target``, so the target is an equilibrium and the
question becomes whether a shortfall heals. Writing ``x = S / target``, ``a`` for
``replacement_rate``, ``b`` for ``base_departure``, ``c`` for ``casualty_rate`` and ``f`` for
``feedback``, the net flow below target is then ``target * (1 - x) * (a + b + c - b f x)``:
equilibria at ``x = 1`` and ``x = (a + b + c) / (b f)``. The feedback is critical at
``f_c = (a + b + c) / b`` (:func:`critical_feedback`): below it a shortfall shrinks and the
force returns to target, above it the reinforcing loop dominates near target and the
force settles at ``target * f_c / f`` — a "runaway" to a lower level, not to zero, because
replacements rise as the gap grows. A small shortfall grows to that level; a force that starts
below it climbs back up to it.

What data would tell the two regimes apart (none is in the article): monthly strength of
comparable units after a shock (does the gap close or widen?); departure rates against how
depleted a unit is (their slope estimates ``b * f``); and how quickly gaps are refilled (``a``).
Near ``f_c`` recovery slows sharply (its rate is ``b * (f_c - f)``), so a slow recovery is
itself a warning sign — but a few headline totals cannot distinguish the regimes.

Examples
--------
>>> p = ManpowerParams()
>>> critical_feedback(p)
7.0
>>> equilibrium(p)                     # feedback 2 < 7: the force heals back to target
1000.0
>>> equilibrium(ManpowerParams(feedback=14.0))   # above critical: settles at 1000 * 7 / 14
500.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

__all__ = [
    "ManpowerParams",
    "critical_feedback",
    "equilibrium",
    "net_flow",
    "simulate",
    "with_feedback",
]

_EPS = 1e-12


@dataclass(frozen=True)
class ManpowerParams:
    """Parameters of the manpower stock-and-flow model (all rates per month).

    Parameters
    ----------
    initial : float
        Personnel present at month 0.
    target : float
        Authorised strength; ``share_gone`` is measured against it.
    replacement_rate : float
        Share of the gap to target filled each month (the balancing loop).
    casualty_rate : float
        Share of those present lost to casualties each month.
    base_departure : float
        Monthly departure hazard at full strength.
    feedback : float
        How strongly depletion raises the departure hazard: at ``share_gone = 1`` the hazard
        is ``base_departure * (1 + feedback)``.
    intake : float, optional
        Constant monthly intake regardless of the gap; ``None`` (default) means exactly the
        normal losses at full strength, ``(casualty_rate + base_departure) * target``.

    Examples
    --------
    >>> ManpowerParams().intake_per_month
    15.0
    """

    initial: float = 900.0
    target: float = 1000.0
    replacement_rate: float = 0.02
    casualty_rate: float = 0.01
    base_departure: float = 0.005
    feedback: float = 2.0
    intake: float | None = None

    def __post_init__(self) -> None:
        if not self.target > 0:
            raise ValueError(f"target must be > 0; got {self.target!r}")
        for name in ("initial", "replacement_rate", "casualty_rate", "base_departure", "feedback"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0; got {value!r}")
        if self.intake is not None and not self.intake >= 0:
            raise ValueError(f"intake must be >= 0 (or None for 'replace normal losses'); got {self.intake!r}")

    @property
    def intake_per_month(self) -> float:
        """The constant monthly intake actually used."""
        if self.intake is None:
            return round((self.casualty_rate + self.base_departure) * self.target, 12)
        return float(self.intake)


def _flows(params: ManpowerParams, s: Any) -> dict[str, Any]:
    gone = np.clip(1.0 - s / params.target, 0.0, 1.0)
    hazard = params.base_departure * (1.0 + params.feedback * gone)
    inflow = params.intake_per_month + params.replacement_rate * np.maximum(params.target - s, 0.0)
    return {
        "inflow": inflow,
        "casualties": params.casualty_rate * s,
        "departures": hazard * s,
        "hazard": hazard,
        "share_gone": gone,
    }


def net_flow(params: ManpowerParams, stock: Any) -> Any:
    """Net monthly change ``inflow - casualties - departures`` at a given stock (vectorised).

    Plotting it against the stock shows the equilibria (zeros) and their stability (the
    sign on either side), the phase plot of Sterman (2000).

    Examples
    --------
    >>> net_flow(ManpowerParams(), 1000.0)
    0.0
    >>> net_flow(ManpowerParams(), 900.0) > 0     # below target and sub-critical: recovers
    True
    """
    s = np.asarray(stock, dtype=float)
    f = _flows(params, s)
    out = f["inflow"] - f["casualties"] - f["departures"]
    return round(out.item(), 9) if out.ndim == 0 else out


def simulate(params: ManpowerParams, steps: int = 120) -> dict[str, np.ndarray]:
    """Run the model forward ``steps`` months by Euler's method with a one-month step.

    A month is short next to every time constant at sensible rates (all well under 1 per
    month), so Euler's method is accurate enough and exactly reproduces the equilibria
    (Sterman 2000, appendix on numerical integration and choosing ``dt``). The stock is floored at 0.

    Parameters
    ----------
    params : ManpowerParams
    steps : int
        Months to simulate; 120 is ten years.

    Returns
    -------
    dict of numpy.ndarray
        ``month`` and ``stock`` (``steps + 1`` values, month 0 first) and the flows during each
        month: ``inflow``, ``casualties``, ``departures``, ``hazard`` and ``share_gone``
        (``steps`` values each).

    Examples
    --------
    >>> run = simulate(ManpowerParams(initial=1000.0), steps=12)
    >>> float(run["stock"][-1]), len(run["departures"])
    (1000.0, 12)
    """
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps!r}")
    stock = np.empty(steps + 1)
    keys = ("inflow", "casualties", "departures", "hazard", "share_gone")
    flows = {k: np.empty(steps) for k in keys}
    s = float(params.initial)
    stock[0] = s
    target, a, c = params.target, params.replacement_rate, params.casualty_rate
    b, fb, intake = params.base_departure, params.feedback, params.intake_per_month
    for t in range(steps):
        gone = min(max(1.0 - s / target, 0.0), 1.0)
        hazard = b * (1.0 + fb * gone)
        inflow = intake + a * max(target - s, 0.0)
        cas = c * s
        dep = hazard * s
        flows["inflow"][t], flows["casualties"][t], flows["departures"][t] = inflow, cas, dep
        flows["hazard"][t], flows["share_gone"][t] = hazard, gone
        s = max(s + inflow - cas - dep, 0.0)
        stock[t + 1] = s
    return {"month": np.arange(steps + 1), "stock": stock, **flows}


def _roots(params: ManpowerParams) -> list[float]:
    """All equilibria (as shares ``x = S / target``) of the continuous model, ascending."""
    a, b, c, f = params.replacement_rate, params.base_departure, params.casualty_rate, params.feedback
    iota = params.intake_per_month / params.target
    roots: list[float] = []
    # Below target: q(x) = iota + a(1 - x) - c x - b x (1 + f (1 - x))
    #                    = b f x^2 - (a + b + c + b f) x + (iota + a).
    A, B, C = b * f, -(a + b + c + b * f), iota + a
    if abs(A) < _EPS:
        if abs(B) > _EPS:
            roots.append(-C / B)
    else:
        disc = B * B - 4 * A * C
        if disc >= -_EPS:
            sq = math.sqrt(max(disc, 0.0))
            # numerically stable pair of roots
            qq = -0.5 * (B - sq) if B < 0 else -0.5 * (B + sq)
            roots.extend([qq / A, C / qq] if qq != 0 else [])
    below = [x for x in roots if -_EPS <= x <= 1.0 + 1e-9]
    # At or above target: q(x) = iota - (b + c) x.
    above = [iota / (b + c)] if b + c > 0 and iota / (b + c) >= 1.0 - 1e-9 else []
    return sorted({round(max(x, 0.0), 12) for x in below + above})


def equilibrium(params: ManpowerParams) -> float:
    """The stock the model settles at from ``params.initial`` (closed form).

    Below target the net flow is the quadratic ``target * q(x)`` with
    ``q(x) = b f x**2 - (a + b + c + b f) x + (i / target + a)`` in the share ``x = S / target``,
    and above target it is linear, ``i - (b + c) S``; for a one-stock model the stock moves
    monotonically in the direction of the net flow until it meets the nearest root
    (Sterman 2000; Strogatz 2015, *Nonlinear Dynamics and Chaos*, §2.2). Returns ``inf``
    if nothing stops growth (no losses at all).

    Examples
    --------
    >>> equilibrium(ManpowerParams(initial=100.0, intake=0.0, feedback=0.0))  # a / (a + b + c) of target
    571.428571429
    """
    x0 = params.initial / params.target
    q0 = net_flow(params, params.initial) / params.target
    roots = _roots(params)
    if abs(q0) < 1e-12:
        return round(float(params.initial), 9)
    if q0 > 0:
        ahead = [x for x in roots if x > x0]
        x = ahead[0] if ahead else math.inf
    else:
        behind = [x for x in roots if x < x0]
        x = behind[-1] if behind else 0.0
    return round(x * params.target, 9)


def critical_feedback(params: ManpowerParams) -> float:
    """Feedback strength above which depletion-driven departures outrun the balancing loops.

    Linearise the net flow at target: a shortfall ``d`` changes it by
    ``-(a + b + c) d`` through replacements, casualties and baseline departures, and by
    ``+ b f d`` through the feedback on the hazard. The reinforcing loop dominates when
    ``b f > a + b + c``, i.e. above ``f_c = (a + b + c) / b`` — Sterman's (2000)
    "shift in loop dominance". With the default intake this is exact: below ``f_c`` the target
    is stable; above it, the stock moves to ``target * f_c / f`` (a small shortfall grows to
    it; a stock that starts lower climbs to it). Returns ``inf`` when ``base_departure`` is 0 (no hazard to amplify).

    Examples
    --------
    >>> critical_feedback(ManpowerParams(replacement_rate=0.05, casualty_rate=0.01, base_departure=0.01))
    7.0
    """
    a, b, c = params.replacement_rate, params.base_departure, params.casualty_rate
    if b == 0:
        return math.inf
    return round((a + b + c) / b, 12)


def with_feedback(params: ManpowerParams, feedback: float) -> ManpowerParams:
    """A copy of ``params`` with another ``feedback`` (handy for sweeps).

    Examples
    --------
    >>> with_feedback(ManpowerParams(), 9.0).feedback
    9.0
    """
    return replace(params, feedback=float(feedback))
