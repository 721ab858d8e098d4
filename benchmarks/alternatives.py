"""Alternatives to back-propagated SGD: the reproduction tables of lectures 13, 14 and 15.

What it measures
----------------
The three research lectures each end with a reproduction table: the paper's figure, ours with
the spread over seeds, a baseline tuned on validation data with the same budget (passes over
the data and seconds), and a verdict computed from the numbers:
  - lecture 13: alternation between weights and ReLU support (Huang, Kong and Lucey) against SGD
    with momentum, on Peaks (ReLU MLP) and the MNIST sample (small ReLU CNN);
  - lecture 14: the scale-invariant classification stage (Tygert et al.) against softmax
    regression on the same features: error, robustness to flipped labels, learning-rate control;
  - lecture 15: ADMM without gradients (Taylor et al.) against plain SGD and tuned Adam on the
    MNIST sample's odd/even task.
The experiments live in the lectures (they call the library and assert every claim); this
script executes the lecture notebooks headless and prints the output of the cells marked
"# reproduction table", so the tables here and in the lectures are the same computation.
Protocols (splits, seeds, grids, budgets) are stated in each lecture.

Run (from the repository root):
    .venv/bin/python benchmarks/alternatives.py [--full] [--lectures 13 14 15]
--full sets FULL = True in each lecture (larger data, budgets and grids; about 15 minutes in
all on 2 cores) instead of the lecture-size default (about 1.5 minutes).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LECTURES = {"13": "13_support_alternation.ipynb", "14": "14_scale_invariant_classification.ipynb",
            "15": "15_admm_without_gradients.ipynb"}
MARKER = "# reproduction table"


def run_lecture(path: Path, full: bool) -> tuple[list[str], float]:
    """Execute the notebook (FULL set as asked) and return the stdout of its marked cells."""
    nb = nbformat.read(path, as_version=4)
    flags = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(r"^FULL = (True|False)", cell.source, re.M):
            cell.source = re.sub(r"^FULL = (True|False)", f"FULL = {full}", cell.source, flags=re.M)
            flags += 1
    if flags != 1:
        raise RuntimeError(f"{path.name}: expected one line 'FULL = ...', found {flags}")
    start = time.perf_counter()
    NotebookClient(nb, timeout=3600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    tables = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(MARKER):
            text = "".join(out.get("text", "") for out in cell.outputs
                           if out.output_type == "stream" and out.name == "stdout")
            tables.append(text.rstrip())
    if not tables:
        raise RuntimeError(f"{path.name}: no cell starts with {MARKER!r}")
    return tables, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="run each lecture with FULL = True")
    parser.add_argument("--lectures", nargs="+", choices=sorted(LECTURES), default=sorted(LECTURES))
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{datetime.datetime.now():%Y-%m-%d %H:%M}; load average {load:.1f}; "
          f"mode: {'FULL' if args.full else 'lecture size (FULL = False)'}")
    for number in args.lectures:
        path = ROOT / "lectures" / LECTURES[number]
        tables, seconds = run_lecture(path, args.full)
        print(f"\n=== lecture {number}: {path.name} (executed in {seconds:.0f} s, every assert passed)")
        for table in tables:
            print(table)
            print()


if __name__ == "__main__":
    main()
