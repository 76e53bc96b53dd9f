#!/usr/bin/python3
"""Self-check of prim_reference.py on small cases whose answers were derived by hand (the
derivations are in the comments). Run by ctest ("reference: prim"); exits non-zero on the first
wrong number. bench/prim_side_by_side.py checks the same code against the EMA Workbench."""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prim_reference as pr  # noqa: E402

failures = []


def check(label, got, want, tol=0.0):
    if isinstance(want, (list, tuple)):
        same = len(got) == len(want) and all(abs(g - w) <= tol for g, w in zip(got, want))
    else:
        same = abs(got - want) <= tol
    if not same:
        failures.append(f"{label}: got {got}, want {want}")


def check_steps(label, steps, want):
    """want: list of (coverage, density, mass, res_dim, lower, upper) with exact fractions."""
    if len(steps) != len(want):
        failures.append(f"{label}: {len(steps)} steps, want {len(want)}: "
                        f"{[(s['lower'], s['upper']) for s in steps]}")
        return
    for i, (s, w) in enumerate(zip(steps, want)):
        coverage, density, mass, res_dim, lower, upper = w
        check(f"{label} step {i} coverage", s["coverage"], coverage, 1e-15)
        check(f"{label} step {i} density", s["density"], density, 1e-15)
        check(f"{label} step {i} mean", s["mean"], density, 1e-15)
        check(f"{label} step {i} mass", s["mass"], mass, 1e-15)
        check(f"{label} step {i} res_dim", s["res_dim"], res_dim)
        check(f"{label} step {i} lower", s["lower"], lower)
        check(f"{label} step {i} upper", s["upper"], upper)


# ---- quantiles: pos = (m-1) q, midpoint of neighbouring distinct values ----------------------
a = np.array
# [1,2,2,2,3]: q .95 -> pos 3.8, v[3]=2, v[4]=3 distinct -> 2.5; q .05 -> pos .2, 1 and 2 -> 1.5
check("quantile no walk upper", pr.get_quantile(a([3, 2, 1, 2, 2.0]), 0.95), 2.5)
check("quantile no walk lower", pr.get_quantile(a([3, 2, 1, 2, 2.0]), 0.05), 1.5)
# [1,2,2,2,2,3]: q .5 -> pos 2.5, v[2]=v[3]=2: lower walk moves hi to the 3 -> 2.5
check("quantile median walks up", pr.get_quantile(a([2, 2, 3, 1, 2, 2.0]), 0.5), 2.5)
# three 1s, seventeen 3s: q .05 -> pos .95, v[0]=v[1]=1, hi walks to index 3 (a 3) -> 2;
# q .95 -> pos 18.05, v[18]=v[19]=3, lo walks down to index 2 (a 1) -> 2
ties = a([1.0] * 3 + [3.0] * 17)
check("quantile tie walk lower", pr.get_quantile(ties, 0.05), 2.0)
check("quantile tie walk upper", pr.get_quantile(ties, 0.95), 2.0)
# all equal: the walk reaches the end of the data and stops on the tie itself
check("quantile constant upper", pr.get_quantile(a([5.0, 5.0, 5.0]), 0.95), 5.0)
check("quantile constant lower", pr.get_quantile(a([5.0, 5.0, 5.0]), 0.05), 5.0)
# [0,0,0,0,1]: q .95 -> pos 3.8, 0 and 1 -> .5; q .05 -> pos .2, v[0]=v[1]=0, walk to 1 -> .5
check("quantile walk to last", pr.get_quantile(a([0, 0, 1, 0, 0.0]), 0.05), 0.5)
check("quantile single value", pr.get_quantile(a([7.0]), 0.95), 7.0)

# ---- LENIENT1 ------------------------------------------------------------------------------
check("lenient1 peel", pr.lenient1(5, 20, 5, 18), (5 / 18 - 5 / 20) / 2)
check("lenient1 paste", pr.lenient1(10, 15, 11, 16), (11 / 16 - 10 / 15) / 1)
check("lenient1 same mean", pr.lenient1(1, 2, 2, 4), 0)
check("lenient1 empty", pr.lenient1(1, 4, 0, 0), (0 - 1 / 4) / 4)

# ---- peeling along a grid input: every peel takes a whole level ------------------------------
# x = five 0s, five 1s, five 2s, five 3s; y = x >= 2 (10 cases). peel_alpha .1:
# step 1: lower q .1: pos 1.9, v[1]=v[2]=0, walk to the first 1 -> .5, removes the 0s:
#         15 rows, 10 cases, obj (2/3 - 1/2)/5 > 0; upper q .9: pos 17.1, v=3,3, walk down to
#         the last 2 -> 2.5, removes the 3s (cases): negative.  -> lower .5
# step 2: 15 rows; lower: pos 1.4, 1 and 1, walk to the first 2 -> 1.5, removes the 1s:
#         10 rows all cases, obj (1 - 2/3)/5.                     -> lower 1.5, mass .5
# step 3: density 1, no peel can raise it: obj 0, stop. Pasting: lower strip [0, 1.5] = five
#         0s, five 1s, q .95: pos 8.55, v=1,1, walk down to the last 0 -> .5: 15 rows,
#         mean 2/3 (worse); upper: upper is the max 3, strip = the five 3s, q .05 -> 3, the
#         same box: obj 0. Stop.
grid = a([0.0] * 5 + [1.0] * 5 + [2.0] * 5 + [3.0] * 5)
rng = np.random.default_rng(1)
order = rng.permutation(20)  # row order must not matter
x = grid[order][:, None]
y = (grid >= 2)[order]
check_steps("grid", pr.prim(x, y, peel_alpha=0.1), [
    (1.0, 0.5, 1.0, 0, [0.0], [3.0]),
    (1.0, 10 / 15, 0.75, 1, [0.5], [3.0]),
    (1.0, 1.0, 0.5, 1, [1.5], [3.0]),
])
# mass_min .6: the second peel (mass .5) is the best candidate and fails the test: stop there
check_steps("grid mass_min", pr.prim(x, y, peel_alpha=0.1, mass_min=0.6), [
    (1.0, 0.5, 1.0, 0, [0.0], [3.0]),
    (1.0, 10 / 15, 0.75, 1, [0.5], [3.0]),
])

# mass_min .5: the second peel's mass is exactly .5, and mass >= mass_min accepts it
check_steps("grid mass_min inclusive", pr.prim(x, y, peel_alpha=0.1, mass_min=0.5), [
    (1.0, 0.5, 1.0, 0, [0.0], [3.0]),
    (1.0, 10 / 15, 0.75, 1, [0.5], [3.0]),
    (1.0, 1.0, 0.5, 1, [1.5], [3.0]),
])

# ---- equal objective, equal number of unrestricted dimensions: first candidate wins ---------
# x = 0..19, cases 2..17 (16). peel_alpha .1. step 1: upper (pos 17.1 -> 17.5) removes 18, 19,
# lower (pos 1.9 -> 1.5) removes 0, 1: both two non-cases, the same objective and both restrict
# one dimension; "upper" is tried first.                        -> upper 17.5, 16/18, mass .9
# step 2: lower: pos 1.7 -> 1.5 removes 0, 1: 16/16; upper: pos 15.3 -> 15.5 removes 16, 17
# (cases): negative.                                            -> lower 1.5, density 1, mass .8
# step 3: obj 0. Pasting: lower strip {0, 1}: q .95, pos .95 -> .5, adds row 1 (non-case);
# upper strip {18, 19}: q .05, pos .05 -> 18.5, adds 18 (non-case): both worse. Stop.
middle = np.zeros(20, dtype=bool)
middle[2:18] = True
check_steps("upper first", pr.prim(np.arange(20.0)[:, None], middle, peel_alpha=0.1), [
    (1.0, 0.8, 1.0, 0, [0.0], [19.0]),
    (1.0, 16 / 18, 0.9, 1, [0.0], [17.5]),
    (1.0, 1.0, 0.8, 1, [1.5], [17.5]),
])
# Two identical columns: every candidate on x1 ties with the same one on x0. Step 1: x0 comes
# first in column order; from step 2 on, x0 is restricted and x1 would add a restriction.
# So the trajectory is the "upper first" one on x0, with x1 never restricted.
twin = np.column_stack([np.arange(20.0), np.arange(20.0)])
check_steps("column order", pr.prim(twin, middle, peel_alpha=0.1), [
    (1.0, 0.8, 1.0, 0, [0.0, 0.0], [19.0, 19.0]),
    (1.0, 16 / 18, 0.9, 1, [0.0, 0.0], [17.5, 19.0]),
    (1.0, 1.0, 0.8, 1, [1.5, 0.0], [17.5, 19.0]),
])

# ---- ties of the objective: more unrestricted dimensions first, then candidate order --------
# rows t = 0..19, x1 = t, x0 = 0, 1, 2 for t = 1, 2, 3, 10 for t = 0, t + 10 for t >= 4.
# Non-cases t in {0, 3, 4, 5, 6, 7}, 14 cases. peel_alpha .1.
# step 1: x1 lower (pos 1.9 -> 1.5) removes t0 (non) and t1 (case): 13/18, obj (13/18-.7)/2 > 0;
#         x0 lower removes t1, t2 (cases): negative; both upper peels remove two cases
#         (x0: t18, t19; x1: t18, t19): negative.                      -> x1 lower 1.5
# step 2: x1 lower: t = 2..19, pos 1.7 -> (3 + 4)/2 = 3.5, removes t2, t3; x0 lower: values
#         1, 2, 14, ... pos 1.7 -> (2 + 14)/2 = 8, removes the SAME rows: equal objective.
#         x0 comes first in candidate order, but it would restrict a second dimension:
#         the x1 peel wins.                                             -> x1 lower 3.5, 12/16
# step 3: x1 lower pos 1.5 -> 5.5 (t4, t5), x0 lower 15.5 (the same rows) -> x1 lower 5.5, 12/14
# step 4: x1 lower pos 1.3 -> 7.5 (t6, t7), x0 lower 17.5 (same rows)   -> x1 lower 7.5, 12/12
# step 5: density 1: obj 0. Pasting: lower strip t0..t7, q .95: pos 6.65 -> 6.5, adds t7 (a
#         non-case): worse; upper (at the max) adds nothing: obj 0. Stop.
t = np.arange(20.0)
x0 = np.where(t >= 4, t + 10, 0.0)
x0[[0, 1, 2, 3]] = [10.0, 0.0, 1.0, 2.0]
cases = np.ones(20, dtype=bool)
cases[[0, 3, 4, 5, 6, 7]] = False
x = np.column_stack([x0, t])
steps = pr.prim(x, cases, peel_alpha=0.1)
check_steps("tie-break", steps, [
    (1.0, 0.7, 1.0, 0, [0.0, 0.0], [29.0, 19.0]),
    (13 / 14, 13 / 18, 0.9, 1, [0.0, 1.5], [29.0, 19.0]),
    (12 / 14, 12 / 16, 0.8, 1, [0.0, 3.5], [29.0, 19.0]),
    (12 / 14, 12 / 14, 0.7, 1, [0.0, 5.5], [29.0, 19.0]),
    (12 / 14, 1.0, 0.6, 1, [0.0, 7.5], [29.0, 19.0]),
])
# Quasi-p of the last box: only x1's lower limit is restricted; dropping it gives all 20 rows,
# 14 cases, p = .7; the box has 12 of 12: P(Bin(12, .7) >= 12) = .7^12.
qp = pr.quasi_p(x, cases, steps[-1]["lower"], steps[-1]["upper"])
if sorted(qp) != [1]:
    failures.append(f"quasi-p dimensions: {sorted(qp)}, want [1]")
else:
    check("quasi-p x1", qp[1], [0.7 ** 12, -1], 1e-15)
# Two restricted sides: box x1 in [1.5, 17.5] on the same data: 16 rows (t2..t17), 11 cases.
# Drop the lower limit: t0..t17, 18 rows, 12 cases, p = 2/3; drop the upper: t2..t19, 18 rows,
# 13 cases, p = 13/18; qp = P(Bin(16, p) >= 11) for each.
from math import comb  # noqa: E402


def upper_tail(k, n, p):
    return sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))


qp = pr.quasi_p(x, cases, [0.0, 1.5], [29.0, 17.5])
check("quasi-p two sides", qp.get(1, [9, 9]),
      [upper_tail(11, 16, 12 / 18), upper_tail(11, 16, 13 / 18)], 1e-13)

# ---- pasting: the coarse first peel took two cases with it, pasting gives them back ----------
# x = 0..19, cases {3, 4, 6, 8, 10, 12, 14, 15, 16, 17, 18, 19} (12), peel_alpha .25,
# mass_min .7.
# step 1: lower: pos 19 * .25 = 4.75 -> 4.5, removes 0..4 (two cases): 10/15, obj (2/3 - .6)/5;
#         upper: pos 14.25 -> 14.5, removes 15..19 (cases): negative.   -> lower 4.5, mass .75
# step 2: any peel leaves at most 11 rows (mass .55 < .7): stop.
# paste 1: lower strip [0, 4.5] = 0..4, q .95: pos 3.8 -> 3.5, adds row 4 (a case): 11/16,
#          obj (11/16 - 10/15)/1 > 0, mass .8; upper: at the max, nothing: obj 0. -> lower 3.5
# paste 2: strip 0..3, pos 2.85 -> 2.5, adds row 3 (a case): 12/17.      -> lower 2.5
# paste 3: strip 0..2, pos 1.9 -> 1.5, adds row 2 (non-case): 12/18 < 12/17: stop.
x = np.arange(20.0)[:, None]
y = np.zeros(20, dtype=bool)
y[[3, 4, 6, 8, 10, 12, 14, 15, 16, 17, 18, 19]] = True
check_steps("paste", pr.prim(x, y, peel_alpha=0.25, mass_min=0.7), [
    (1.0, 0.6, 1.0, 0, [0.0], [19.0]),
    (10 / 12, 10 / 15, 0.75, 1, [4.5], [19.0]),
    (11 / 12, 11 / 16, 0.8, 1, [3.5], [19.0]),
    (1.0, 12 / 17, 0.85, 1, [2.5], [19.0]),
])

# ---- the command line: --npz in, the same trajectory as JSON out ----------------------------
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "case.npz")
    np.savez(path, x=x, y=y)
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                                                       "prim_reference.py"),
                          "--npz", path, "--peel-alpha", "0.25", "--mass-min", "0.7", "--qp"],
                         check=True, capture_output=True, text=True).stdout
    parsed = json.loads(out)
    check("cli steps", len(parsed["steps"]), 4)
    check("cli last lower", parsed["steps"][-1]["lower"], [2.5])
    if "0" not in parsed["qp_last"]:
        failures.append(f"cli qp_last: {parsed['qp_last']}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("prim_reference: all hand-derived cases agree")
