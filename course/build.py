"""Build the executed course: run every lecture headless, write HTML pages and an index.

    python course/build.py --out _build/course [--jobs 2] [--timeout 300]

The index lists the parts of course/syllabus.yml with each lecture's title, learning goals,
link, and how long it took to run; exercises and widgets are listed with their lectures.
A lecture that fails to execute fails the build (exit code 1) after all pages are written.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import time
from pathlib import Path

import nbformat
import yaml
from joblib import Parallel, delayed
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]


def load_syllabus(path: Path = ROOT / "course" / "syllabus.yml") -> dict:
    return yaml.safe_load(path.read_text())


def syllabus_lectures(syllabus: dict) -> list[dict]:
    return [lec for part in syllabus["parts"] for lec in part["lectures"]]


def navigation(lectures: list[dict], k: int) -> str:
    """The bar on top of lecture k's page: the index, the previous and the next lecture."""
    e = html.escape
    links = ["<a href='index.html'>&#8962; course index</a>"]
    if k > 0:
        prev = lectures[k - 1]
        links.append(f"<a href='{prev['file'].replace('.ipynb', '.html')}'>&larr; {e(prev['title'])}</a>")
    if k + 1 < len(lectures):
        nxt = lectures[k + 1]
        links.append(f"<a href='{nxt['file'].replace('.ipynb', '.html')}'>{e(nxt['title'])} &rarr;</a>")
    return ("<nav class='course-nav' style='padding:0.5em 1em;border-bottom:1px solid #ccc;"
            "font-family:sans-serif'>" + " &nbsp;|&nbsp; ".join(links) + "</nav>")


def decorate(body: str, title: str, nav: str) -> str:
    """An exported page with its lecture's title and the navigation bar first in <body>."""
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1, flags=re.S)
    start = re.search(r"<body[^>]*>", body)
    return body if start is None else body[:start.end()] + nav + body[start.end():]


def execute(notebook: Path, out_dir: Path, timeout: int, title: str = "", nav: str = "") -> dict:
    """Execute one notebook in its own folder, export HTML (titled, with navigation); return
    name, seconds, error."""
    nb = nbformat.read(notebook, as_version=4)
    start = time.perf_counter()
    error = None
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    except CellExecutionError as err:
        error = str(err).splitlines()[-1] if str(err) else repr(err)
    seconds = time.perf_counter() - start
    body, _ = HTMLExporter().from_notebook_node(nb)
    body = decorate(body, title or notebook.stem, nav)
    (out_dir / notebook.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return {"file": notebook.name, "seconds": seconds, "error": error}


def index_page(syllabus: dict, runs: dict) -> str:
    e = html.escape
    rows = [f"<h1>{e(syllabus['title'])}</h1>",
            "<p>Executed lectures of the meganet course. Run times are wall-clock seconds of "
            "this build.</p>"]
    for part in syllabus["parts"]:
        rows.append(f"<h2>{e(part['name'])}</h2><table><tr><th>lecture</th><th>learning goals</th>"
                    "<th>exercises / widgets</th><th>run time</th></tr>")
        for lec in part["lectures"]:
            run = runs[lec["file"]]
            page = Path(lec["file"]).with_suffix(".html").name
            status = (f"{run['seconds']:.1f} s" if run["error"] is None
                      else f"<b>FAILED</b> after {run['seconds']:.1f} s: {e(run['error'])}")
            goals = "".join(f"<li>{e(g)}</li>" for g in lec.get("goals", []))
            extras = ", ".join([*lec.get("exercises", []), *lec.get("widgets", [])]) or "\u2013"
            rows.append(f"<tr><td><a href='{page}'>{e(lec['title'])}</a></td><td><ul>{goals}</ul></td>"
                        f"<td>{e(extras)}</td><td>{status}</td></tr>")
        rows.append("</table>")
    total = sum(r["seconds"] for r in runs.values())
    rows.append(f"<p>Total execution time: {total:.1f} s.</p>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:auto}td,th{border-bottom:1px solid #ccc;"
             "padding:.4em;vertical-align:top;text-align:left}table{border-collapse:collapse}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(syllabus['title'])}</title>"
            f"<style>{style}</style></head><body>{''.join(rows)}</body></html>")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="_build/course")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    syllabus = load_syllabus()
    lectures = syllabus_lectures(syllabus)
    notebooks = [ROOT / "lectures" / lec["file"] for lec in lectures]
    missing = [str(nb) for nb in notebooks if not nb.exists()]
    if missing:
        print("syllabus lists missing lectures: " + ", ".join(missing), file=sys.stderr)
        return 1
    results = Parallel(n_jobs=args.jobs)(
        delayed(execute)(nb, out, args.timeout, lec["title"], navigation(lectures, k))
        for k, (nb, lec) in enumerate(zip(notebooks, lectures)))
    runs = {r["file"]: r for r in results}
    (out / "index.html").write_text(index_page(syllabus, runs), encoding="utf-8")
    for r in results:
        print(f"{r['file']:<50} {r['seconds']:6.1f} s  {'ok' if r['error'] is None else 'FAILED: ' + r['error']}")
    print(f"wrote {out / 'index.html'}")
    return int(any(r["error"] for r in results))


if __name__ == "__main__":
    sys.exit(main())
