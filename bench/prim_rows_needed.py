#!/usr/bin/python3
"""How many rows PRIM needs to find a rare region (docs/robustness.md, "How many rows a region
of mass m needs"), checked with the NumPy reference PRIM.

The model: D uniform inputs on [0, 1); the case of interest is the box x_j < w for the first K
inputs (mass m = w^K); with --density δ and --background δ0, a future inside the box is a case
with probability δ and one outside with probability δ0 (default 1 and 0: no noise). For each N: PRIM (peel_alpha 0.05, paste_alpha 0.05,
mass_min m / 2) on N seeded rows; reported: the cases in the region, the last box's density,
coverage and restricted inputs, and the largest distance of its upper limits on the K true
inputs from w, against the width of one final peel step (the 5 % of the box's rows one peel
removes: about 0.05 × w along one input).

    /usr/bin/python3 bench/prim_rows_needed.py [--mass 1e-4] [--dims 10] [--k 4] [--rows 1e4 1e5 1e6]
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import prim_reference  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mass", type=float, default=1e-4)
    p.add_argument("--dims", type=int, default=10)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--rows", type=float, nargs="+", default=[1e4, 1e5, 1e6])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--density", type=float, default=1.0)
    p.add_argument("--background", type=float, default=0.0)
    args = p.parse_args()
    w = args.mass ** (1 / args.k)
    print(f"region: x0..x{args.k - 1} < {w:.4g} (mass {args.mass:g}) among {args.dims} inputs; "
          f"one final peel step ~ {0.05 * w:.3g} along one input; density inside "
          f"{args.density:g}, outside {args.background:g}")
    print(f"{'rows':>10} {'cases':>6} {'inside':>6} {'steps':>5} {'density':>8} {'coverage':>8} {'mass':>9} "
          f"{'restricted':>10} {'true ones':>9} {'max |upper - w|':>16} {'cpu s':>6}")
    for n in args.rows:
        n = int(n)
        rng = np.random.default_rng(args.seed)
        x = rng.random((n, args.dims))
        inside = np.all(x[:, :args.k] < w, axis=1)
        u = rng.random(n)
        y = np.where(inside, u < args.density, u < args.background)
        cases = int(y.sum())
        if cases == 0:
            print(f"{n:>10} {cases:>6} {0:>6}   no case in the sample: nothing to find")
            continue
        cpu = time.process_time()
        steps = prim_reference.prim(x, y, mass_min=args.mass / 2)
        cpu = time.process_time() - cpu
        last = steps[-1]
        init = steps[0]
        restricted = [j for j in range(args.dims) if last["lower"][j] != init["lower"][j]
                      or last["upper"][j] != init["upper"][j]]
        true_ones = sum(1 for j in restricted if j < args.k)
        error = max(abs(last["upper"][j] - w) for j in range(args.k))
        print(f"{n:>10} {cases:>6} {int((y & inside).sum()):>6} {len(steps) - 1:>5} {last['density']:>8.3f} "
              f"{last['coverage']:>8.3f} {last['mass']:>9.2e} {len(restricted):>10} "
              f"{true_ones:>9} {error:>16.3g} {cpu:>6.1f}")


if __name__ == "__main__":
    main()
