"""Generate the student release of every exercise with nbgrader (`make exercises`).

    python course/release_exercises.py [--root exercises] [--no-db] [ASSIGNMENT ...]

For each assignment exercises/source/<assignment>/ (default: all of them) this runs nbgrader's
generate_assignment with --force, configured by exercises/nbgrader_config.py: solution
regions become `raise NotImplementedError()` stubs, hidden tests are removed, outputs are
cleared, and the result goes to exercises/release/<assignment>/. The test cells, hidden tests
included, are stored in the gradebook exercises/gradebook.db, from which `nbgrader autograde`
restores them when it grades a submission (--no-db skips the gradebook; autograding then
needs a later run with the database). It also creates nbgrader's course-local exchange
directory (`c.Exchange.root` in nbgrader_config.py, exercises/exchange/) with mode 0o777, so
`nbgrader release_assignment`, `fetch_assignment`, `submit` and `collect` work on this machine.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from nbgrader.converters import GenerateAssignment, NbGraderException
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILE = "nbgrader_config.py"

__all__ = ["load_config", "find_assignments", "release", "ensure_exchange", "ensure_tools_on_path"]


def ensure_tools_on_path() -> None:
    """Put this Python's scripts directory on PATH: nbgrader's gradebook runs `alembic` there."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def load_config(root: Path | str) -> Config:
    """The course's nbgrader configuration, with the course root set to `root`."""
    root = Path(root).resolve()
    if not (root / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"{root / CONFIG_FILE} not found: --root must be the nbgrader "
                                "course directory (the one holding source/)")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def ensure_exchange(root: Path | str) -> Path:
    """Create the exchange directory `c.Exchange.root` of the course at `root`; return its path.

    nbgrader wants the exchange writable by everyone (mode 0o777, like its default
    /usr/local/share/nbgrader/exchange); release_assignment resets any other mode with a warning.
    chmod after mkdir, since mkdir's mode is masked by the umask. An existing exchange keeps its
    contents (released assignments, submissions).
    """
    config = load_config(root)
    if "root" not in config.Exchange:
        raise ValueError(f"{Path(root) / CONFIG_FILE} sets no c.Exchange.root")
    exchange = Path(config.Exchange.root)
    exchange.mkdir(parents=True, exist_ok=True)
    if exchange.stat().st_mode & 0o777 != 0o777:
        exchange.chmod(0o777)
    return exchange


def find_assignments(root: Path | str) -> list[str]:
    """Names of the assignments: directories source/<assignment>/ holding a notebook."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def release(root: Path | str, assignments: list[str] | None = None, *, db: bool = True) -> list[Path]:
    """Run nbgrader generate_assignment --force for each assignment; return the released notebooks."""
    root = Path(root).resolve()
    config = load_config(root)
    ensure_tools_on_path()
    if not db:
        config.GenerateAssignment.no_database = True
        config.SaveCells.enabled = False
    names = find_assignments(root) if assignments is None else list(assignments)
    if not names:
        raise FileNotFoundError(f"no assignments (source/<assignment>/*.ipynb) under {root}")
    released = []
    for name in names:
        if not (root / "source" / name).is_dir():
            raise FileNotFoundError(f"no assignment {name!r} in {root / 'source'}")
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = name
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.force = True
        converter.start()  # raises NbGraderException if a notebook fails
        notebooks = sorted((root / "release" / name).glob("*.ipynb"))
        if not notebooks:
            raise NbGraderException(f"nbgrader released no notebook for {name}")
        released.extend(notebooks)
    return released


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    parser.add_argument("--root", default=str(REPO / "exercises"),
                        help="nbgrader course directory (default: exercises/)")
    parser.add_argument("--no-db", action="store_true", help="do not write the gradebook")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        released = release(args.root, args.assignments or None, db=not args.no_db)
        exchange = ensure_exchange(args.root)
    except (NbGraderException, OSError, ValueError) as error:  # OSError: files, permissions
        print(f"release failed: {error}", file=sys.stderr)
        return 1
    for path in released:
        print(f"released {path.relative_to(Path(args.root).resolve().parent)}")
    print(f"nbgrader exchange: {exchange}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
