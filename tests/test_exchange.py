"""nbgrader's exchange round trip on one machine, through nbgrader's own command line.

exercises/nbgrader_config.py puts the exchange in the course directory (`c.Exchange.root`,
exercises/exchange/), which `make exercises` creates with mode 0o777. On a temporary copy of the
course directory, for one assignment and one student:

1. instructor, in the course directory: `nbgrader release_assignment <assignment>`, which copies
   release/<assignment>/ to exchange/meganet/outbound/<assignment>/;
2. student, in their own directory (no nbgrader_config.py there, an empty JUPYTER_CONFIG_DIR):
   `nbgrader fetch_assignment <assignment> --course meganet --Exchange.root=<exchange>` into
   ./<assignment>/; the student edits the notebook, then
   `nbgrader submit <assignment> --course meganet --Exchange.root=<exchange> --student alice`
   (without --student nbgrader takes the login name, or $JUPYTERHUB_USER when that is "jovyan");
3. instructor: `nbgrader collect <assignment>`, which copies the newest submission of each
   student to submitted/<student>/<assignment>/ with the submission's timestamp.txt.

The fetched notebook must hold no solution line and no hidden test; the collected notebook
must be the student's edited one, with a timestamp taken during the test. Each command is a
new Python process (importing nbgrader takes about 3 s of CPU), as a user would run it.
"""
from __future__ import annotations

import datetime
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc  # a declared dependency: a broken install fails here, no skip

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "exercises"
ASSIGNMENT = "02_least_squares_qr"
STUDENT = "alice"
COURSE_ID = "meganet"
SCRIPTS = Path(sys.executable).parent  # nbgrader, and alembic which its gradebook calls
STUDENT_MARK = "alice's answer: the QR factorisation avoids squaring the condition number."


from course_scripts import marked_regions, release_exercises  # noqa: E402


def _nbgrader(*args: str, cwd: Path, env: dict) -> str:
    """Run `nbgrader <args>` in `cwd`; fail with its output when it exits non-zero."""
    start = time.monotonic()
    done = subprocess.run([str(SCRIPTS / "nbgrader"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    said = done.stdout + done.stderr
    print(f"nbgrader {args[0]}: {time.monotonic() - start:.1f} s")
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed in {cwd}:\n{said}"
    return said


def test_release_fetch_submit_collect(tmp_path):
    course = tmp_path / "exercises"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(COURSE / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    # What `make exercises` does: generate the release (and the gradebook), create the exchange.
    release_exercises.ensure_tools_on_path()
    release_exercises.release(course, [ASSIGNMENT])
    exchange = release_exercises.ensure_exchange(course)
    assert exchange == course / "exchange"
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o777

    # Neither side may pick up a user's own Jupyter or nbgrader configuration.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    env.update(PATH=str(SCRIPTS) + os.pathsep + env.get("PATH", ""),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter_config"),
               JUPYTER_DATA_DIR=str(tmp_path / "jupyter_data"))  # submit caches a copy there
    student_flags = ["--course", COURSE_ID, f"--Exchange.root={exchange}"]

    # 1. The instructor releases from the course directory (nbgrader reads nbgrader_config.py there).
    _nbgrader("release_assignment", ASSIGNMENT, cwd=course, env=env)
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    # 2. The student fetches into their own directory, works, and submits.
    home = tmp_path / STUDENT
    home.mkdir()
    _nbgrader("fetch_assignment", ASSIGNMENT, *student_flags, cwd=home, env=env)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.is_file(), sorted(p.name for p in home.iterdir())
    assert not (course / ASSIGNMENT).exists(), "the fetch landed in the course directory"
    source = "\n".join(cell.source for cell in nbformat.read(
        course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4).cells)
    solutions = marked_regions(source, "BEGIN SOLUTION", "END SOLUTION")
    hidden = marked_regions(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert solutions and hidden
    nb = nbformat.read(fetched, as_version=4)
    student_lines = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
    assert not student_lines & set(solutions), "a solution line reached the student"
    assert not student_lines & set(hidden), "a hidden test reached the student"
    assert not any("BEGIN SOLUTION" in line or "HIDDEN TESTS" in line for line in student_lines)
    assert "raise NotImplementedError()" in student_lines

    nb.cells.append(nbformat.v4.new_markdown_cell(STUDENT_MARK))
    nbformat.write(nb, fetched)
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    _nbgrader("submit", ASSIGNMENT, *student_flags, "--student", STUDENT, cwd=home, env=env)
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    inbound = sorted(p.name for p in (exchange / COURSE_ID / "inbound").iterdir())
    assert len(inbound) == 1 and inbound[0].startswith(f"{STUDENT}+{ASSIGNMENT}+"), inbound

    # 3. The instructor collects into submitted/<student>/<assignment>/.
    said = _nbgrader("collect", ASSIGNMENT, cwd=course, env=env)
    submitted = course / "submitted" / STUDENT / ASSIGNMENT
    files = {p.name for p in submitted.iterdir()}
    assert {f"{ASSIGNMENT}.ipynb", "timestamp.txt"} <= files, (files, said)
    collected = nbformat.read(submitted / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert collected.cells[-1].source == STUDENT_MARK
    timestamp = parse_utc((submitted / "timestamp.txt").read_text())
    assert before <= timestamp <= after, (before, timestamp, after)
