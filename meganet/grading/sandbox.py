"""A sandbox for the student's kernel: hidden instructor files, resource limits, no survivors.

nbgrader starts the kernel through `SandboxedKernelManager` (set as the Execute preprocessor's
kernel_manager_class by meganet.grading.autograde), which runs the kernel command as

    unshare --mount --pid --fork --kill-child --mount-proc [--user --map-root-user]
        python -m meganet.grading.sandbox --hide PATH ... --cpu S --memory B -- <kernel command>

- a private mount namespace, in which every --hide path is covered (a directory by an empty
  read-only tmpfs, a file by /dev/null): the instructor's source/, the judge files, the
  gradebook and the other students' folders cannot be read;
- a private PID namespace whose first process is the kernel: when the kernel ends or is
  killed, every process it started (detached or not) is killed with it, and the student's
  code cannot see or signal the grader's processes;
- CPU-time and address-space limits (RLIMIT_CPU, RLIMIT_AS): a loop that ignores SIGINT dies
  at the CPU limit instead of stopping the grading;
- no capabilities (util-linux's setpriv empties the bounding and inheritable sets, with
  no_new_privs): the kernel cannot unmount the covers (root in the namespace could) or gain
  rights through a setuid program.
As root, unshare needs nothing more; otherwise it uses a user namespace (--user
--map-root-user), where the kernel still has only the rights of the grading user.
`sandbox_available()` says whether this machine can do it; where it cannot, the kernel runs
unsandboxed and `autograde` reports it (see exercises/README.md for what is then unprotected).
"""
from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import subprocess
import sys

from jupyter_client.manager import KernelManager
from traitlets import Int, List, Unicode

__all__ = ["SandboxedKernelManager", "sandbox_available", "unshare_prefix"]


def unshare_prefix() -> list[str]:
    base = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]
    return base if os.geteuid() == 0 else base + ["--user", "--map-root-user"]


@functools.lru_cache(maxsize=None)
def sandbox_available() -> bool:
    """True when unshare can make the namespaces here (root, or user namespaces allowed)."""
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        return False
    try:
        probe = subprocess.run(unshare_prefix() + ["mount", "-t", "tmpfs", "none", "/mnt"],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


class SandboxedKernelManager(KernelManager):
    """A KernelManager whose kernel runs in the sandbox described in the module docstring."""

    hidden_paths = List(Unicode(), help="paths the kernel must not read").tag(config=True)
    cpu_seconds = Int(600, help="CPU-time limit of the kernel (all its threads)").tag(config=True)
    memory_bytes = Int(4 * 2**30, help="address-space limit of the kernel").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not sandbox_available():
            return cmd
        launcher = [sys.executable, "-m", "meganet.grading.sandbox", "--cpu", str(self.cpu_seconds),
                    "--memory", str(self.memory_bytes)]
        for path in self.hidden_paths:
            launcher += ["--hide", path]
        return unshare_prefix() + launcher + ["--"] + cmd


def _launch(argv=None) -> None:
    """Inside the namespaces: cover the hidden paths, set the limits, become the kernel."""
    parser = argparse.ArgumentParser(prog="python -m meganet.grading.sandbox")
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    for path in args.hide:
        if os.path.isdir(path):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=4k", "none", path], check=True)
        elif os.path.exists(path):
            subprocess.run(["mount", "--bind", "/dev/null", path], check=True)
    resource.setrlimit(resource.RLIMIT_CPU, (args.cpu, args.cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (args.memory, args.memory))
    if shutil.which("setpriv") is None:
        sys.exit("meganet.grading.sandbox: setpriv (util-linux) is needed to drop capabilities")
    command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"] + command
    os.execvp(command[0], command)


if __name__ == "__main__":
    _launch()
