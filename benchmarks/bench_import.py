"""How long `import course` takes in a fresh interpreter (budget: 0.3 s), against `import json`.

Run: .venv/bin/python benchmarks/bench_import.py
"""

import statistics
import subprocess
import sys
import time


def fresh(statement: str, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    baseline = fresh("import json")
    course = fresh("import course")
    print(f"python -c 'import json'   (baseline): {baseline * 1000:7.1f} ms median")
    print(f"python -c 'import course'           : {course * 1000:7.1f} ms median (budget 300 ms)")
    print(f"ratio course/baseline               : {course / baseline:7.2f}x")
    print(f"import course alone (difference)    : {(course - baseline) * 1000:7.1f} ms")
