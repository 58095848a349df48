"""How long the course.models computations take (budget: 100,000 agents to equilibrium < 50 ms).

Times, each as the median of repeated runs in this process:

- cascade.equilibrium on three crowds of 100,000 (sort once, find the first blocked agent),
  against Granovetter's iteration with a NumPy recount per step on the same crowd, and a
  naive pure-Python loop (recount by hand each step) on 2,000 agents, scaled up by the number
  of agent-steps. The recount is O(n) per step, so it wins when a cascade settles in a handful
  of steps and loses badly when it creeps (the staircase crowd needs n steps); sorting costs
  the same whatever the crowd;
- underreporting.true_count_interval with 20,000 Monte Carlo draws;
- capture_recapture.simulate_lists with 20,000 replicates plus Chapman on each;
- manpower.simulate for ten years (120 monthly steps).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_models.py
"""

import statistics
import time

import numpy as np

from course.models import capture_recapture, cascade, manpower, underreporting

RUNS = 21


def median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def numpy_recount(thresholds: np.ndarray) -> tuple[int, int]:
    """r[t+1] = #{i : t_i <= r[t]} with one vectorised count per step; returns (r, steps)."""
    r, steps = 0, 0
    while True:
        nxt = int(np.count_nonzero(thresholds <= r))
        steps += 1
        if nxt == r:
            return r, steps
        r = nxt


def python_loop(thresholds: list[float]) -> tuple[int, int]:
    """The same iteration as a learner's first loop: count by hand every step."""
    r, steps = 0, 0
    while True:
        nxt = 0
        for t in thresholds:
            if t <= r:
                nxt += 1
        steps += 1
        if nxt == r:
            return r, steps
        r = nxt


def capped_recount_ms(thresholds: np.ndarray, steps: int) -> float:
    """Time ``steps`` recounts of the iteration (for crowds whose full run would take minutes)."""

    def run() -> None:
        r = 0
        for _ in range(steps):
            r = int(np.count_nonzero(thresholds <= r))

    return median_ms(run, runs=3)


def main() -> None:
    rng = np.random.default_rng(20240601)
    n = 100_000
    # Three crowds of 100,000 (thresholds in people): Granovetter's mean 25 % with a wide spread
    # (a quick full cascade), with a spread just past the tipping point (a slower cascade), and
    # his staircase 0, 1, ..., n-1, the worst case for the iteration (one new agent per step).
    crowds = {
        "normal(25%, 16%)": cascade.normal_thresholds(n, 0.25 * n, 0.16 * n, rng=rng),
        "normal(25%, 12.3%)": cascade.normal_thresholds(n, 0.25 * n, 0.123 * n, rng=np.random.default_rng(1)),
        "staircase 0..n-1": rng.permutation(np.arange(n, dtype=float)),
    }
    print(f"cascade.equilibrium, {n:,} agents (budget 50 ms), against Granovetter's iteration with a")
    print("NumPy recount per step on the same crowd (the iteration's cost grows with the number of steps):")
    for name, crowd in crowds.items():
        fast = median_ms(lambda crowd=crowd: cascade.equilibrium(crowd))
        result = cascade.equilibrium(crowd)
        if name.startswith("staircase"):
            steps = n + 1
            recount = capped_recount_ms(crowd, 2_000) * steps / 2_000
            how = "scaled from 2,000 steps"
        else:
            recount_r, steps = numpy_recount(crowd)
            assert recount_r == result, (recount_r, result)
            recount = median_ms(lambda crowd=crowd: numpy_recount(crowd), runs=5)
            how = "measured"
        print(f"  {name:20s} -> {result:7,} acting: {fast:7.2f} ms {'OK' if fast < 50 else 'OVER BUDGET'};"
              f" recount {steps:7,} steps {recount:10.2f} ms ({how}); ratio {recount / fast:8.1f}x")

    crowd = crowds["normal(25%, 16%)"]
    fast = median_ms(lambda: cascade.equilibrium(crowd))
    _, recount_steps = numpy_recount(crowd)
    small_n = 2_000
    small = cascade.normal_thresholds(small_n, 0.25 * small_n, 0.16 * small_n, rng=rng).tolist()
    small_r, small_steps = python_loop(small)
    assert small_r == cascade.equilibrium(small)
    loop_small = median_ms(lambda: python_loop(small), runs=3)
    # cost ~ agents x steps; the big crowd needs recount_steps steps
    loop_scaled = loop_small * (n / small_n) * (recount_steps / small_steps)
    print(f"  pure-Python loop on normal(25%, 16%): {small_n:,} agents, {small_steps} steps, {loop_small:.1f} ms;"
          f" scaled to {n:,} agents x {recount_steps} steps: {loop_scaled:.0f} ms; ratio {loop_scaled / fast:.0f}x")

    cdf_ms = median_ms(lambda: cascade.critical_sd(25, 100))
    print(f"cascade.critical_sd(25, 100):                 {cdf_ms:8.3f} ms")

    interval = median_ms(lambda: underreporting.true_count_interval(1_000, 0.1, 0.4, rng=rng, draws=20_000))
    print(f"underreporting.true_count_interval, 20,000 draws: {interval:8.2f} ms")
    table = median_ms(lambda: underreporting.sensitivity(1_000, [(0.05, 0.1), (0.1, 0.2), (0.2, 0.4), (0.4, 0.8)], rng=rng))
    print(f"underreporting.sensitivity, 4 rows x 20,000 draws: {table:8.2f} ms")

    params = capture_recapture.ListParams(10_000, 0.2, 0.2, dependence=0.3)

    def recapture() -> None:
        lists = capture_recapture.simulate_lists(params, rng=rng, replicates=20_000)
        capture_recapture.chapman(lists.n1, lists.n2, lists.m)

    print(f"capture_recapture, 20,000 replicates + Chapman:   {median_ms(recapture):8.2f} ms")

    mp = manpower.ManpowerParams(feedback=9.0)
    ten_years = median_ms(lambda: manpower.simulate(mp, 120))
    print(f"manpower.simulate, 10 years (120 months):        {ten_years:8.3f} ms")
    print(f"manpower.equilibrium (closed form):              {median_ms(lambda: manpower.equilibrium(mp)):8.3f} ms")


if __name__ == "__main__":
    main()
