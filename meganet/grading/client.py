"""The student's side: hand a function to the judge, which asks the questions and keeps the score.

In a graded check cell,
    answer("test_backprop_theta", lambda question, arrays: {"g": backprop_theta(...)})
connects to the judge named by the environment variable MEGANET_JUDGE (a Unix socket the
grader started before the notebook's kernel), answers each question with the student's code,
and prints the judge's verdict. Without a judge (a student working, `nbgrader validate`) it
says so and returns: the visible checks are the student's feedback there.
Nothing here decides a score: the judge records it in its own process, so changing this
function, the checks or numpy inside the kernel changes nothing but the answers.
"""
from __future__ import annotations

import os
import socket

import numpy as np

from .protocol import receive_message, send_message

__all__ = ["answer", "JUDGE_VARIABLE"]

JUDGE_VARIABLE = "MEGANET_JUDGE"


def answer(part: str, respond) -> bool | None:
    """Answer the judge's questions on `part` with respond(question, arrays) -> dict of arrays.

    Returns the judge's verdict (True/False), or None when no judge is running.
    """
    address = os.environ.get(JUDGE_VARIABLE)
    if not address:
        print(f"{part}: no judge is running here; the hidden tests run when the instructor grades")
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(address)
        send_message(sock, {"part": part})
        while True:
            header, arrays = receive_message(sock)
            if "verdict" in header:
                print(f"{part}: {header['verdict']}")
                return header["verdict"] == "passed"
            try:
                reply = {name: np.asarray(value, dtype=float) for name, value in respond(header, arrays).items()}
                send_message(sock, {"ok": True}, reply)
            except Exception as error:  # the student's code failed on this question
                send_message(sock, {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]})
