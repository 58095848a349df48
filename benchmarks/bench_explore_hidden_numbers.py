"""How long a module 05 explorer takes from a control change to a finished redraw (budget 50 ms).

For each explorer and each of its controls, the control's value is set back and forth the way a
learner drags a slider; setting the value runs the whole chain synchronously (observer, model call,
artist updates, Agg render, PNG encode, widget update), so the wall time around the assignment is
the time to a finished redraw. Each figure is the median of repeated changes in this process;
CPU time is printed beside wall time because a shared machine inflates wall time.
Also shown: building each explorer (first draw, imports already warm) and, for the undercount
explorer, the cost of moving the count into a decade not shown before (axes and labels drawn in
full, once per decade; later visits reuse them), against which the blitted redraw is compared.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_explore_hidden_numbers.py
"""

import statistics
import time

from course.explore import recapture_explorer, undercount_explorer

RUNS = 21
BUDGET_MS = 50.0


def median_ms(fn, runs: int = RUNS, clock=time.perf_counter) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times) * 1000


def control_change_ms(control, values) -> tuple[float, float]:
    """Median wall and CPU time for ``control.value = v`` over ``values``, cycled RUNS times."""
    state = {"i": 0}

    def change() -> None:
        control.value = values[state["i"] % len(values)]
        state["i"] += 1

    return median_ms(change), median_ms(change, clock=time.process_time)


def first_visit_ms(runs: int = 5) -> float:
    """Median time to move a fresh undercount explorer's count into a decade it has not drawn."""
    times = []
    for _ in range(runs):
        fresh = undercount_explorer(10_308, (0.05, 0.32))
        start = time.perf_counter()
        fresh.observed.value = 2_000  # 10,308 is drawn on the ten-thousands axis; 2,000 needs the thousands axis
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def report(name: str, times: tuple[float, float]) -> bool:
    wall, cpu = times
    ok = wall < BUDGET_MS
    print(f"  {name:44s} {wall:7.2f} ms wall ({cpu:6.2f} ms CPU)  {'OK' if ok else 'OVER BUDGET'}")
    return ok


def main() -> None:
    undercount_explorer(1_000)  # import matplotlib, ipywidgets and fonts once, outside the timings
    recapture_explorer()
    ok = True

    print(f"undercount_explorer: change -> finished redraw (budget {BUDGET_MS:.0f} ms)")
    build = median_ms(lambda: undercount_explorer(10_308, (0.05, 0.32)), runs=5)
    print(f"  {'build (first, full draw)':44s} {build:7.2f} ms")
    ex = undercount_explorer(10_308, (0.05, 0.32))
    ok &= report("p range slider", control_change_ms(ex.p_range, [(0.05, 0.32), (0.1, 0.3), (0.2, 0.5), (0.05, 0.9)]))
    ok &= report("observed count slider (within a decade)", control_change_ms(ex.observed, [10_308, 12_000, 25_000, 30_000]))
    ok &= report("observed count slider (across decades)", control_change_ms(ex.observed, [5_000, 50_000, 500]))
    print(f"  {'first visit to a decade (full draw)':44s} {first_visit_ms():7.2f} ms  (once per decade per explorer)")

    print(f"recapture_explorer: change -> finished redraw (budget {BUDGET_MS:.0f} ms)")
    build = median_ms(lambda: recapture_explorer(), runs=5)
    print(f"  {'build (first, full draw)':44s} {build:7.2f} ms")
    rx = recapture_explorer()
    ok &= report("dependence slider", control_change_ms(rx.dependence, [0.0, 0.3, 0.6, -0.3]))
    ok &= report("list 1 slider", control_change_ms(rx.p1, [0.1, 0.2, 0.3, 0.5]))
    ok &= report("list 2 slider", control_change_ms(rx.p2, [0.1, 0.2, 0.3, 0.5]))
    ok &= report("population slider", control_change_ms(rx.population, [500, 2_000, 8_000, 20_000]))
    print("all within budget" if ok else "SOME OVER BUDGET")


if __name__ == "__main__":
    main()
