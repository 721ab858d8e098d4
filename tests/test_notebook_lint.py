"""Every lecture and exercise notebook reads well in JupyterLab: a title cell first, no Markdown
that renders as a code block by accident (a paragraph indented by four spaces outside a list or
a fenced block), and no empty cells."""
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


def test_the_lint_catches_an_indented_paragraph():
    assert accidental_code_blocks("# Title\n\n    An indented paragraph.") == ["    An indented paragraph."]
    assert accidental_code_blocks("text\n```\n    code in a fence\n```") == []
    assert accidental_code_blocks("- a list\n    continuation line") == []
