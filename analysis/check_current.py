#!/usr/bin/python3
"""Is a result file current for its experiment? Exit 0 if so, 1 (with the reason) if not.

    /usr/bin/python3 analysis/check_current.py EXPERIMENT RESULT CHIPRACE [OVERRIDE ...]

Current means: RESULT is a complete chiprace 1.x file; the experiment text it recorded
(/config) is the text of EXPERIMENT now, and each included file it recorded
(/config_included) still has the text it had; the overrides it recorded are exactly the
OVERRIDEs given (as /config_resolved lists them, e.g. experiment.samples=512); it was written by
the build CHIPRACE is now (same git revision and dirty flag as `CHIPRACE --version` reports),
and it is newer than the CHIPRACE executable (a rebuild of a dirty tree keeps the revision).

Comparing recorded texts rather than file dates means that touching or checking out a file
without changing it does not force a rerun, and that editing an included prior does.
Included paths are opened as recorded, relative to the working directory of the run:
run this from the same directory (scripts/figures.sh runs both from the repository root).
"""

import os
import re
import subprocess
import sys

from chiprace_results import open_result, ResultFileError


def read_text(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def build_revision(chiprace):
    """'<sha>' or '<sha>-dirty' from `chiprace --version`, or None if it does not say."""
    try:
        out = subprocess.run([chiprace, "--version"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r"git revision\s+(\S+)", out)
    return m.group(1) if m else None


def why_stale(experiment, result, chiprace, overrides):
    if not os.path.exists(result):
        return "no result file yet"
    try:
        r = open_result(result)
    except ResultFileError as err:
        return str(err)
    with r:
        if r.config_text != read_text(experiment):
            return f"{experiment} changed since the run"
        for path, text in r.included_files():
            if not os.path.exists(path):
                return f"included file {path} no longer exists"
            if read_text(path) != text:
                return f"included file {path} changed since the run"
        recorded = r.config_resolved.get("overrides", [])
        if recorded != list(overrides):
            return f"run with overrides {recorded}, wanted {list(overrides)}"
        attrs = r.attrs
        made_by = str(attrs.get("git_revision", "unknown")) + (
            "-dirty" if int(attrs.get("git_dirty", 0)) else "")
    now = build_revision(chiprace)
    if now is None or now != made_by:
        return f"written by chiprace {made_by}, the executable is {now}"
    if os.path.getmtime(result) < os.path.getmtime(chiprace):
        return f"{chiprace} was rebuilt after the run"
    return None


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    experiment, result, chiprace, *overrides = sys.argv[1:]
    reason = why_stale(experiment, result, chiprace, overrides)
    if reason:
        print(f"{result}: out of date: {reason}")
        sys.exit(1)
    print(f"{result}: current")


if __name__ == "__main__":
    main()
