"""The judge: a separate, clean process that asks a student's kernel questions and scores the answers.

    python -I -m meganet.grading.judge SPEC SOCKET SEED

SPEC is an instructor file (outside the released course) defining
    questions(rng) -> {part: [Question, ...]}
where part is the grade_id of a graded cell and each Question holds what is sent (a JSON header
and arrays) and a `judge(arrays) -> (passed, message)` that runs HERE, with the reference code,
the Taylor and adjoint tests. rng is seeded from SEED (per student, unknown in advance).
The judge listens on the Unix socket SOCKET; each part is judged once (its first answer), and
its verdict goes out on the judge's stdout as one JSON line {"part", "passed", "message"}: a
pipe to the grader that the student's kernel cannot reach (a file could be overwritten). A part
the kernel never answers has no verdict (scored 0 by meganet.grading.autograde).
"""
from __future__ import annotations

import json
import os
import runpy
import socket
import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .protocol import receive_message, send_message

__all__ = ["Question", "serve", "main", "answer_array", "first_failure"]

ANSWER_TIMEOUT = 120.0  # seconds the kernel may take for one answer


def answer_array(answer, name, shape) -> np.ndarray:
    """The student's array `name` from an answer, as floats of the given shape with finite
    entries; a ValueError (which costs the question) otherwise. For judges' checks."""
    value = np.asarray(answer[name], dtype=float)
    if value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has entries that are not finite")
    return value


def first_failure(*checks):
    """(True, "correct") if every check passes, else the first failing (False, message). A check
    is a pair (passed, message) or a function returning one, called only if the earlier passed."""
    for check in checks:
        passed, message = check() if callable(check) else check
        if not passed:
            return False, message
    return True, "correct"


@dataclass
class Question:
    header: dict
    arrays: dict = field(default_factory=dict)
    judge: Callable = None  # arrays of the answer -> (passed, message)


def _judge_part(connection, questions) -> tuple[bool, str]:
    for k, question in enumerate(questions):
        send_message(connection, question.header, question.arrays)
        header, arrays = receive_message(connection)
        if not header.get("ok"):
            return False, f"question {k + 1}: your code raised {header.get('error', 'an error')}"
        try:
            passed, message = question.judge(arrays)
        except Exception as error:  # a malformed answer (wrong keys or shapes)
            passed, message = False, f"unusable answer ({type(error).__name__}: {error})"
        if not passed:
            return False, f"question {k + 1}: {message}"
    return True, f"all {len(questions)} questions answered correctly"


def serve(questions: dict, address: str, out=None) -> None:
    """Judge each part of `questions` once, as the kernel connects; runs until killed."""
    verdicts = {}
    if os.path.exists(address):
        os.unlink(address)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(address)
        server.listen()
        while True:
            connection, _ = server.accept()
            with connection:
                connection.settimeout(ANSWER_TIMEOUT)
                try:
                    header, _ = receive_message(connection)
                    part = str(header.get("part"))
                    if part not in questions:
                        send_message(connection, {"verdict": f"no such part {part!r}"})
                        continue
                    if part in verdicts:
                        send_message(connection, {"verdict": "already judged"})
                        continue
                    passed, message = _judge_part(connection, questions[part])
                except (OSError, ValueError, ConnectionError) as error:
                    passed, message = False, f"the answer broke off ({type(error).__name__})"
                    part = locals().get("part")
                    if part is None or part not in questions or part in verdicts:
                        continue
                verdicts[part] = {"passed": passed, "message": message}
                print(json.dumps({"part": part, **verdicts[part]}), file=out or sys.stdout, flush=True)
                try:
                    send_message(connection, {"verdict": "passed" if passed else f"failed: {message}"})
                except OSError:
                    pass


def main(argv=None) -> None:
    spec, address, seed = (argv or sys.argv[1:])[:3]
    questions = runpy.run_path(spec)["questions"](np.random.default_rng(int(seed)))
    serve(questions, address)


if __name__ == "__main__":
    main()
