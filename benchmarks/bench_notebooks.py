"""Time each instructor notebook executed top to bottom in a fresh kernel (budget: 10 s each).

The baseline, measured in the same process, is an empty notebook: kernel start-up and shutdown,
which no lesson can avoid. Run: .venv/bin/python benchmarks/bench_notebooks.py [NN ...]
"""

import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run(nb, folder) -> float:
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


if __name__ == "__main__":
    wanted = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        baseline = run(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), tmp)
        print(f"{'empty notebook (kernel start/stop)':40s} {baseline:6.2f} s  (baseline)")
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
            if wanted and path.name[:2] not in wanted:
                continue
            seconds = run(nbformat.read(path, as_version=4), path.parent)
            flag = "ok" if seconds < 10 else "OVER BUDGET"
            print(f"{path.name:40s} {seconds:6.2f} s  ({seconds / baseline:4.1f}x baseline, budget 10 s: {flag})")
