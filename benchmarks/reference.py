"""The reference figures every benchmark compares with: reference_octave.json, one file that
names the software, the machine kind and the date (the MATLAB course code's measured numbers
under GNU Octave; design notes section 8). No benchmark types a reference number in."""
from __future__ import annotations

import json
from pathlib import Path

REFERENCE_FILE = Path(__file__).with_name("reference_octave.json")


def load_reference(prefix: str) -> tuple[dict, str]:
    """(the runs whose name starts with `prefix`, keyed without it; a line naming where they come from)."""
    data = json.loads(REFERENCE_FILE.read_text())
    runs = {k[len(prefix):]: v for k, v in data["runs"].items() if k.startswith(prefix)}
    if not runs:
        raise KeyError(f"{REFERENCE_FILE.name} has no run named {prefix}*")
    return runs, f"{data['software']}, {data['date']}; {data['machine']}"
