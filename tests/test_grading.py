"""Grading by a judge outside the student's process (meganet.grading), on exercise 09.

Each submission below is autograded twice from a fresh copy of the course: by nbgrader alone
(the check cells judge inside the student's kernel) and by meganet.grading.autograde (the judge,
a separate clean process, asks its own questions and keeps the score). The table of points
deserved against points given is the point of the exercise: correct work keeps full marks, and
attacks that take over the kernel no longer score.
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
ASSIGNMENT = "09_resnet_backpropagation"
SOURCE = COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SECRET = "test secret"
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")

spec = importlib.util.spec_from_file_location("release_exercises", ROOT / "course" / "release_exercises.py")
release_exercises = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release_exercises)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("graded_course")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    shutil.copytree(COURSE / "judges", root / "judges")
    release_exercises.ensure_tools_on_path()
    release_exercises.release(root, [ASSIGNMENT])
    return root


def _config(root):
    config = release_exercises.load_config(root)
    config.Execute.timeout = 120
    return config


def _solution_cells(nb):
    return [i for i, c in enumerate(nb.cells) if nbutils.is_solution(c)]


def _released(course):
    return nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _instructor():
    return nbformat.read(SOURCE, as_version=4)


def correct(course):
    return _instructor()


def release(course):
    return _released(course)


def wrong_backprop_Y(course):
    nb = _instructor()
    i = [k for k in _solution_cells(nb) if "def backprop_Y" in nb.cells[k].source][0]
    nb.cells[i].source = nb.cells[i].source.replace("W = W + h * lin.JYT(W)", "W = W + lin.JYT(W)")
    return nb


def warns(course):
    nb = _instructor()
    first = _solution_cells(nb)[0]
    nb.cells[first].source = ("import warnings as _w\n_w.simplefilter('always')\n"
                              "get_ipython().events.register('pre_run_cell', lambda info: _w.warn('harmless'))\n"
                              + nb.cells[first].source)
    return nb


def input_transformer(course):
    """No solution; every check cell becomes `pass` before it runs."""
    nb = _released(course)
    first = _solution_cells(nb)[0]
    nb.cells[first].source = ("def _neuter(lines):\n"
                              "    return ['pass\\n'] if lines and lines[0].startswith('# Check') else lines\n"
                              "get_ipython().input_transformers_cleanup.append(_neuter)\n")
    return nb


def monkeypatching(course):
    """Functions that return zeros, and every tool the checks trust rebound to say yes."""
    nb = _released(course)
    cells = _solution_cells(nb)
    stubs = {"forward_theta": "np.zeros((lins[0].JY(np.zeros((1, 1))).shape[0], 1))",
             "backprop_theta": "np.zeros(lins[0].n_params * len(lins))",
             "backprop_Y": "np.zeros_like(W)"}
    for i in cells:
        name = next(n for n in stubs if f"def {n}(" in nb.cells[i].source)
        signature = nb.cells[i].source.split("\n", 1)[0]
        nb.cells[i].source = f"{signature}\n    return {stubs[name]}\n"
    nb.cells[cells[0]].source = (
        "import numpy as _np, meganet.checks as _checks\n"
        "class _Yes:\n    passed = True\n    message = 'ok'\n    relative_error = 0.0\n"
        "    def table(self): return ''\n"
        "_np.allclose = lambda *a, **k: True\n_np.isclose = lambda *a, **k: True\n"
        "_np.linalg.norm = lambda *a, **k: 0.0\n"
        "_checks.check_derivative = lambda *a, **k: _Yes()\n_checks.check_adjoint = lambda *a, **k: _Yes()\n"
        "check_derivative = _checks.check_derivative\ncheck_adjoint = _checks.check_adjoint\n"
        + nb.cells[cells[0]].source)
    return nb


SUBMISSIONS = {  # name: (make the notebook, points deserved per part)
    "correct": (correct, {"test_forward_theta": 2, "test_backprop_theta": 3, "test_backprop_Y": 3}),
    "release": (release, {"test_forward_theta": 0, "test_backprop_theta": 0, "test_backprop_Y": 0}),
    "wrong_backprop_Y": (wrong_backprop_Y, {"test_forward_theta": 2, "test_backprop_theta": 3, "test_backprop_Y": 0}),
    "warns": (warns, {"test_forward_theta": 2, "test_backprop_theta": 3, "test_backprop_Y": 3}),
    "input_transformer": (input_transformer, {"test_forward_theta": 0, "test_backprop_theta": 0, "test_backprop_Y": 0}),
    "monkeypatching": (monkeypatching, {"test_forward_theta": 0, "test_backprop_theta": 0, "test_backprop_Y": 0}),
}


def _submit(course, student, nb):
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def _nbgrader_alone(course, student):
    config = _config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = ASSIGNMENT, student
    grader = Autograde(coursedir=coursedir, config=config)
    grader.force = True
    grader.start()
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {g.name: (g.auto_score, g.max_score) for g in notebook.grades}


def test_the_judge_scores_every_graded_cell_of_exercise_09():
    graded = {c.metadata.nbgrader["grade_id"] for c in _instructor().cells if nbutils.is_grade(c)}
    assert set(judged_parts(COURSE / "judges" / f"{ASSIGNMENT}.py")) == graded


@pytest.mark.parametrize("name", list(SUBMISSIONS))
def test_judged_points_are_the_points_deserved(course, name):
    make, deserved = SUBMISSIONS[name]
    _submit(course, name, make(course))
    before = _nbgrader_alone(course, name)
    after = autograde(course, ASSIGNMENT, name, secret=SECRET, config=_config(course))
    print(f"{name}: deserved {deserved}; nbgrader alone {({k: v[0] for k, v in before.items()})}; "
          f"with the judge {({k: v[0] for k, v in after.items()})}")
    assert {part: score for part, (score, _) in after.items()} == deserved
    if name in ("input_transformer", "monkeypatching"):  # the attacks scored without the judge
        assert sum(score for score, _ in before.values()) > 0, before


def test_each_student_gets_different_questions():
    from meganet.grading.autograde import student_seed

    assert student_seed(SECRET, ASSIGNMENT, "alice") != student_seed(SECRET, ASSIGNMENT, "bob")
    assert student_seed(SECRET, ASSIGNMENT, "alice") != student_seed("other", ASSIGNMENT, "alice")
