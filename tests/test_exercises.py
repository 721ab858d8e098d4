"""The nbgrader exercise pipeline, for every notebook under exercises/source/<assignment>/.

1. each source notebook (solutions and hidden tests) passes nbgrader's Validator;
2. the generated student release fails it (every graded cell fails on the stubs);
3. no solution line, no hidden-test line and no BEGIN/END marker reaches a released file;
4. autograding a submission whose solutions raise (at module level, and NotImplementedError
   from a released stub) finishes and records the failing cells with zero points, while the
   instructor's solutions, graded with the hidden tests restored from the gradebook, get full
   marks. (The release validation in 2 already runs the all-stub notebook with errors allowed.)

The course directory is copied to a temporary directory (the release and the gradebook are
never written into the repository); the copy is shared by the tests of this module, which
`make test` (`--dist loadfile`) keeps on one worker.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
# nbgrader is a declared dependency (the course extra): a broken install fails here, loudly.
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.validator import Validator

from course_scripts import marked_regions, release_exercises  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "exercises"
SOURCES = sorted((COURSE / "source").glob("*/*.ipynb"))
KERNEL_TIMEOUT = 120  # seconds per cell; nbgrader interrupts the kernel and fails the cell after it
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# nbgrader's gradebook triggers SQLAlchemy autoflush warnings while autograding; they are harmless.
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:Warning")


def _id(path: Path) -> str:
    return path.parent.name


def _config(root: Path):
    config = release_exercises.load_config(root)
    config.Execute.timeout = KERNEL_TIMEOUT
    config.Execute.startup_timeout = KERNEL_TIMEOUT
    config.Execute.interrupt_on_timeout = True
    return config


def _validate(root: Path, notebook: Path) -> dict:
    validator = Validator(config=_config(root))
    return validator.validate(str(notebook))


def _text_of(path: Path) -> str:
    """What a released file shows: cell sources and outputs of a notebook, or the raw text."""
    if path.suffix != ".ipynb":
        return path.read_text(errors="replace")
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(str(output))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A temporary copy of the course directory with the student release generated in it."""
    root = tmp_path_factory.mktemp("nbgrader_course")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", root / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    release_exercises.ensure_tools_on_path()
    released = release_exercises.release(root)
    assert {p.name for p in released} == {p.name for p in SOURCES}
    return root


def test_there_are_exercises():
    assert SOURCES, "no notebooks under exercises/source/<assignment>/"
    for path in SOURCES:
        assert path.stem == path.parent.name, f"{path}: name the notebook after its assignment"


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_source_notebook_is_well_formed(source):
    """Stored without outputs, titled, with solutions and graded, locked test cells."""
    nb = nbformat.read(source, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert nb.metadata.kernelspec.name == "python3"
    grade_ids, n_solutions, n_hidden = set(), 0, 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "store notebooks without outputs"
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        assert meta["schema_version"] == 3
        assert meta["grade_id"] not in grade_ids, f"duplicate grade_id {meta['grade_id']}"
        grade_ids.add(meta["grade_id"])
        if meta["solution"]:
            n_solutions += 1
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if meta["grade"]:
            assert cell.cell_type == "code" and meta["locked"] and meta["points"] > 0
            n_hidden += "### BEGIN HIDDEN TESTS" in cell.source
    assert n_solutions > 0 and n_hidden > 0


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_source_notebook_passes_validation(course, source):
    notebook = course / "source" / source.parent.name / source.name
    results = _validate(course, notebook)
    failures = [cell["raw_error"][-1500:] for cell in results.get("failed", [])]
    assert not failures, "\n\n".join(failures)
    assert results == {}, results


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_release_fails_validation_on_every_graded_cell(course, source):
    released = course / "release" / source.parent.name / source.name
    results = _validate(course, released)
    graded = [c for c in nbformat.read(released, as_version=4).cells if nbutils.is_grade(c)]
    assert "changed" not in results and "type_changed" not in results, results
    failed = results.get("failed", [])
    assert len(failed) == len(graded) > 0, [cell["source"][:80] for cell in failed]
    assert all("NotImplementedError" in cell["raw_error"] for cell in failed)


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_release_hides_solutions_and_hidden_tests(course, source):
    nb = nbformat.read(source, as_version=4)
    secret = set()
    for cell in nb.cells:
        secret.update(marked_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION"))
        secret.update(marked_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
    assert secret
    files = [p for p in (course / "release" / source.parent.name).rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = _text_of(path)
        raw = path.read_text(errors="replace")
        leaked = sorted(line for line in secret if line in text)
        assert not leaked, f"{path.name} shows solution or hidden-test lines: {leaked}"
        for marker in MARKERS:
            assert marker not in raw, f"{path.name} still contains '{marker}'"
    assert "raise NotImplementedError()" in _text_of(course / "release" / source.parent.name / source.name)


def _submit(course: Path, source: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / source.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / source.name)


def _autograde(course: Path, assignment: str, student: str) -> None:
    config = _config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    grader = Autograde(coursedir=coursedir, config=config)
    grader.force = True
    grader.start()  # raises NbGraderException if grading itself breaks


def _scores(course: Path, source: Path, student: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (autograded score, max score) of one graded submission."""
    config = _config(course)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(source.stem, source.parent.name, student)
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades}


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_autograde_scores_failing_cells_without_crashing(course, source):
    """Grade two submissions as `nbgrader autograde` does, from the gradebook of the release.

    "broken": the instructor's notebook whose first solution cell raises at module level (its
    functions are never defined) and whose last solution cell is the released stub
    (`raise NotImplementedError()` when called). "correct": the instructor's notebook.
    """
    assignment = source.parent.name
    instructor = nbformat.read(source, as_version=4)
    released = nbformat.read(course / "release" / assignment / source.name, as_version=4)
    broken = nbformat.read(source, as_version=4)
    solution_cells = [i for i, c in enumerate(broken.cells) if nbutils.is_solution(c)]
    first, last = solution_cells[0], solution_cells[-1]
    broken.cells[first].source = 'raise RuntimeError("a student bug")\n' + broken.cells[first].source
    if last != first:
        broken.cells[last].source = released.cells[last].source
        assert "raise NotImplementedError()" in broken.cells[last].source
    for student, nb in {"student_broken": broken, "student_correct": instructor}.items():
        _submit(course, source, student, nb)
        _autograde(course, assignment, student)  # must not raise

    grade_ids = [c.metadata.nbgrader["grade_id"] for c in instructor.cells if nbutils.is_grade(c)]
    broken_scores = _scores(course, source, "student_broken")
    correct = _scores(course, source, "student_correct")
    assert sorted(broken_scores) == sorted(correct) == sorted(grade_ids)
    assert broken_scores[grade_ids[0]][0] == 0 and broken_scores[grade_ids[-1]][0] == 0, broken_scores
    assert all(score == maximum > 0 for score, maximum in correct.values()), correct

    # the graded notebook lists the failing cells: an error output in each cell scored 0
    graded = nbformat.read(course / "autograded" / "student_broken" / assignment / source.name,
                           as_version=4)
    for cell in graded.cells:
        if nbutils.is_grade(cell):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert bool(errors) == (broken_scores[cell.metadata.nbgrader["grade_id"]][0] == 0)
    # the hidden tests ran: autograde restored them from the gradebook
    graded_correct = nbformat.read(course / "autograded" / "student_correct" / assignment / source.name,
                                   as_version=4)
    assert any("BEGIN HIDDEN TESTS" in c.source for c in graded_correct.cells if nbutils.is_grade(c))


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_a_correct_solution_that_warns_keeps_full_marks(course, source):
    """Every later cell, check cells included, emits a UserWarning on stderr: no point is lost."""
    assignment = source.parent.name
    warns = nbformat.read(source, as_version=4)
    first = next(i for i, c in enumerate(warns.cells) if nbutils.is_solution(c))
    warns.cells[first].source = (
        "import warnings as _warnings\n"
        "_warnings.simplefilter('always')\n"
        "get_ipython().events.register('pre_run_cell', lambda info: _warnings.warn('a harmless warning'))\n"
        + warns.cells[first].source)
    _submit(course, source, "student_warns", warns)
    _autograde(course, assignment, "student_warns")
    scores = _scores(course, source, "student_warns")
    # (without c.IgnorePattern in nbgrader_config.py every check cell scores 0 here)
    assert scores and all(score == maximum > 0 for score, maximum in scores.values()), scores
