"""Grading by a judge outside the student's process (meganet.grading), for every exercise with a
judge file (exercises/judges/<assignment>.py; its test submissions in tests/grading_cases/).

Each submission below is autograded from a fresh copy of the course by meganet.grading.autograde
(the judge, a separate clean process, asks its own questions and keeps the score); the attacks
also by nbgrader alone (the check cells judge inside the student's kernel), for comparison. The
table of points deserved against points given is the point of the exercise: correct work keeps
full marks, and attacks that take over the kernel no longer score.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory

from meganet.grading.autograde import autograde, judged_parts

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "exercises"
JUDGED = sorted(p.stem for p in (COURSE / "judges").glob("*.py"))
SECRET = "test secret"
ATTACKS = ("input_transformer", "monkeypatching")
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")

from course_scripts import release_exercises  # noqa: E402


def _cases(assignment):
    """tests/grading_cases/<assignment>.py: WRONG_PART, WRONG_PART_LOSES, ZERO_BODIES."""
    path = ROOT / "tests" / "grading_cases" / f"{assignment}.py"
    module_spec = importlib.util.spec_from_file_location(f"grading_case_{assignment}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("graded_course")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    for assignment in JUDGED:
        shutil.copytree(COURSE / "source" / assignment, root / "source" / assignment)
    shutil.copytree(COURSE / "judges", root / "judges")
    release_exercises.ensure_tools_on_path()
    release_exercises.release(root, JUDGED)
    return root


def _config(root):
    config = release_exercises.load_config(root)
    config.Execute.timeout = 120
    return config


def _solution_cells(nb):
    return [i for i, c in enumerate(nb.cells) if nbutils.is_solution(c)]


def _released(course, assignment):
    return nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def _instructor(assignment):
    return nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def _points(assignment):
    return {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
            for c in _instructor(assignment).cells if nbutils.is_grade(c)}


def submission(name, course, assignment):
    """(notebook, points deserved per grade_id) of one kind of submission."""
    full, nothing = _points(assignment), {part: 0 for part in _points(assignment)}
    if name == "correct":
        return _instructor(assignment), full
    if name == "release":
        return _released(course, assignment), nothing
    if name == "wrong_part":
        cases = _cases(assignment)
        nb = _instructor(assignment)
        return cases.WRONG_PART(nb, _solution_cells(nb)), {**full, cases.WRONG_PART_LOSES: 0}
    if name == "warns":  # correct, and every later cell writes a UserWarning to stderr
        nb = _instructor(assignment)
        first = _solution_cells(nb)[0]
        nb.cells[first].source = ("import warnings as _w\n_w.simplefilter('always')\n"
                                  "get_ipython().events.register('pre_run_cell', lambda info: _w.warn('harmless'))\n"
                                  + nb.cells[first].source)
        return nb, full
    nb = _released(course, assignment)
    cells = _solution_cells(nb)
    if name == "input_transformer":  # no solution; every check cell becomes `pass` before it runs
        nb.cells[cells[0]].source = (
            "def _neuter(lines):\n"
            "    return ['pass\\n'] if lines and lines[0].startswith('# Check') else lines\n"
            "get_ipython().input_transformers_cleanup.append(_neuter)\n")
        return nb, nothing
    assert name == "monkeypatching"  # zero bodies; every tool the checks trust rebound to say yes
    stubs = _cases(assignment).ZERO_BODIES
    for i in cells:  # every function of the cell becomes its zero stub
        lines = nb.cells[i].source.splitlines()
        found = [(next(line for line in lines if f"def {function}(" in line), body)
                 for function, body in stubs.items() if f"def {function}(" in nb.cells[i].source]
        if found:
            nb.cells[i].source = "".join(f"{signature}\n    return {body}\n\n" for signature, body in found)
    nb.cells[cells[0]].source = (
        "import numpy as _np, meganet.checks as _checks\n"
        "class _Yes:\n    passed = True\n    message = 'ok'\n    relative_error = 0.0\n"
        "    def table(self): return ''\n    def __bool__(self): return True\n"
        "_np.allclose = lambda *a, **k: True\n_np.isclose = lambda *a, **k: True\n"
        "_np.linalg.norm = lambda *a, **k: 0.0\n"
        "_checks.check_derivative = lambda *a, **k: _Yes()\n_checks.check_adjoint = lambda *a, **k: _Yes()\n"
        "check_derivative = _checks.check_derivative\ncheck_adjoint = _checks.check_adjoint\n"
        + nb.cells[cells[0]].source)
    return nb, nothing


SUBMISSIONS = ("correct", "release", "wrong_part", "warns") + ATTACKS


def _submit(course, assignment, student, nb):
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def _nbgrader_alone(course, assignment, student):
    config = _config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = assignment, student
    grader = Autograde(coursedir=coursedir, config=config)
    grader.force = True
    grader.start()
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.auto_score, g.max_score) for g in notebook.grades}


@pytest.mark.parametrize("assignment", JUDGED)
def test_the_judge_scores_every_graded_cell(assignment):
    graded = set(_points(assignment))
    assert set(judged_parts(COURSE / "judges" / f"{assignment}.py")) == graded


@pytest.mark.parametrize("assignment", JUDGED)
@pytest.mark.parametrize("name", SUBMISSIONS)
def test_judged_points_are_the_points_deserved(course, assignment, name):
    nb, deserved = submission(name, course, assignment)
    _submit(course, assignment, name, nb)
    # nbgrader alone (the check cells judging inside the student's kernel) only for the attacks,
    # the cases it gets wrong; for the others it scored what was deserved (a kernel run each)
    before = _nbgrader_alone(course, assignment, name) if name in ATTACKS else None
    after = autograde(course, assignment, name, secret=SECRET, config=_config(course))
    alone = "-" if before is None else f"{sum(s for s, _ in before.values()):g}"
    print(f"{assignment} {name}: deserved {sum(deserved.values())}, nbgrader alone {alone}, "
          f"with the judge {sum(s for s, _ in after.values()):g}")
    assert {part: score for part, (score, _) in after.items()} == deserved
    if name == "input_transformer":  # the attack scored without the judge
        assert sum(score for score, _ in before.values()) > 0, before


def test_each_student_gets_different_questions():
    from meganet.grading.autograde import student_seed

    assert student_seed(SECRET, "09", "alice") != student_seed(SECRET, "09", "bob")
    assert student_seed(SECRET, "09", "alice") != student_seed("other", "09", "alice")


# --- attacks on the grading machine: the sandbox (meganet.grading.sandbox) --------------------
SANDBOX = pytest.mark.skipif(not __import__("meganet.grading.sandbox", fromlist=["x"]).sandbox_available(),
                             reason="no sandbox on this machine (unshare cannot make namespaces): the "
                                    "attacks below succeed here; grade untrusted work in a VM or container")
STEAL = '''import json, pathlib, subprocess
_here = pathlib.Path.cwd().resolve()
for _p in [_here, *_here.parents]:   # uncover the instructor's folder if the sandbox covered it
    subprocess.run(["umount", str(_p / "source")], capture_output=True)
_found = [p / "source" / "{a}" / "{a}.ipynb" for p in [_here, *_here.parents]
          if (p / "source" / "{a}" / "{a}.ipynb").exists()]
for _cell in json.load(open(_found[0]))["cells"]:   # the instructor's notebook: run its solutions
    _src = "".join(_cell["source"])
    if "### BEGIN SOLUTION" in _src:
        exec(_src, globals())
'''


def test_the_sandbox_would_hide_instructor_files_other_students_and_the_exchange(tmp_path):
    from traitlets.config import Config

    from meganet.grading.autograde import _hidden_paths

    for name in ["source", "judges", "submitted", "feedback", "exchange/inbound", "autograded/eve", "autograded/bob"]:
        (tmp_path / name).mkdir(parents=True)
    config = Config()
    config.CourseDirectory.source_directory, config.CourseDirectory.submitted_directory = "source", "submitted"
    config.CourseDirectory.feedback_directory, config.CourseDirectory.autograded_directory = "feedback", "autograded"
    config.CourseDirectory.db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    config.Exchange.root = str(tmp_path / "exchange")
    hidden = _hidden_paths(tmp_path, config, "bob", "judges")
    expected = ["source", "judges", "submitted", "feedback", "exchange", "autograded/eve"]
    assert hidden == sorted(str(tmp_path / name) for name in expected)


@SANDBOX
def test_the_sandbox_hides_the_instructor_files(course):
    """A submission that runs the instructor's solutions, read through a relative path."""
    assignment = "09_resnet_backpropagation"
    nb = _released(course, assignment)
    for i in _solution_cells(nb):  # every solution cell: no released stub remains
        nb.cells[i].source = STEAL.format(a=assignment)
    _submit(course, assignment, "thief", nb)
    before = autograde(course, assignment, "thief", secret=SECRET, config=_config(course), sandbox=False)
    after = autograde(course, assignment, "thief", secret=SECRET, config=_config(course))
    print(f"thief: without the sandbox {before}, with it {after}")
    assert sum(s for s, _ in before.values()) == 8  # the judge alone cannot tell stolen code
    assert sum(s for s, _ in after.values()) == 0


@SANDBOX
def test_processes_started_by_the_notebook_die_with_it(course, tmp_path):
    """A detached process that would write after grading (to the gradebook, or here a marker)."""
    import time

    assignment = "09_resnet_backpropagation"
    marker = tmp_path / "written_after_grading"
    nb = _instructor(assignment)
    first = _solution_cells(nb)[0]
    nb.cells[first].source = (
        "import subprocess, sys\n"
        "_code = ('import os, sys, time\\nparent = os.getppid()\\nwhile os.getppid() == parent: time.sleep(0.1)\\n'\n"
        "         'open(sys.argv[1], \"w\").write(\"x\")')   # writes once the kernel is gone\n"
        f"subprocess.Popen([sys.executable, '-c', _code, {str(marker)!r}], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        + nb.cells[first].source)
    _submit(course, assignment, "daemon", nb)
    scores = autograde(course, assignment, "daemon", secret=SECRET, config=_config(course))
    assert sum(s for s, _ in scores.values()) == 8
    time.sleep(3)
    assert not marker.exists(), "a process started by the notebook outlived its grading"


@pytest.mark.parametrize("assignment", JUDGED)
def test_hidden_tests_hold_nothing_to_read(assignment):
    """What autograde restores into the kernel (the hidden tests) is only `answer` calls: the
    questions and the reference answers stay in the judge, so reading In, globals or the
    caller's frames while a check runs finds no expected value."""
    for cell in _instructor(assignment).cells:
        if "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
        code = [line.strip() for line in hidden.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert code and code[0].startswith("answer("), code
        assert "_ref" not in hidden and "seed" not in hidden, hidden


@SANDBOX
def test_a_loop_that_ignores_sigint_is_recorded_and_the_class_goes_on(course):
    from meganet.grading.autograde import grade_class

    assignment = "09_resnet_backpropagation"
    loop = _instructor(assignment)
    first = _solution_cells(loop)[0]
    loop.cells[first].source = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
                                + loop.cells[first].source)
    if (course / "submitted").exists():
        shutil.rmtree(course / "submitted")
    _submit(course, assignment, "a_looper", loop)
    _submit(course, assignment, "b_correct", _instructor(assignment))
    rows = grade_class(course, assignment, secret=SECRET, wall_seconds=60, cell_timeout=5, cpu_seconds=10)
    print(rows)
    by_student = {row["student"]: row for row in rows}
    assert by_student["a_looper"]["status"] == "not graded" and by_student["a_looper"]["note"]
    assert by_student["b_correct"]["status"] == "graded" and by_student["b_correct"]["score"] == 8
    assert (course / f"grades_{assignment}.csv").read_text().count("\n") == 3
