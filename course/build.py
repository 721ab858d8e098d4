"""Build the executed course: run every lecture headless, write HTML pages and an index.

    python course/build.py --out _build/course [--jobs 2] [--timeout 300]
    python course/build.py --sync-reading      # rewrite each lecture's "Further reading" cell

The site reads offline: MathJax is copied beside the pages from the installed
jupyter_server_mathjax, and the pages load nothing from a CDN. It holds
- one page per lecture (titled by the lecture, with a bar linking the index and its neighbours);
  a widget's output is replaced by a note on how to open it live (`make widgets`, `make lab`);
- one page per exercise: the student release (nbgrader) rendered, and the notebook to download;
- one page per widget: its figure in the default state and how to open it live;
- references.html, the bibliography course/bibliography.yml;
- index.html: the parts of course/syllabus.yml with each lecture's title, learning goals, links to
  its exercise and widget, and how long it took to run.
A lecture that fails to execute fails the build (exit code 1) after all pages are written.
executed.json records the lectures that ran without error, with fingerprints of their sources,
of the meganet package and of the Python environment: `make test` with MEGANET_SITE pointing here does
not run those lectures again (tests/conftest.py), so CI executes each lecture once.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import html
import importlib
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from joblib import Parallel, delayed
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "course" / "templates"
MATHJAX_DIR = "_static/mathjax"
# The configuration jupyter_server_mathjax ships (MathJax 2.7, HTML-CSS output); Safe as nbconvert does.
MATHJAX_URL = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_PORT = 8866  # `make widgets`
STYLE = ("body{font-family:sans-serif;max-width:60em;margin:auto;padding:0 1em}td,th{border-bottom:1px solid #ccc;"
         "padding:.4em;vertical-align:top;text-align:left}table{border-collapse:collapse}"
         "code{background:#f4f4f4;padding:0 .2em}")


EXECUTED = "executed.json"  # in the site: the lectures it executed without error, fingerprinted


def fingerprint(*paths: Path) -> str:
    """sha256 over the files (folders: every file below them but __pycache__), names and bytes."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(f for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts) \
            if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def executed_record(notebooks: list[Path]) -> dict:
    """What a run of these lectures proves: each one's fingerprint, the library's and the Python's."""
    return {"python": f"{sys.prefix} {sys.version}", "meganet": fingerprint(ROOT / "meganet"),
            "lectures": {str(nb.relative_to(ROOT)): fingerprint(nb) for nb in notebooks}}


def load_syllabus(path: Path = ROOT / "course" / "syllabus.yml") -> dict:
    return yaml.safe_load(path.read_text())


def load_bibliography(path: Path = ROOT / "course" / "bibliography.yml") -> dict:
    return yaml.safe_load(path.read_text())


def syllabus_lectures(syllabus: dict) -> list[dict]:
    return [lec for part in syllabus["parts"] for lec in part["lectures"]]


def page_name(notebook_file: str) -> str:
    return Path(notebook_file).with_suffix(".html").name


# --- the bibliography -----------------------------------------------------------------------

def reference_markdown(entry: dict) -> str:
    """One reference as Markdown: authors, "title", venue (year), its link, and why to read it."""
    text = f'{entry["authors"]}, "{entry["title"]}", {entry["venue"]} ({entry["year"]}).'
    if "doi" in entry:
        text += f' [doi:{entry["doi"]}](https://doi.org/{entry["doi"]})'
    elif "arxiv" in entry:
        text += f' [arXiv:{entry["arxiv"]}](https://arxiv.org/abs/{entry["arxiv"]})'
    elif "url" in entry:
        text += f' [{entry["url"]}]({entry["url"]})'
    return text + (f' {entry["note"]}' if "note" in entry else "")


def further_reading(lecture: dict, bibliography: dict) -> str:
    """The Markdown of a lecture's last cell: its `reading` keys from the bibliography, in order."""
    missing = [key for key in lecture.get("reading", []) if key not in bibliography]
    if missing:
        raise KeyError(f"{lecture['file']}: not in course/bibliography.yml: {', '.join(missing)}")
    items = "\n".join(f"- {reference_markdown(bibliography[key])}" for key in lecture.get("reading", []))
    return ("## Further reading\n\nFrom the course bibliography (`course/bibliography.yml`; the site lists it all "
            "on its references page).\n\n" + items)


def sync_reading(syllabus: dict, bibliography: dict, lectures_dir: Path = ROOT / "lectures") -> list[str]:
    """Make each lecture's last cell its "Further reading"; return the files that changed.

    A "## Further reading" section elsewhere (a cell of its own, or the tail of a cell) is
    removed first, so the bibliography stays the one place the references are written.
    """
    changed = []
    for lecture in syllabus_lectures(syllabus):
        path = lectures_dir / lecture["file"]
        nb = nbformat.read(path, as_version=4)
        text = further_reading(lecture, bibliography)
        if nb.cells and nb.cells[-1].cell_type == "markdown" and nb.cells[-1].source == text:
            continue
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "## Further reading" in cell.source:
                cell.source = cell.source[:cell.source.index("## Further reading")].rstrip()
                if not cell.source:
                    continue
            cells.append(cell)
        nb.cells = cells + [nbformat.v4.new_markdown_cell(text)]
        nbformat.write(nb, path)
        changed.append(lecture["file"])
    return changed


def references_page(bibliography: dict, syllabus: dict) -> str:
    """references.html: every entry, with an anchor and the lectures that cite it."""
    lectures = syllabus_lectures(syllabus)
    rows = []
    for key in sorted(bibliography):
        cited = [f"<a href='{page_name(lec['file'])}'>{html.escape(lec['title'])}</a>"
                 for lec in lectures if key in lec.get("reading", [])]
        body = markdown2html_mistune(reference_markdown(bibliography[key]))
        rows.append(f"<li id='{key}'>{body}<small>Further reading of: {', '.join(cited)}</small></li>")
    return standalone_page("References", "<h1>References</h1><p>The course bibliography, "
                           "<code>course/bibliography.yml</code>.</p><ul>" + "".join(rows) + "</ul>")


# --- pages -----------------------------------------------------------------------------------

def standalone_page(title: str, body: str, nav: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{nav}{body}</body></html>")


def navigation(lectures: list[dict], k: int) -> str:
    """The bar on top of lecture k's page: the index, the previous and the next lecture."""
    e = html.escape
    links = ["<a href='index.html'>&#8962; course index</a>"]
    if k > 0:
        prev = lectures[k - 1]
        links.append(f"<a href='{page_name(prev['file'])}'>&larr; {e(prev['title'])}</a>")
    if k + 1 < len(lectures):
        nxt = lectures[k + 1]
        links.append(f"<a href='{page_name(nxt['file'])}'>{e(nxt['title'])} &rarr;</a>")
    return nav_bar(links)


def nav_bar(links: list[str]) -> str:
    return ("<nav class='course-nav' style='padding:0.5em 1em;border-bottom:1px solid #ccc;"
            "font-family:sans-serif'>" + " &nbsp;|&nbsp; ".join(links) + "</nav>")


def decorate(body: str, title: str, nav: str) -> str:
    """An exported page with its lecture's title and the navigation bar first in <body>."""
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1, flags=re.S)
    start = re.search(r"<body[^>]*>", body)
    return body if start is None else body[:start.end()] + nav + body[start.end():]


def exporter(mathjax_prefix: str = "") -> HTMLExporter:
    """nbconvert's lab template without CDN scripts, MathJax from the site's own copy."""
    return HTMLExporter(template_name="meganet_site", extra_template_basedirs=[str(TEMPLATES)],
                        mathjax_url=mathjax_prefix + MATHJAX_URL)


def copy_mathjax(out: Path) -> Path:
    """Copy the MathJax that jupyter_server_mathjax installs to out/_static/mathjax (once)."""
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = out / MATHJAX_DIR
    if not (target / "MathJax.js").exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def widget_note(lecture: dict) -> str:
    names = ", ".join(lecture.get("widgets", [])) or "the widget"
    return (f"<p><b>Live widget.</b> On this static page it does not run. Run <code>make widgets</code> and open "
            f"<code>{html.escape(names)}</code> (Voila, http://localhost:{WIDGET_PORT}/), or open this lecture in "
            f"JupyterLab (<code>make lab</code>) and run the cell.</p>")


def static_widgets(nb, note: str) -> int:
    """Replace every widget output (which needs a kernel) by `note` and drop the stored widget
    state (with it the page would load a widget manager from a CDN); return how many."""
    nb.metadata.pop("widgets", None)
    replaced = 0
    for cell in nb.cells:
        for k, output in enumerate(cell.get("outputs", [])):
            if WIDGET_MIME in output.get("data", {}):
                cell.outputs[k] = nbformat.v4.new_output("display_data", data={"text/html": note})
                replaced += 1
    return replaced


def execute(notebook: Path, out_dir: Path, timeout: int, title: str = "", nav: str = "", note: str = "") -> dict:
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
    static_widgets(nb, note or widget_note({}))
    body, _ = exporter().from_notebook_node(nb)
    body = decorate(body, title or notebook.stem, nav)
    (out_dir / notebook.with_suffix(".html").name).write_text(body, encoding="utf-8")
    return {"file": notebook.name, "seconds": seconds, "error": error}


def lecture_of(syllabus: dict, kind: str, name: str) -> dict | None:
    """The lecture that lists exercise or widget `name` (kind 'exercises' or 'widgets')."""
    return next((lec for lec in syllabus_lectures(syllabus) if name in lec.get(kind, [])), None)


def back_links(syllabus: dict, kind: str, name: str) -> str:
    links = ["<a href='index.html'>&#8962; course index</a>"]
    lecture = lecture_of(syllabus, kind, name)
    if lecture is not None:
        links.append(f"<a href='{page_name(lecture['file'])}'>lecture: {html.escape(lecture['title'])}</a>")
    return nav_bar(links)


def exercise_pages(syllabus: dict, out: Path) -> dict[str, str]:
    """Release every exercise (nbgrader, into a scratch copy), render it, offer the notebook;
    return exercise name -> page."""
    sys.path.insert(0, str(ROOT / "course"))
    import release_exercises

    pages = {}
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch) / "exercises"
        shutil.copytree(ROOT / "exercises", course, ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "exchange", "*.db", "__pycache__"))
        names = [ex["name"] for ex in syllabus["exercises"]]
        released = release_exercises.release(course, names, db=False)
        for ex in syllabus["exercises"]:
            notebooks = [p for p in released if p.parent.name == ex["name"]]
            (out / "exercises" / ex["name"]).mkdir(parents=True, exist_ok=True)
            parts = []
            for path in notebooks:
                shutil.copy(path, out / "exercises" / ex["name"] / path.name)
                body, _ = exporter().from_notebook_node(nbformat.read(path, as_version=4))
                parts.append(body)
            download = " ".join(f"<a href='exercises/{ex['name']}/{p.name}' download>{p.name}</a>" for p in notebooks)
            how = (f"<div style='padding:.5em 1em;font-family:sans-serif;background:#f4f8ff'><b>Exercise: "
                   f"{html.escape(ex['title'])}.</b> Download {download}, or work on it in JupyterLab: "
                   f"<code>make lab</code>, then <code>exercises/release/{ex['name']}/</code>. nbgrader's "
                   "<i>Validate</i> button runs the visible checks; the grade comes from hidden cases.</div>")
            page = f"exercise_{ex['name']}.html"
            # one released notebook per exercise today; more would follow one another on the page
            body = decorate(parts[0], f"Exercise: {ex['title']}", back_links(syllabus, "exercises", ex["name"]) + how)
            for extra in parts[1:]:
                body = body.replace("</body>", extra[extra.index("<body"):].split(">", 1)[1].replace("</html>", ""), 1)
            (out / page).write_text(body, encoding="utf-8")
            pages[ex["name"]] = page
    return pages


def widget_pages(syllabus: dict, out: Path) -> dict[str, str]:
    """A page per widget: its figure in the default state, computed now, and how to open it live."""
    (out / "widgets").mkdir(exist_ok=True)
    pages = {}
    for widget in syllabus["widgets"]:
        module, function = widget["function"].rsplit(".", 1)
        demo = getattr(importlib.import_module(module), function)()
        png = f"widgets/{widget['name']}.png"
        (out / png).write_bytes(demo.png)
        goals = "".join(f"<li>{html.escape(g)}</li>" for g in widget.get("goals", []))
        body = (f"<h1>{html.escape(widget['title'])}</h1><ul>{goals}</ul>"
                f"<p><img src='{png}' alt='{html.escape(widget['title'])} in its default state' "
                "style='max-width:100%'></p>"
                "<p>This is the widget's figure in its default state. To move its controls, run it live:</p><ul>"
                f"<li><code>make widgets</code>, then open http://localhost:{WIDGET_PORT}/voila/render/"
                f"{widget['name']}.ipynb (Voila: the widget alone, no code);</li>"
                f"<li>or <code>make lab</code> and open <code>course/widgets/{widget['name']}.ipynb</code>, or its "
                "lecture's <i>Explore</i> cell.</li></ul>"
                f"<p>In Python: <code>from {module} import {function}; {function}()</code></p>")
        page = f"widget_{widget['name']}.html"
        (out / page).write_text(standalone_page(widget["title"], body, back_links(syllabus, "widgets", widget["name"])),
                                encoding="utf-8")
        pages[widget["name"]] = page
    return pages


def index_page(syllabus: dict, runs: dict, exercises: dict | None = None, widgets: dict | None = None) -> str:
    """The index: per part, each lecture with its goals, exercise and widget links, and run time."""
    e = html.escape
    exercises, widgets = exercises or {}, widgets or {}
    titles = {**{ex["name"]: ex["title"] for ex in syllabus.get("exercises", [])},
              **{w["name"]: w["title"] for w in syllabus.get("widgets", [])}}
    rows = [f"<h1>{e(syllabus['title'])}</h1>",
            "<p>Executed lectures of the meganet course, with their exercises and widgets. Run times are "
            "wall-clock seconds of this build. <a href='references.html'>References</a>.</p>"]
    for part in syllabus["parts"]:
        rows.append(f"<h2>{e(part['name'])}</h2><table><tr><th>lecture</th><th>learning goals</th>"
                    "<th>exercises / widgets</th><th>run time</th></tr>")
        for lec in part["lectures"]:
            run = runs[lec["file"]]
            status = (f"{run['seconds']:.1f} s" if run["error"] is None
                      else f"<b>FAILED</b> after {run['seconds']:.1f} s: {e(run['error'])}")
            goals = "".join(f"<li>{e(g)}</li>" for g in lec.get("goals", []))
            extras = [f"<a href='{exercises[n]}'>exercise: {e(titles.get(n, n))}</a>" if n in exercises
                      else f"exercise: {e(n)}" for n in lec.get("exercises", [])]
            extras += [f"<a href='{widgets[n]}'>widget: {e(titles.get(n, n))}</a>" if n in widgets
                       else f"widget: {e(n)}" for n in lec.get("widgets", [])]
            rows.append(f"<tr><td><a href='{page_name(lec['file'])}'>{e(lec['title'])}</a></td><td><ul>{goals}</ul>"
                        f"</td><td>{'<br>'.join(extras) or '&ndash;'}</td><td>{status}</td></tr>")
        rows.append("</table>")
    total = sum(r["seconds"] for r in runs.values())
    rows.append(f"<p>Total execution time: {total:.1f} s.</p>")
    return standalone_page(syllabus["title"], "".join(rows))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="_build/course")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("--sync-reading", action="store_true",
                        help="rewrite each lecture's last cell from course/bibliography.yml, and stop")
    args = parser.parse_args(argv)
    syllabus, bibliography = load_syllabus(), load_bibliography()
    if args.sync_reading:
        for name in sync_reading(syllabus, bibliography):
            print(f"wrote the Further reading of lectures/{name}")
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lectures = syllabus_lectures(syllabus)
    notebooks = [ROOT / "lectures" / lec["file"] for lec in lectures]
    missing = [str(nb) for nb in notebooks if not nb.exists()]
    if missing:
        print("syllabus lists missing lectures: " + ", ".join(missing), file=sys.stderr)
        return 1
    copy_mathjax(out)
    results = Parallel(n_jobs=args.jobs)(
        delayed(execute)(nb, out, args.timeout, lec["title"], navigation(lectures, k), widget_note(lec))
        for k, (nb, lec) in enumerate(zip(notebooks, lectures)))
    runs = {r["file"]: r for r in results}
    exercises, widgets = exercise_pages(syllabus, out), widget_pages(syllabus, out)
    (out / "references.html").write_text(references_page(bibliography, syllabus), encoding="utf-8")
    (out / "index.html").write_text(index_page(syllabus, runs, exercises, widgets), encoding="utf-8")
    executed = [nb for nb in notebooks if runs[nb.name]["error"] is None]
    (out / EXECUTED).write_text(json.dumps(executed_record(executed), indent=1), encoding="utf-8")
    for r in results:
        print(f"{r['file']:<50} {r['seconds']:6.1f} s  {'ok' if r['error'] is None else 'FAILED: ' + r['error']}")
    print(f"wrote {out / 'index.html'}: {len(results)} lectures, {len(exercises)} exercises, {len(widgets)} widgets")
    return int(any(r["error"] for r in results))


if __name__ == "__main__":
    sys.exit(main())
