"""How long module 06's explorers take from a slider change to a finished redraw (budget: 50 ms).

A redraw is everything a learner waits for after moving a slider: the model call, the artists'
new data, drawing them over the saved background, and encoding the PNG the Image widget shows.
Setting a control's value in Python runs exactly that path (the observer is synchronous), so the
time of ``control.value = v`` is the time from change to finished redraw, without the browser's
own paint. Each figure is the median over repeated changes that sweep the slider's range, after
one warm-up change. For comparison, the same change with a full re-render of the figure
(``canvas.draw()``, what a naive explorer would do) is timed too.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_explore_cascades.py
"""

import statistics
import time

import numpy as np

from course.explore import cascade_explorer, manpower_explorer

BUDGET_MS = 50.0
ROUNDS = 3


def median_change_ms(explorer, name, values) -> float:
    control = explorer.controls[name]
    control.value = values[-1]  # warm-up
    times = []
    for _ in range(ROUNDS):
        for v in values:
            start = time.perf_counter()
            control.value = v
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def full_render_ms(explorer, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        explorer.figure.canvas.draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    start = time.perf_counter()
    cascade = cascade_explorer()
    built_cascade = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    manpower = manpower_explorer()
    built_manpower = (time.perf_counter() - start) * 1000
    print(f"build: cascade_explorer {built_cascade:.0f} ms (first build imports matplotlib), "
          f"manpower_explorer {built_manpower:.0f} ms")

    sweeps = [
        (cascade, "cascade_explorer", "sd", [round(x, 1) for x in np.arange(8.0, 18.01, 0.5)]),
        (cascade, "cascade_explorer", "mean", [float(x) for x in np.arange(10.0, 40.01, 2.5)]),
        (cascade, "cascade_explorer", "crowd", list(range(0, 20))),
        (manpower, "manpower_explorer", "feedback", [float(x) for x in np.arange(0.0, 20.01, 1.0)]),
        (manpower, "manpower_explorer", "initial", [float(x) for x in np.arange(500.0, 1000.01, 50.0)]),
    ]
    print(f"median time from a control change to a finished redraw (budget {BUDGET_MS:.0f} ms):")
    worst = {}
    for explorer, label, name, values in sweeps:
        ms = median_change_ms(explorer, name, values)
        worst[label] = max(worst.get(label, 0.0), ms)
        print(f"  {label:18s} {name:9s} {ms:7.2f} ms  {'OK' if ms < BUDGET_MS else 'OVER BUDGET'}")
    for explorer, label in ((cascade, "cascade_explorer"), (manpower, "manpower_explorer")):
        full = full_render_ms(explorer)
        print(f"  {label:18s} a full re-render of the figure alone: {full:7.2f} ms "
              f"({full / worst[label]:.1f}x the slowest blitted redraw, PNG encoding not included)")
    print("verdict:", "every explorer within budget" if max(worst.values()) < BUDGET_MS else "OVER BUDGET")


if __name__ == "__main__":
    main()
