"""pytest's root conftest (testpaths: tests/, lectures/, exercises/source/): which lecture
notebooks nbval runs."""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

# CI builds the site (`make course`, which executes every lecture and fails on an error) and then
# runs `make test` with MEGANET_SITE pointing at it. A lecture that site executed without error,
# from the same source, the same meganet package and the same Python environment (its executed.json), is
# not run again by nbval: each lecture runs once per CI run. Without MEGANET_SITE (a plain
# `make test`), or for a lecture changed since that build, nbval runs it.
ROOT = Path(__file__).resolve().parent


@functools.cache
def executed_by_site() -> frozenset:
    """The lectures (paths from the repository root) that MEGANET_SITE's build executed as they are now."""
    site = os.environ.get("MEGANET_SITE")
    record = Path(site) / "executed.json" if site else None
    if record is None or not record.exists():
        return frozenset()
    sys.path.insert(0, str(ROOT / "course"))
    import build  # course/build.py: the fingerprints it wrote
    done = json.loads(record.read_text())
    same_environment = done.get("python") == f"{sys.prefix} {sys.version}"
    if not same_environment or done.get("meganet") != build.fingerprint(ROOT / "meganet"):
        return frozenset()
    return frozenset(name for name, digest in done["lectures"].items()
                     if (ROOT / name).exists() and build.fingerprint(ROOT / name) == digest)


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".ipynb" and collection_path.parent == ROOT / "lectures":
        return str(collection_path.relative_to(ROOT)) in executed_by_site() or None
    return None


def pytest_report_header(config):
    if executed_by_site():
        return (f"MEGANET_SITE={os.environ['MEGANET_SITE']}: {len(executed_by_site())} lectures that this "
                "site's build executed without error from these sources are not run again "
                "(unset MEGANET_SITE to run them)")
    return None


# `make test` runs two workers with xdist's --dist loadfile: all tests of a file on one worker (a
# notebook's cells run in order in one kernel; a module's fixtures are built once per worker).
# The judged submissions of tests/test_grading.py are half of the suite's time, so the scheduler
# below splits that file into one unit per exercise. (xdist's own loadgroup marks do not reach
# its scheduler with pytest 9: xdist renames item._nodeid, pytest 9 reads item._id.)
JUDGED = "tests/test_grading.py::test_judged_points_are_the_points_deserved["


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileSplittingJudged(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(JUDGED):  # ...[<submission>-<assignment>]
                return JUDGED + nodeid[:-1].rsplit("-", 1)[-1]
            return super()._split_scope(nodeid)

    return LoadFileSplittingJudged(config, log)


# Longest units first (xdist hands units out in collection order as workers free up, so a long
# unit collected last would leave the other worker idle): the two longest files (about two minutes
# each on a quiet machine), then the judged submissions (about 40 s per exercise), then the rest.
LONGEST = ("tests/test_exercises.py", "tests/test_site_browser.py")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        return 0 if item.nodeid.split("::")[0] in LONGEST else 1 if item.nodeid.startswith(JUDGED) else 2

    items.sort(key=rank)  # stable: the order within each rank is kept
