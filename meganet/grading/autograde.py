"""Autograde one submission with nbgrader while the judge, in its own process, keeps the score.

nbgrader runs the student's notebook (check cells restored from the gradebook, errors allowed);
the judged check cells call meganet.grading.answer, and the judge started here scores them.
Afterwards the judged cells' scores in the gradebook are replaced by the judge's verdicts: a
part the kernel never answered (an input transformer turned the cell into `pass`, the kernel
died) scores 0, whatever nbgrader saw in the cell. Cells the judge does not know keep
nbgrader's score.
"""
from __future__ import annotations

import hashlib
import json
import os
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .client import JUDGE_VARIABLE

__all__ = ["autograde", "judged_parts", "student_seed"]


def student_seed(secret: str, assignment: str, student: str) -> int:
    """The judge's seed for one student: unknown without the instructor's secret."""
    digest = hashlib.sha256(f"{secret}\0{assignment}\0{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def judged_parts(spec: Path) -> list[str]:
    """The grade_ids an instructor's judge file scores."""
    return sorted(runpy.run_path(str(spec))["questions"](np.random.default_rng(0)))


def _start_judge(spec, address, verdicts, seed):
    env = {"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    judge = subprocess.Popen([sys.executable, "-I", "-m", "meganet.grading.judge", str(spec), str(address),
                              str(verdicts), str(seed)], env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not Path(address).exists():
        if judge.poll() is not None or time.monotonic() > deadline:
            judge.kill()
            raise RuntimeError(f"the judge for {spec} did not start (exit code {judge.returncode})")
        time.sleep(0.05)
    return judge


def autograde(course_root, assignment: str, student: str, *, secret: str, config=None,
              judges: str = "judges") -> dict:
    """Grade submitted/<student>/<assignment>/ with the judge; return grade_id -> (score, max).

    course_root: nbgrader's course directory (with nbgrader_config.py); the judge file is
    <course_root>/<judges>/<assignment>.py (outside source/, so it is never released).
    config: a traitlets Config (default: the course's nbgrader_config.py).
    """
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course_root = Path(course_root).resolve()
    spec = course_root / judges / f"{assignment}.py"
    if config is None:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
        config.CourseDirectory.root = str(course_root)
    parts = judged_parts(spec) if spec.is_file() else []
    verdicts = {}
    with tempfile.TemporaryDirectory(prefix="meganet-judge-") as tmp:
        address, verdict_file = Path(tmp) / "judge.sock", Path(tmp) / "verdicts.json"
        judge = _start_judge(spec, address, verdict_file, student_seed(secret, assignment, student)) \
            if parts else None
        previous = os.environ.get(JUDGE_VARIABLE)
        if judge is not None:
            os.environ[JUDGE_VARIABLE] = str(address)
        try:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id, coursedir.student_id = assignment, student
            grader = Autograde(coursedir=coursedir, config=config)
            grader.force = True
            grader.start()
        finally:
            if previous is None:
                os.environ.pop(JUDGE_VARIABLE, None)
            else:
                os.environ[JUDGE_VARIABLE] = previous
            if judge is not None:
                judge.kill()
                judge.wait()
            if verdict_file.exists():
                verdicts = json.loads(verdict_file.read_text())
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        for grade in notebook.grades:
            if grade.name in parts:
                passed = verdicts.get(grade.name, {}).get("passed", False)
                grade.auto_score = grade.max_score if passed else 0.0
        gb.db.commit()
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades}
