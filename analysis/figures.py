#!/usr/bin/python3
"""Run every figure script (or the ones named) on the result files in one directory.

    /usr/bin/python3 analysis/figures.py [--results results] [--out docs/figures] [fan_chart ...]

One Python process runs them all, which saves starting Python and importing matplotlib eight
times; each script still runs on its own as well, with the same output byte for byte.
scripts/figures.sh runs the experiments first and then this.
"""

import argparse
import os
import runpy
import sys
import time

import figstyle as fs

# figure name -> (script, result file it reads, in the results directory)
FIGURES = {
    "fan_chart": ("fig_fan_chart.py", "policy_comparison.h5"),
    "gap_cdf": ("fig_gap_cdf.py", "policy_distributions.h5"),
    "china_sources": ("fig_china_sources.py", "policy_comparison.h5"),
    "sobol_indices": ("fig_sobol.py", "sensitivity.h5"),
    "morris_screening": ("fig_morris.py", "screening.h5"),
    "tradeoff": ("fig_tradeoff.py", "policy_comparison.h5"),
    "cap_leakage_heatmap": ("fig_cap_leakage.py", "cap_leakage_grid.h5"),
    "paired_effect": ("fig_paired_effect.py", "policy_distributions.h5"),
    "crux": ("fig_crux.py", "crux.h5"),
    "prim_gap2030_anthropic": ("fig_prim.py", "scenario_discovery.h5"),
    "robustness": ("fig_robustness.py", "policy_comparison.h5"),
    "calibration": ("fig_calibration.py", "calibrated.h5"),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", default=fs.DEFAULT_RESULTS,
                   help="directory of the result files (default: results)")
    p.add_argument("--out", default=fs.DEFAULT_OUT, help="output directory (default: docs/figures)")
    p.add_argument("names", nargs="*", metavar="FIGURE",
                   help=f"figures to make (default: all): {', '.join(FIGURES)}")
    args = p.parse_args()
    unknown = [n for n in args.names if n not in FIGURES]
    if unknown:
        p.error(f"unknown figure {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    failed = []
    for name in args.names or FIGURES:
        script, result = FIGURES[name]
        path = os.path.join(fs.HERE, script)
        argv = [path, os.path.join(args.results, result), "--out", args.out]
        saved = sys.argv
        sys.argv = argv
        start = time.monotonic()
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as stop:
            if stop.code not in (0, None):
                failed.append(name)
        finally:
            sys.argv = saved
        print(f"{name}: {time.monotonic() - start:.1f} s", file=sys.stderr)
    if failed:
        print(f"figures.py: failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
