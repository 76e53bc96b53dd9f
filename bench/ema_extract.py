#!/usr/bin/python3
"""Extract the EMA Workbench's Python sources at one tag from a bare git mirror into a temporary
directory (never into this repository) and import its PRIM from there.

Steps (what a reader can repeat by hand):
  1. git --git-dir MIRROR ls-tree -r --name-only TAG ema_workbench   -> every *.py file
  2. git --git-dir MIRROR show TAG:PATH > TMP/PATH                   for each of them
  3. TMP/ema_workbench/__init__.py and TMP/ema_workbench/em_framework/__init__.py are made
     empty: they import the optimisation stack (platypus), which is not installed here and
     which PRIM does not use;
  4. in TMP/ema_workbench/analysis/__init__.py the line "from .logistic_regression import Logit"
     is commented out (it needs statsmodels, not installed; PRIM does not use it);
  5. sys.path.insert(0, TMP); from ema_workbench.analysis import prim.
Nothing else is changed: prim.py, prim_util.py and scenario_discovery_util.py run as released.
"""

import os
import subprocess
import sys
import tempfile

DEFAULT_MIRROR = "/work/.mirror/quaquel+EMAworkbench/repo"
DEFAULT_TAG = "2.5.3"


def extract(mirror=None, tag=DEFAULT_TAG, into=None):
    """Return the directory that holds the extracted ema_workbench package."""
    mirror = mirror or os.environ.get("EMA_GIT", DEFAULT_MIRROR)
    into = into or tempfile.mkdtemp(prefix="ema-workbench-")
    names = subprocess.run(["git", "--git-dir", mirror, "ls-tree", "-r", "--name-only", tag,
                            "ema_workbench"], check=True, capture_output=True,
                           text=True).stdout.split()
    for name in names:
        if not name.endswith(".py"):
            continue
        source = subprocess.run(["git", "--git-dir", mirror, "show", f"{tag}:{name}"],
                                check=True, capture_output=True).stdout
        path = os.path.join(into, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(source)
    for empty in ("ema_workbench/__init__.py", "ema_workbench/em_framework/__init__.py"):
        open(os.path.join(into, empty), "w").close()
    init = os.path.join(into, "ema_workbench/analysis/__init__.py")
    with open(init) as f:
        text = f.read()
    text = text.replace("from .logistic_regression import Logit",
                        "# from .logistic_regression import Logit  (statsmodels missing)")
    with open(init, "w") as f:
        f.write(text)
    return into


def import_prim(mirror=None, tag=DEFAULT_TAG):
    """Extract EMA and return its ema_workbench.analysis.prim module."""
    root = extract(mirror, tag)
    sys.path.insert(0, root)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # noqa: E402
    return prim, root


if __name__ == "__main__":
    print(extract())
