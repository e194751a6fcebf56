"""`python -m lossfit ARGS`: runs `losslint ARGS` and exits with its status."""

import os
import subprocess
import sys

from lossfit import find_losslint_bin


def main() -> int:
    losslint = find_losslint_bin()
    if sys.platform == "win32":
        return subprocess.run([losslint, *sys.argv[1:]]).returncode
    os.execv(losslint, [losslint, *sys.argv[1:]])
    return 0  # not reached: execv replaces the process


if __name__ == "__main__":
    sys.exit(main())
