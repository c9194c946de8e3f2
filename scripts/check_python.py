"""Refuse, before anything is created, a Python too old for this project.

``make install`` runs ``$(PYTHON) scripts/check_python.py`` before ``$(PYTHON) -m venv``: with
a Python older than ``requires-python`` in pyproject.toml it prints what to do and exits 1,
and no ``.venv`` is left half made. Written to run on any Python (no f-strings, no
annotations), since the interpreter it judges may be old.
"""

import os
import re
import sys

PYPROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pyproject.toml")


def minimum(pyproject_text):
    """The lowest version ``requires-python = ">=X.Y"`` allows, as a tuple ``(X, Y)``."""
    found = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)', pyproject_text, re.MULTILINE)
    if found is None:
        raise ValueError('pyproject.toml states no requires-python = ">=X.Y"')
    return int(found.group(1)), int(found.group(2))


def verdict(version, wanted, executable):
    """``None`` when ``version`` is at least ``wanted``, else the message saying what to do."""
    if tuple(version[:2]) >= tuple(wanted):
        return None
    values = (wanted[0], wanted[1], executable, version[0], version[1], wanted[0], wanted[1])
    return (
        "stuut-domain needs Python %d.%d or newer; %s is Python %d.%d.\n"  # noqa: UP031 - old Pythons run this
        "Nothing was created. Run make with a newer one, e.g. make install PYTHON=python%d.%d"
    ) % values


def main():
    with open(PYPROJECT) as handle:
        wanted = minimum(handle.read())
    message = verdict(sys.version_info, wanted, sys.executable)
    if message is not None:
        sys.stderr.write(message + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
