"""The syllabus and the files on disk agree, and the site index is built from them."""
import sys
from pathlib import Path

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
