"""The `lossfit` distribution: it installs the `losslint` command.

`python -m lossfit ARGS` runs `losslint ARGS` (for environments where the scripts directory is
not on PATH); `lossfit.find_losslint_bin()` returns the command's path.
"""

import os
import sys
import sysconfig

__all__ = ["find_losslint_bin"]


def find_losslint_bin() -> str:
    """The path of the `losslint` executable installed with this package."""
    exe = "losslint" + (sysconfig.get_config_var("EXE") or "")
    candidates = [sysconfig.get_path("scripts")]
    user_scheme = {"nt": "nt_user", "posix": "posix_user"}.get(os.name)
    if user_scheme is not None and user_scheme in sysconfig.get_scheme_names():
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # pip's `--target` and `--prefix` installs put scripts in a `bin` next to the package.
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin"))
    candidates.append(os.path.dirname(sys.executable))
    for directory in candidates:
        path = os.path.join(directory, exe)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"the losslint executable was not found in {', '.join(candidates)}: "
        "reinstall with `pip install --force-reinstall lossfit`"
    )
