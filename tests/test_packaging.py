"""environment.yml mirrors pyproject.toml, so conda users get the same dependencies."""
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements():
    project = _pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("meganet")]
    # An environment marker (`; python_version < '3.11'`) has no conda spelling: compare the range.
    reqs = [r.split(";", maxsplit=1)[0].strip() for r in reqs]
    return {re.split(r"[<>=!~\[]", r, maxsplit=1)[0].strip().lower(): r for r in reqs}


def _conda_entries():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    entries = [d for d in deps if isinstance(d, str)]
    entries += [d for block in deps if isinstance(block, dict) for d in block.get("pip", [])]
    return {re.split(r"[<>=!~\[ ]", e, maxsplit=1)[0].strip().lower(): e for e in entries}


def test_environment_yml_lists_every_dependency_with_the_same_range():
    conda = _conda_entries()
    for name, req in _requirements().items():
        assert name in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert req.replace(" ", "").split(name, 1)[-1].lstrip("]") in conda[name].replace(" ", ""), \
            f"{name}: pyproject says {req!r}, environment.yml says {conda[name]!r}"


def test_every_dependency_has_a_floor_and_a_cap():
    """noxfile.py's `floors` session pins each dependency to its `>=` bound: each needs one."""
    for name, req in _requirements().items():
        assert re.search(r">=\s*\d", req) and re.search(r"<\s*\d", req), \
            f"{name}: {req!r} needs a floor (>=) and a cap (<)"
