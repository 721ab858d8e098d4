"""Grading a student's code from outside the student's process (needs the course extras).

The student's kernel computes; a separate clean process, the judge, chooses the questions
(random problems seeded per student), receives the answers as plain arrays, and judges them
with the reference code, the Taylor and adjoint tests. `answer` is the kernel's side,
`meganet.grading.judge` the judge, `meganet.grading.autograde.autograde` runs nbgrader with a
judge and writes the judge's scores into the gradebook.
"""
from .client import answer

__all__ = ["answer"]
