"""The course site and the widget pages, read in a real browser (headless Chromium, Playwright).

The site is the one `make course` builds: MEGANET_SITE names a built site (`.ci/run` builds it
with `make course` and passes it here), else the test builds one in a temporary folder (every
lecture executed: a few minutes). The browser may reach only 127.0.0.1: any other request is
refused and recorded, so a page that needs a CDN fails.

For the site: every link of the index lands; on every lecture and exercise page the mathematics is
typeset (MathJax ran, no `$` left in the rendered Markdown), every figure has loaded, and no
traceback appears. For each widget, served by Voila as `make widgets` serves it: the page shows
its figure, and changing a control through the page (a select box; for the race, a method and Run)
changes the figure within 5 s. Voila's own template links Font Awesome from a CDN: that request
alone is allowed to fail on a widget page (no widget uses an icon).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from browser import browser, free_port, python_tool, serve  # noqa: F401 (browser is a fixture)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "course"))

import build  # noqa: E402

SYLLABUS = build.load_syllabus()
LECTURE_PAGES = [build.page_name(lec["file"]) for lec in build.syllabus_lectures(SYLLABUS)]
EXERCISE_PAGES = [f"exercise_{ex['name']}.html" for ex in SYLLABUS["exercises"]]
# widget -> how to change it through the page: (label of a select box, option) or ("Run", method)
WIDGET_MOVES = {"tikhonov_explorer": ("L", "gradient"), "stencil_explorer": ("preset", "sharpen"),
                "resnet_flow": ("kernel", "antisymmetric"), "training_race": ("Run", "SGD")}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    given = os.environ.get("MEGANET_SITE")
    if given:
        site = Path(given)
        assert (site / "index.html").exists(), f"MEGANET_SITE={given} holds no index.html: run make course"
        return site
    site = tmp_path_factory.mktemp("site")
    assert build.main(["--out", str(site), "--jobs", "2"]) == 0, "the course build failed"
    return site


@pytest.fixture(scope="module")
def site_url(site, tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path_factory.mktemp("http") / "server.log"
    with serve([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
               url, log=log):
        yield url


def local_only(page) -> list[str]:
    """Refuse every request that leaves 127.0.0.1; return the list the refused URLs go to."""
    refused = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return refused


def test_every_index_link_lands(browser, site_url):
    page = browser.new_page()
    refused = local_only(page)
    page.goto(site_url + "index.html")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert set(LECTURE_PAGES + EXERCISE_PAGES) <= set(hrefs)
    assert {f"widget_{w['name']}.html" for w in SYLLABUS["widgets"]} | {"references.html"} <= set(hrefs)
    for href in hrefs:
        response = page.request.get(site_url + href)
        assert response.status == 200, f"index link {href} answers {response.status}"
    # and from every exercise page, its downloadable notebook
    for name in EXERCISE_PAGES:
        page.goto(site_url + name)
        for href in page.eval_on_selector_all("a[download]", "links => links.map(a => a.getAttribute('href'))"):
            assert page.request.get(site_url + href).status == 200, href
    assert not refused, f"requests off this machine: {refused}"
    page.close()


def read_page(page, url: str) -> dict:
    """Load a page, wait for MathJax to finish, and report what a reader would see."""
    page.goto(url)
    page.wait_for_function("() => window.MathJax && MathJax.Hub", timeout=20_000)
    page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
    return page.evaluate("""() => ({
        markdown: Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(e => e.innerText).join('\\n'),
        typeset: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_Preview + script').length,
        images: Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(i => [i.complete, i.naturalWidth]),
        text: document.body.innerText,
        title: document.title,
    })""")


@pytest.mark.parametrize("name", LECTURE_PAGES + EXERCISE_PAGES)
def test_page_reads_offline_with_typeset_mathematics_figures_and_no_traceback(browser, site_url, name):
    page = browser.new_page()
    refused = local_only(page)
    seen = read_page(page, site_url + name)
    assert not refused, f"{name} asked for {refused}"
    assert seen["typeset"] > 0, f"{name}: MathJax typeset nothing"
    dollars = [line for line in seen["markdown"].splitlines() if "$" in line]
    assert not dollars, f"{name}: raw TeX left after typesetting: {dollars[:3]}"
    assert all(complete and width > 0 for complete, width in seen["images"]), f"{name}: a figure did not load"
    if name in LECTURE_PAGES:
        assert seen["images"], f"{name}: no figure"
        assert "Further reading" in seen["text"] and seen["title"] != "Notebook"
    assert "Traceback (most recent call last)" not in seen["text"], f"{name} shows a traceback"
    page.close()


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    # the arguments of `make widgets`, on a free port
    with serve([python_tool("voila"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                str(ROOT / "course" / "widgets")], url, log=log, timeout=90):
        yield url


@pytest.mark.parametrize("name", list(WIDGET_MOVES))
def test_widget_figure_follows_a_control_moved_in_the_page(browser, voila_url, name):
    assert {w["name"] for w in SYLLABUS["widgets"]} == set(WIDGET_MOVES)
    page = browser.new_page()
    refused = local_only(page)
    figure = page.locator(".jupyter-widgets img").first
    for attempt in (1, 2, 3):
        page.goto(f"{voila_url}voila/render/{name}.ipynb", wait_until="commit")
        try:
            figure.wait_for(timeout=30_000)  # the kernel starts and computes the first result
            break
        except Exception:
            # Now and then Voila 0.5 stays at "Executing 1 of 2": it started the page's kernel but
            # never ran the cell (voila-dashboards/voila#1395); a reader reloads, and so do we.
            if attempt == 3:
                raise
            print(f"{name}: still no figure 30 s after loading the page (Voila stuck executing); reloading")
    before = figure.get_attribute("src")
    control, choice = WIDGET_MOVES[name]
    if control == "Run":
        page.locator(".widget-select-multiple select").select_option(label=choice)
        page.get_by_role("button", name="Run").click()
    else:
        page.locator(".widget-dropdown").filter(has_text=control).locator("select").select_option(choice)
    start = time.monotonic()
    try:
        page.wait_for_function("before => { const img = document.querySelector('.jupyter-widgets img');"
                               " return img && img.src !== before; }", arg=before, timeout=5_000)
    except Exception:
        page.screenshot(path=str(ROOT / "_build" / f"widget_{name}_failed.png"))
        raise
    print(f"{name}: figure changed {time.monotonic() - start:.2f} s after the control moved")
    assert "Traceback" not in page.inner_text("body")
    # Voila's page template links Font Awesome's CSS from a CDN; refused, it costs only icons,
    # which no widget of the course uses. Anything else from off the machine fails the test.
    assert all("fontawesome" in url for url in refused), f"{name} asked for {refused}"
    page.close()
