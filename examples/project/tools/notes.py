"""Release-notes helper of the example project: deliberately insecure, so
that bandit has something to report when it is installed."""
import subprocess
import sys


def run(command):
    # B602: the command line goes through a shell.
    return subprocess.call(command, shell=True)


if __name__ == "__main__":
    assert len(sys.argv) > 1, "usage: notes.py COMMAND"
    run(sys.argv[1])
