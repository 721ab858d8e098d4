"""The course's scripts, for the tests that drive them, and what those tests share.

course/release_exercises.py (`make exercises`) is a script, not part of the package: the tests
import it from its folder.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "course") not in sys.path:
    sys.path.insert(0, str(ROOT / "course"))

import release_exercises  # noqa: E402,F401  (re-exported)


def marked_regions(source: str, begin: str, end: str) -> list[str]:
    """The non-blank lines strictly between nbgrader's `### BEGIN ...` and `### END ...` markers
    (begin, end: e.g. "BEGIN SOLUTION", "END SOLUTION")."""
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("###") and begin in stripped:
            inside = True
        elif stripped.startswith("###") and end in stripped:
            inside = False
        elif inside and stripped:
            lines.append(stripped)
    return lines
