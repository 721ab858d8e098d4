"""Every lecture and exercise notebook reads well in JupyterLab and on the site: a title cell first,
no Markdown that renders as a code block by accident (a paragraph indented by four spaces outside a
list or a fenced block), no inline formula that Markdown splits at a line starting like a list item,
and no empty cells."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("lectures/*.ipynb"), *ROOT.glob("exercises/source/*/*.ipynb")])


def accidental_code_blocks(markdown: str) -> list[str]:
    """Lines indented by 4+ spaces that start a paragraph (after a blank line or at the top) and are
    not inside a fenced block or a list: Markdown renders them as code."""
    found, fenced, previous = [], False, ""
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif (not fenced and line.startswith("    ") and line.strip() and not previous.strip()
              and not re.match(r"\s*([-*+]|\d+[.)])\s", line)):
            found.append(line)
        previous = line
    return found


BLOCK_START = re.compile(r"\s*([-+*>]\s|#|\d+[.)]\s)")


def broken_inline_math(markdown: str) -> list[str]:
    """Lines that continue an inline $...$ formula but start like a Markdown block (a list item,
    a quote, a heading): the site's Markdown (nbconvert) splits the formula there and leaves raw TeX,
    though JupyterLab, which sets the mathematics aside first, shows it right."""
    found, inside = [], False
    for line in markdown.split("\n"):
        if inside and BLOCK_START.match(line):
            found.append(line)
        if line.replace("\\$", "").replace("$$", "").count("$") % 2:
            inside = not inside
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_a_title_no_accidental_code_blocks_and_no_empty_cells(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), \
        f"{path.name}: the first cell must be a Markdown title '# NN · ...'"
    for k, cell in enumerate(nb.cells):
        assert cell.source.strip(), f"{path.name}: cell {k} is empty"
        if cell.cell_type == "markdown":
            bad = accidental_code_blocks(cell.source)
            assert not bad, f"{path.name}: cell {k} has paragraphs indented by 4 spaces (rendered as code): {bad[:2]}"
            split = broken_inline_math(cell.source)
            assert not split, f"{path.name}: cell {k} continues a $...$ formula on a line Markdown reads as a block: {split}"


def test_the_lint_catches_an_indented_paragraph():
    assert accidental_code_blocks("# Title\n\n    An indented paragraph.") == ["    An indented paragraph."]
    assert accidental_code_blocks("text\n```\n    code in a fence\n```") == []
    assert accidental_code_blocks("- a list\n    continuation line") == []


def test_the_lint_catches_a_formula_split_by_a_list_marker():
    assert broken_inline_math("the layer $Z = K Y\n+ b$ and more") == ["+ b$ and more"]
    assert broken_inline_math("the layer $Z = K Y +\nb$\n- a list item") == []
    assert broken_inline_math("costs \\$5 and\n- an item with $x$") == []
