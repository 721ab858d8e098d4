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
from .sandbox import sandbox_available

__all__ = ["autograde", "grade_class", "judged_parts", "student_seed", "GradingError"]


class GradingError(RuntimeError):
    """Grading a submission failed (a timeout or a killed kernel): not the same as 0 points."""


def student_seed(secret: str, assignment: str, student: str) -> int:
    """The judge's seed for one student: unknown without the instructor's secret."""
    digest = hashlib.sha256(f"{secret}\0{assignment}\0{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def judged_parts(spec: Path) -> list[str]:
    """The grade_ids an instructor's judge file scores."""
    return sorted(runpy.run_path(str(spec))["questions"](np.random.default_rng(0)))


def _start_judge(spec, address, seed):
    env = {"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    judge = subprocess.Popen([sys.executable, "-I", "-m", "meganet.grading.judge", str(spec), str(address),
                              str(seed)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not Path(address).exists():
        if judge.poll() is not None or time.monotonic() > deadline:
            judge.kill()
            raise RuntimeError(f"the judge for {spec} did not start (exit code {judge.returncode})")
        time.sleep(0.05)
    return judge


def _hidden_paths(course_root: Path, config, student: str, judges: str) -> list[str]:
    """What the student's kernel must not read: instructor files and the other students' work."""
    root = course_root
    paths = [root / config.CourseDirectory.source_directory, root / judges,
             root / config.CourseDirectory.submitted_directory, root / config.CourseDirectory.feedback_directory,
             root / "gradebook.db", root / "nbgrader_config.py"]
    autograded = root / config.CourseDirectory.autograded_directory
    if autograded.is_dir():
        paths += [p for p in autograded.iterdir() if p.name != student]
    db = str(config.CourseDirectory.db_url)
    if db.startswith("sqlite:///"):
        paths.append(Path(db[len("sqlite:///"):]))
    if "root" in config.Exchange:  # nbgrader's exchange: its inbound/ holds every student's submission
        paths.append(Path(config.Exchange.root))
    return sorted({str(p) for p in paths if p.exists()})


def autograde(course_root, assignment: str, student: str, *, secret: str, config=None,
              judges: str = "judges", sandbox: bool = True, cpu_seconds: int = 600,
              memory_bytes: int = 4 * 2**30) -> dict:
    """Grade submitted/<student>/<assignment>/ with the judge; return grade_id -> (score, max).

    course_root: nbgrader's course directory (with nbgrader_config.py); the judge file is
    <course_root>/<judges>/<assignment>.py (outside source/, so it is never released).
    config: a traitlets Config (default: the course's nbgrader_config.py).
    sandbox: run the kernel in meganet.grading.sandbox (instructor files and other students'
    folders hidden, CPU and memory limits, every process killed with the kernel) where the
    machine allows it (`sandbox_available()`).
    Raises GradingError when grading itself failed (the kernel died at a limit, a cell could
    not be interrupted): that is not a score of 0, and `grade_class` records it as such.
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
    if sandbox and sandbox_available():
        config.Execute.kernel_manager_class = "meganet.grading.sandbox.SandboxedKernelManager"
        config.SandboxedKernelManager.hidden_paths = _hidden_paths(course_root, config, student, judges)
        config.SandboxedKernelManager.cpu_seconds = int(cpu_seconds)
        config.SandboxedKernelManager.memory_bytes = int(memory_bytes)
    verdicts = {}
    with tempfile.TemporaryDirectory(prefix="meganet-judge-") as tmp:
        address = Path(tmp) / "judge.sock"
        judge = _start_judge(spec, address, student_seed(secret, assignment, student)) if parts else None
        previous = os.environ.get(JUDGE_VARIABLE)
        if judge is not None:
            os.environ[JUDGE_VARIABLE] = str(address)
        try:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id, coursedir.student_id = assignment, student
            grader = Autograde(coursedir=coursedir, config=config)
            grader.force = True
            try:
                grader.start()
            except BaseException as error:  # nbgrader stops on a kernel it cannot interrupt or revive
                if isinstance(error, KeyboardInterrupt):
                    raise
                raise GradingError(f"{student}: grading {assignment} stopped: {type(error).__name__}: "
                                   f"{error}"[:1000]) from error
        finally:
            if previous is None:
                os.environ.pop(JUDGE_VARIABLE, None)
            else:
                os.environ[JUDGE_VARIABLE] = previous
            if judge is not None:
                judge.kill()
                for line in judge.communicate()[0].splitlines():  # the verdicts, one JSON line each
                    record = json.loads(line)
                    verdicts.setdefault(record["part"], record)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        for grade in notebook.grades:
            if grade.name in parts:
                passed = verdicts.get(grade.name, {}).get("passed", False)
                grade.auto_score = grade.max_score if passed else 0.0
        gb.db.commit()
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades}


def _kill_tree(pid: int) -> None:
    """Kill a process and everything it started (the kernel runs in its own session)."""
    import psutil

    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for process in parent.children(recursive=True) + [parent]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def grade_class(course_root, assignment: str, *, secret: str, report=None, wall_seconds: float = 1800,
                cell_timeout: int | None = None, cpu_seconds: int = 600) -> list[dict]:
    """`autograde` every submitted/<student>/<assignment>/, each in its own process with a
    wall-clock limit; one failure never stops the rest.

    A submission whose grading does not finish within wall_seconds (a cell that ignores the
    interrupt, a kernel nbgrader waits on forever) is killed with everything it started and
    recorded as "not graded" with the reason, not as 0. Returns (and writes as CSV to `report`,
    default <course_root>/grades_<assignment>.csv) one row per student.
    """
    import csv

    course_root = Path(course_root).resolve()
    rows = []
    for folder in sorted((course_root / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        command = [sys.executable, "-m", "meganet.grading.autograde", str(course_root), assignment, student,
                   "--cpu-seconds", str(cpu_seconds)]
        if cell_timeout is not None:
            command += ["--cell-timeout", str(cell_timeout)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "MEGANET_GRADING_SECRET": secret})
        row = {"student": student, "status": "not graded", "score": "", "max_score": "", "note": ""}
        try:
            out, err = process.communicate(timeout=wall_seconds)
            if process.returncode == 0:
                scores = json.loads(out.strip().splitlines()[-1])
                row.update(status="graded", score=sum(s or 0 for s, _ in scores.values()),
                           max_score=sum(m for _, m in scores.values()))
            else:
                row["note"] = (err.strip().splitlines() or ["grading failed"])[-1][:500]
        except subprocess.TimeoutExpired:
            _kill_tree(process.pid)
            process.communicate()
            row["note"] = (f"timeout: grading did not finish within {wall_seconds:g} s (a cell that "
                           "ignores the interrupt?); killed")
        rows.append(row)
    report = Path(report) if report else course_root / f"grades_{assignment}.csv"
    with open(report, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["student", "status", "score", "max_score", "note"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv=None) -> None:
    """python -m meganet.grading.autograde COURSE ASSIGNMENT STUDENT: one submission, scores as
    JSON on the last line of stdout (the secret from MEGANET_GRADING_SECRET)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m meganet.grading.autograde")
    parser.add_argument("course_root")
    parser.add_argument("assignment")
    parser.add_argument("student")
    parser.add_argument("--cpu-seconds", type=int, default=600)
    parser.add_argument("--cell-timeout", type=int, default=None)
    args = parser.parse_args(argv)
    secret = os.environ.get("MEGANET_GRADING_SECRET")
    if not secret:
        sys.exit("set MEGANET_GRADING_SECRET (the instructor's private string)")
    config = None
    if args.cell_timeout is not None:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(Path(args.course_root).resolve())).load_config()
        config.CourseDirectory.root = str(Path(args.course_root).resolve())
        config.Execute.timeout = args.cell_timeout
    scores = autograde(args.course_root, args.assignment, args.student, secret=secret, config=config,
                       cpu_seconds=args.cpu_seconds)
    print(json.dumps(scores))


if __name__ == "__main__":
    main()
