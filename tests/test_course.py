"""The syllabus and the files on disk agree, and the site index is built from them."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "course"))

import build  # noqa: E402


def test_every_lecture_on_disk_is_in_the_syllabus_and_vice_versa():
    listed = {lec["file"] for lec in build.syllabus_lectures(build.load_syllabus())}
    on_disk = {p.name for p in (ROOT / "lectures").glob("[0-9][0-9]_*.ipynb")}
    assert listed == on_disk


def test_every_exercise_on_disk_is_in_the_syllabus_and_vice_versa():
    syllabus = build.load_syllabus()
    listed = {ex["name"] for ex in syllabus["exercises"]}
    referenced = {name for lec in build.syllabus_lectures(syllabus) for name in lec.get("exercises", [])}
    on_disk = {p.name for p in (ROOT / "exercises" / "source").iterdir() if p.is_dir()}
    assert listed == on_disk == referenced


def test_widgets_in_the_syllabus_exist():
    import importlib

    for widget in build.load_syllabus()["widgets"]:
        module, name = widget["function"].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))


def test_lecture_prerequisites_come_earlier():
    lectures = build.syllabus_lectures(build.load_syllabus())
    seen = set()
    for lec in lectures:
        assert set(lec.get("needs", [])) <= seen, f"{lec['file']} needs a later lecture"
        seen.add(lec["file"])


def test_index_page_lists_titles_links_and_times():
    syllabus = build.load_syllabus()
    runs = {lec["file"]: {"seconds": 1.5, "error": None} for lec in build.syllabus_lectures(syllabus)}
    first = build.syllabus_lectures(syllabus)[0]
    runs[first["file"]] = {"seconds": 2.0, "error": "NameError: x"}
    page = build.index_page(syllabus, runs)
    assert "1.5 s" in page and "FAILED" in page and "NameError" in page
    assert first["file"].replace(".ipynb", ".html") in page
    assert "&amp;" not in page  # nothing escaped twice


def test_each_page_has_its_lectures_title_and_links_to_the_index_and_its_neighbours():
    lectures = build.syllabus_lectures(build.load_syllabus())
    first, middle, last = (build.navigation(lectures, k) for k in (0, 1, len(lectures) - 1))
    assert "index.html" in first and "&larr;" not in first
    assert lectures[1]["file"].replace(".ipynb", ".html") in first
    assert lectures[0]["file"].replace(".ipynb", ".html") in middle
    assert lectures[2]["file"].replace(".ipynb", ".html") in middle and "&rarr;" not in last
    page = build.decorate("<html><head><title>Notebook</title></head><body class='x'><p>text</p></body></html>",
                          lectures[1]["title"], middle)
    assert f"<title>{lectures[1]['title']}</title>" in page and "Notebook" not in page
    assert page.index(middle) < page.index("<p>text</p>") and page.count("<body") == 1


def test_index_links_each_lectures_exercise_and_widget_pages():
    syllabus = build.load_syllabus()
    runs = {lec["file"]: {"seconds": 1.0, "error": None} for lec in build.syllabus_lectures(syllabus)}
    exercises = {ex["name"]: f"exercise_{ex['name']}.html" for ex in syllabus["exercises"]}
    widgets = {w["name"]: f"widget_{w['name']}.html" for w in syllabus["widgets"]}
    page = build.index_page(syllabus, runs, exercises, widgets)
    for target in [*exercises.values(), *widgets.values(), "references.html"]:
        assert f"href='{target}'" in page


def test_bibliography_entries_are_complete_and_every_reading_key_exists():
    bibliography = build.load_bibliography()
    for key, entry in bibliography.items():
        assert {"authors", "title", "venue", "year"} <= set(entry), key
    cited = {key for lec in build.syllabus_lectures(build.load_syllabus()) for key in lec.get("reading", [])}
    assert cited <= set(bibliography), cited - set(bibliography)
    assert set(bibliography) <= cited, f"never cited: {set(bibliography) - cited}"
    for lec in build.syllabus_lectures(build.load_syllabus()):
        assert lec.get("reading"), f"{lec['file']} has no further reading"


def test_each_lecture_ends_with_its_further_reading_from_the_bibliography():
    syllabus, bibliography = build.load_syllabus(), build.load_bibliography()
    for lec in build.syllabus_lectures(syllabus):
        last = nbformat.read(ROOT / "lectures" / lec["file"], as_version=4).cells[-1]
        assert last.source == build.further_reading(lec, bibliography), (
            f"{lec['file']}: run `python course/build.py --sync-reading` after editing the bibliography or syllabus")


def test_sync_reading_replaces_an_old_further_reading_section(tmp_path):
    lec = {"file": "x.ipynb", "reading": ["he_2016"]}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x\n\ntext\n\n## Further reading\n\n- old"),
                                         nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(nb, tmp_path / "x.ipynb")
    syllabus = {"parts": [{"lectures": [lec]}]}
    assert build.sync_reading(syllabus, build.load_bibliography(), tmp_path) == ["x.ipynb"]
    cells = nbformat.read(tmp_path / "x.ipynb", as_version=4).cells
    assert cells[0].source == "# x\n\ntext" and "He, X. Zhang" in cells[-1].source and len(cells) == 3
    assert build.sync_reading(syllabus, build.load_bibliography(), tmp_path) == []  # idempotent


def test_pages_load_nothing_from_a_cdn_and_widget_outputs_become_a_note():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t\n\n$x^2$"),
                                         nbformat.v4.new_code_cell("w")])
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={
        build.WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": "VBox()"})]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert build.static_widgets(nb, "<p>open it live</p>") == 1 and "widgets" not in nb.metadata
    body, _ = build.exporter().from_notebook_node(nb)
    assert "open it live" in body and "VBox()" not in body
    assert "require.min.js" not in body and "cdnjs" not in body and "unpkg" not in body and "mermaid" not in body
    assert f'src="{build.MATHJAX_URL}"' in body


def test_every_widget_has_a_voila_notebook_that_calls_it():
    for widget in build.load_syllabus()["widgets"]:
        nb = nbformat.read(ROOT / "course" / "widgets" / f"{widget['name']}.ipynb", as_version=4)
        module, function = widget["function"].rsplit(".", 1)
        assert f"from {module} import {function}" in nb.cells[-1].source
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_a_site_build_spares_make_test_only_the_lectures_it_ran_as_they_are(tmp_path, monkeypatch):
    """CI runs `make course`, then `make test` with MEGANET_SITE: a lecture the build executed
    without error is not run again, unless its source, the meganet package or the Python
    environment changed since (the root conftest.py reads the build's executed.json)."""
    import importlib.util
    import json
    spec = importlib.util.spec_from_file_location("root_conftest", build.ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    lectures = sorted((build.ROOT / "lectures").glob("*.ipynb"))[:2]
    record = build.executed_record(lectures)
    names = set(record["lectures"])
    monkeypatch.setenv("MEGANET_SITE", str(tmp_path))

    def spared(rec):
        (tmp_path / build.EXECUTED).write_text(json.dumps(rec))
        root_conftest.executed_by_site.cache_clear()
        return set(root_conftest.executed_by_site())

    assert spared(record) == names
    changed = dict(record, lectures={**record["lectures"], sorted(names)[0]: "0" * 64})
    assert spared(changed) == names - {sorted(names)[0]}          # a lecture edited since the build
    assert spared(dict(record, meganet="0" * 64)) == set()            # the library changed
    assert spared(dict(record, python="another environment")) == set()
    monkeypatch.delenv("MEGANET_SITE")
    root_conftest.executed_by_site.cache_clear()
    assert root_conftest.executed_by_site() == frozenset()            # plain `make test`: every lecture runs
