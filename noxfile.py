"""The dependency matrix: do the ranges pyproject.toml declares hold at both ends?

    nox                      # both sessions; a missing interpreter is skipped and said so
    nox -s floors            # the oldest supported Python, every dependency at its floor
    nox -s newest            # the newest supported Python, the newest versions allowed

`floors` pins every dependency of pyproject.toml (core and every extra, and the build backend)
to the lower bound of its range (`name==floor`, written from pyproject.toml into a constraints
file, never typed twice) and installs `.[test]` with it; `newest` installs `.[test]` as pip
resolves it today. Both run the same subset of tests/ (see `UNIT_TESTS`); `make test` runs all of
tests/, the notebooks and the browser tests on the main interpreter.

The supported Pythons are pyproject's `requires-python` floor and its `Programming Language ::
Python :: 3.X` classifiers. Interpreters are looked for on PATH and in pyenv's versions
directory (a pyenv shim for a version that is not active does not count).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

nox.options.sessions = ["floors", "newest"]
nox.options.error_on_missing_interpreters = False  # nox's default on CI is to fail: we skip
if hasattr(nox.options, "download_python"):
    nox.options.download_python = "never"  # no interpreter downloads here: use what is installed


def supported_pythons() -> list[str]:
    """The classifiers' 3.X versions, checked against requires-python's floor."""
    prefix = "Programming Language :: Python :: "
    versions = sorted((c[len(prefix):] for c in PYPROJECT["project"]["classifiers"]
                       if re.fullmatch(r"3\.\d+", c[len(prefix):] if c.startswith(prefix) else "")),
                      key=lambda v: tuple(map(int, v.split("."))))
    floor = re.fullmatch(r">=\s*(3\.\d+)", PYPROJECT["project"]["requires-python"]).group(1)
    assert versions and versions[0] == floor, \
        f"requires-python says >={floor}, the classifiers start at {versions[:1]}"
    return versions


PYTHONS = supported_pythons()
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]


def _works(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "import venv"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python(version: str) -> str | None:
    """A working pythonX.Y: on PATH, else the newest X.Y.* in pyenv's versions directory."""
    name = f"python{version}"
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = sorted(pyenv_root.glob(f"versions/{version}.*/bin/{name}"), reverse=True,
                       key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])])
    candidates = [shutil.which(name), *map(str, installed)]
    return next((c for c in candidates if c and _works(c)), None)


# Each found interpreter's directory goes first on PATH, where nox looks for pythonX.Y. A
# session whose interpreter is missing gets no virtualenv and skips itself, saying why.
FOUND = {version: find_python(version) for version in (OLDEST, NEWEST)}
for _python in FOUND.values():
    if _python:
        os.environ["PATH"] = os.pathsep.join([str(Path(_python).parent), os.environ["PATH"]])


# uv makes the sessions' virtualenvs and installs into them (seconds, where pip takes minutes: it
# came with `make test`); without uv, nox falls back to virtualenv and pip. uv reads PyPI, not
# pip's configuration, and never downloads an interpreter here: the matrix tests the ones we have.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
BACKEND = "uv|virtualenv"


def _matrix_session(version: str):
    found = FOUND[version]
    return nox.session(python=version if found else None, venv_backend=BACKEND if found else "none")


def _skip_if_missing(session: nox.Session, version: str) -> None:
    if FOUND[version] is None:
        session.skip(f"no python{version} on PATH or in pyenv's versions: skipped")
    session.log(f"python{version}: {FOUND[version]}")


def _requirements(build: bool = True) -> list[Requirement]:
    """Every declared dependency: core, each extra (bar meganet's own), the build backend."""
    project = PYPROJECT["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if Requirement(r).name != project["name"]]
    if build:
        reqs += PYPROJECT["build-system"]["requires"]
    return [Requirement(r) for r in reqs]


def floor_constraints() -> str:
    """`name==floor` for each dependency, the floor being its range's `>=` bound."""
    lines = []
    for req in _requirements():
        floors = [s.version for s in req.specifier if s.operator == ">="]
        if len(floors) != 1:
            raise ValueError(f"{req}: every dependency needs one `>=` floor")
        marker = f"; {req.marker}" if req.marker else ""
        lines.append(f"{req.name}=={floors[0]}{marker}")
    return "\n".join(lines) + "\n"


# The matrix's subset of tests/ (`make test` runs all of tests/, the notebooks and the browser
# tests on the main interpreter): every library, course and widget test, and the exercise
# pipeline for one assignment instead of fourteen: nbgrader validation, release and autograding
# (tests/test_exercises.py), the exchange (release, fetch, submit, collect), and the judge
# (tests/test_grading.py: a correct and a partly wrong submission judged in the sandbox, the
# processes a notebook starts dying with it, per-student questions). Left out: the other
# assignments (the same code paths, minutes of kernels), the judge's attack cases and the Ctrl-C
# case (they test the sandbox, not the dependency versions), and the browser tests (Chromium).
ONE_ASSIGNMENT = "09_resnet_backpropagation"
JUDGED = " or ".join(f"{name}-{ONE_ASSIGNMENT}" for name in ("correct", "wrong_part"))
UNIT_TESTS = [
    "tests", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider", "-o", "addopts=-ra",
    "--ignore=tests/test_site_browser.py", "--ignore=tests/test_lab_browser.py",
    "-k", f"not (test_exercises.py or test_grading.py) "
          f"or (test_exercises.py and ({ONE_ASSIGNMENT} or test_there_are_exercises)) "
          f"or (test_grading.py and ({JUDGED} or test_the_judge_scores_every_graded_cell and "
          f"{ONE_ASSIGNMENT} or die_with_it or different_questions))",
]


# Each declared dependency's top-level modules (from its installed RECORD) must import.
IMPORT_EACH = """
import importlib, importlib.metadata as md, sys
for name in sys.argv[1:]:
    files = md.distribution(name).files or []
    mods = {f.parts[0] for f in files if len(f.parts) == 2 and f.name == "__init__.py"}
    mods |= {f.stem for f in files if len(f.parts) == 1 and f.suffix == ".py"}
    mods = sorted(m for m in mods if m.isidentifier() and not m.startswith("_")
                  and m not in {"tests", "test", "docs", "examples", "conftest"})
    assert mods, f"{name}: installed, but no module of it found"
    for m in mods:
        importlib.import_module(m)
    print(f"{name} {md.version(name)}: imports {', '.join(mods)}")
"""


def _pip_check(session: nox.Session) -> None:
    """The installed distributions have compatible dependencies (pip check, or uv's)."""
    if session.venv_backend == "uv":
        session.run("uv", "pip", "check")
    else:
        session.run("python", "-m", "pip", "check")


def _import_each_dependency(session: nox.Session) -> None:
    python = {"python_version": str(session.python), "python_full_version": f"{session.python}.0"}
    names = [r.name for r in _requirements(build=False)
             if r.marker is None or r.marker.evaluate(python)]
    script = Path(session.create_tmp()) / "import_each_dependency.py"
    script.write_text(IMPORT_EACH)
    session.run("python", str(script), *names)


def _run_unit_tests(session: nox.Session) -> None:
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    session.run("pytest", *UNIT_TESTS, *session.posargs, env=env)


@_matrix_session(OLDEST)
def floors(session: nox.Session) -> None:
    """The oldest supported Python with every dependency at its floor."""
    _skip_if_missing(session, OLDEST)
    constraints = Path(session.create_tmp()) / "floors.txt"
    constraints.write_text(floor_constraints())
    session.log(f"constraints from pyproject.toml ({constraints}):\n{constraints.read_text()}")
    # The build backend at its floor too: install it, then build without isolation.
    backend = [str(r) for r in map(Requirement, PYPROJECT["build-system"]["requires"])]
    session.install("-c", str(constraints), *backend)
    session.install("--no-build-isolation", "-c", str(constraints), "-e", ".[test]")
    _pip_check(session)
    _import_each_dependency(session)
    session.run("nox", "--list", silent=True)  # nox at its floor reads this file
    _run_unit_tests(session)


@_matrix_session(NEWEST)
def newest(session: nox.Session) -> None:
    """The newest supported Python with the newest versions pyproject.toml allows."""
    _skip_if_missing(session, NEWEST)
    # a fresh virtualenv: every dependency at the newest version its range allows
    upgrade = ["--upgrade"] if session.venv_backend == "uv" else ["--upgrade", "--upgrade-strategy", "eager"]
    session.install(*upgrade, "-e", ".[test]")
    _pip_check(session)
    _import_each_dependency(session)
    _run_unit_tests(session)
