"""nbgrader configuration of the meganet exercises.

This directory is nbgrader's course directory: source/<assignment>/<notebook>.ipynb holds the
instructor versions (solutions and hidden tests), release/ the generated student versions,
submitted/<student>/<assignment>/ the collected work, autograded/ and feedback/ the results,
exchange/ nbgrader's exchange (release, fetch, submit, collect on one machine).
nbgrader reads this file when it runs from this directory (`cd exercises && nbgrader ...`);
`course/release_exercises.py` (`make exercises`) loads it explicitly. See README.md here.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

# The course root is the directory of this file, wherever the course is copied.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "meganet"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook (git-ignored) sits next to this file: generate_assignment stores the test
# cells, including the hidden tests, and autograde puts them back before running a submission.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
# nbgrader's exchange (release_assignment -> fetch_assignment -> submit -> collect on one
# machine): a course-local directory, exchange/ beside this file (git-ignored), instead of
# nbgrader's system-wide /usr/local/share/nbgrader/exchange. `make exercises` creates it with
# mode 0o777, as nbgrader requires of an exchange that every user writes to. Released
# assignments go to exchange/meganet/outbound/, submissions to exchange/meganet/inbound/ as
# <student>+<assignment>+<timestamp>+<random>. A student's id is their login name, or
# `nbgrader submit <assignment> --student <id>`.
c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
# fetch_assignment puts an assignment in ./<assignment>/ (not ./meganet/<assignment>/).
c.Exchange.path_includes_course = False
# Only notebooks belong to an assignment; never copy caches or checkpoints to students.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.db", ".DS_Store"]

# What replaces a solution region in the student version.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A check cell scores 0 when it raises. nbgrader would also zero a cell that wrote anything to
# stderr, so a correct solution that emits a warning (its own, or numpy's) would lose the points:
# its IgnorePattern preprocessor (part of autograding) drops stderr outputs that carry a Python
# warning ("...Warning: ...") before the cells are scored. The warning stays visible to the
# student while they work; the graded copy no longer shows it.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning: "

# Grading executes every cell even after an error (a failing cell scores 0, the rest still
# run); a cell that hangs is interrupted after `timeout` seconds and scores 0.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0
