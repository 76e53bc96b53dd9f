#!/usr/bin/python3
"""Reference PRIM (Friedman & Fisher 1999) with the EMA Workbench 2.5.3 rules, in NumPy.

This is the yardstick `chiprace discover` is checked against, and the stand-in for it in the
docs until it lands. It was written from the paper and from reading EMA's
ema_workbench/analysis/prim.py, prim_util.py and scenario_discovery_util.py (tag 2.5.3); no code
was copied. bench/prim_side_by_side.py runs both on the same data and compares every step.

Scope: binary case of interest (y is True for the futures of interest), real-valued inputs
(EMA's "float" columns), the LENIENT1 objective, one box (EMA's Prim.find_box once).

Semantics, as EMA applies them
------------------------------
Initial box. Lower/upper limits of dimension j are min(x[:, j]) and max(x[:, j]); a dimension
is *restricted* when either of its limits differs from these (exact float comparison).

Box statistics. With n rows, t = number of cases of interest overall, and a box holding
n_b rows of which k_b are of interest: coverage = k_b / t, density = mean = k_b / n_b,
mass = n_b / n, res_dim = number of restricted dimensions. A row is in a box when
lower[j] <= x[j] <= upper[j] for every j (both ends inclusive).

Quantile (EMA's get_quantile, modelled on sdtoolkit). Sort the values v[0..m-1],
pos = (m - 1) * q, lo = floor(pos), hi = ceil(pos).
  q > 0.5 ("upper" walk): while v[lo] == v[hi] and lo > 0, lo -= 1;
  q <= 0.5 ("lower" walk): while v[lo] == v[hi] and hi < m - 1, hi += 1;
  result (v[lo] + v[hi]) / 2.
So the quantile is the midpoint between two neighbouring DISTINCT values (unless the walk
reaches the end of the data, where it is the value itself): a limit never sits on a data
value when there is a choice, and ties are never split. Here the same result is computed
with np.partition and a masked max/min instead of a full sort and a walk.

Peeling. Over the rows currently in the box, for each dimension j in column order, two
candidates, "upper" first: upper limit := quantile(x_j, 1 - peel_alpha), keep x_j <= it;
then "lower": lower limit := quantile(x_j, peel_alpha), keep x_j >= it. Every dimension is a
candidate, restricted or not. Each candidate is scored with LENIENT1:
  obj = (mean_new - mean_old) / |n_old - n_new|   if mean_new != mean_old, else 0
(mean_new = 0 for an empty candidate), and the best is the largest (obj, d - res_dim of the
candidate): ties in obj go to the candidate leaving more dimensions unrestricted, remaining
ties to the first in candidate order (EMA sorts a list stably). So the column order of x
matters when two candidates tie exactly (it happens: two peels can remove the same numbers of
rows and cases); give the inputs in the order the compared implementation uses. Only the best candidate is
tested: it is accepted when n_new / n >= mass_min, n_new / n < n_old / n and obj > 0; then
peeling repeats, otherwise it stops.

Pasting. Over ALL rows, for each restricted dimension u in column order (restricted at the
start of this pasting step; R is that set), two candidates, "lower" first:
  lower: the strip = rows with x_u in [min_u, lower_u] and inside the box in every other
         dimension of R; new lower_u := quantile(strip x_u, 1 - paste_alpha) (min_u if the
         strip is empty);
  upper: the strip = rows with x_u in [upper_u, max_u] and inside the box in the rest of R;
         new upper_u := quantile(strip x_u, paste_alpha) (max_u if empty).
The candidate's rows are those inside its limits on R. Scoring as for peeling (obj over the
gained rows); the best is accepted when n_new / n >= mass_min, n_new / n > n_old / n,
obj > 0 and mean_new > mean_old; then pasting repeats.

Trajectory. The initial box, each accepted peel, each accepted paste, in that order. Each step
is a dict: coverage, density, mass, mean, res_dim, lower (list, one per input), upper, and
phase ("initial", "peel" or "paste").

Quasi-p (Bryant & Lempert 2010, as EMA computes it). For each restricted dimension u of a box
and each of its sides whose limit differs from the initial one: drop that one limit (set it to
the column min or max), count the rows T_j and the cases of interest H_j in the widened box
(over the restricted dimensions), p = H_j / T_j, and the one-sided binomial test of the box's
own H_box cases of interest in T_box rows against p: qp = P(Binomial(T_box, p) >= H_box)
(= scipy.stats.binomtest(H_box, T_box, p, alternative="greater").pvalue, computed here without
scipy: binomial_upper_tail). EMA reports a pair
[qp_lower, qp_upper] per restricted dimension with -1 for a side that is not restricted;
quasi_p returns the same pairs.

Library use:  steps = prim(x, y); qp = quasi_p(x, y, steps[-1]["lower"], steps[-1]["upper"])
Command line: prim_reference.py --npz data.npz [--peel-alpha A] [--paste-alpha A]
              [--mass-min M] [--qp]   (x: (n, d) float64, y: (n,) bool; prints JSON)
"""

import argparse
import json
import math
import sys

import numpy as np


def get_quantile(values, q):
    """EMA's quantile of the 1-D array `values` (see the module docstring)."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile {q} outside (0, 1)")
    m = values.shape[0]
    if m == 0:
        raise ValueError("quantile of no data")
    pos = (m - 1) * q
    lo = int(math.floor(pos))
    hi = int(math.ceil(pos))
    part = np.partition(values, (lo, hi)) if lo != hi else np.partition(values, lo)
    a = part[lo]
    b = part[hi]
    if a == b:
        # The walk moves the far index to the nearest distinct value; if there is none it
        # stops at the end of the data, whose value equals the tie.
        if q > 0.5:
            below = values[values < b]
            if below.shape[0] > 0:
                a = below.max()
        else:
            above = values[values > a]
            if above.shape[0] > 0:
                b = above.min()
    return (a + b) / 2


def lenient1(k_old, n_old, k_new, n_new):
    """EMA's LENIENT1 objective: change of the mean per row removed (or added)."""
    mean_old = k_old / n_old
    mean_new = k_new / n_new if n_new > 0 else 0
    if mean_old == mean_new:
        return 0
    if n_old == n_new:
        raise ValueError("means differ for boxes with the same number of rows")
    return (mean_new - mean_old) / abs(n_old - n_new)


def _n_restricted(lower, upper, init_lower, init_upper):
    return int(np.count_nonzero((lower != init_lower) | (upper != init_upper)))


def _step(lower, upper, k, n_box, t_coi, n, init_lower, init_upper):
    return {
        "coverage": k / t_coi if t_coi > 0 else float("nan"),
        "density": k / n_box,
        "mass": n_box / n,
        "mean": k / n_box,
        "res_dim": _n_restricted(lower, upper, init_lower, init_upper),
        "lower": [float(v) for v in lower],
        "upper": [float(v) for v in upper],
    }


def _check_inputs(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x must be (n, d) and y (n,), got {x.shape} and {y.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x has non-finite values")
    if y.dtype != np.bool_:
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must be boolean (or 0/1)")
        y = y.astype(bool)
    return x, y


def _peel(xt, y_box, lower, upper, n, mass_min, peel_alpha, init_lower, init_upper):
    """One peeling step on the box's rows xt (d, n_box) and y_box. Returns the accepted
    (lower, upper, keep mask over the box's rows) or None when peeling stops."""
    d, n_old = xt.shape
    k_old = int(np.count_nonzero(y_box))
    best = None
    for j in range(d):
        xj = xt[j]
        for side in ("upper", "lower"):
            if side == "upper":
                limit = get_quantile(xj, 1 - peel_alpha)
                keep = xj <= limit
            else:
                limit = get_quantile(xj, peel_alpha)
                keep = xj >= limit
            n_new = int(np.count_nonzero(keep))
            k_new = int(np.count_nonzero(y_box & keep))
            obj = lenient1(k_old, n_old, k_new, n_new)
            new_lower = lower.copy()
            new_upper = upper.copy()
            if side == "upper":
                new_upper[j] = limit
            else:
                new_lower[j] = limit
            free = d - _n_restricted(new_lower, new_upper, init_lower, init_upper)
            # Strictly greater: the first candidate in (dimension, upper-then-lower) order
            # keeps a tie, as EMA's stable sort does.
            if best is None or (obj, free) > (best[0], best[1]):
                best = (obj, free, new_lower, new_upper, keep, n_new)
    obj, _, new_lower, new_upper, keep, n_new = best
    if n_new / n >= mass_min and n_new / n < n_old / n and obj > 0:
        return new_lower, new_upper, keep
    return None


def _paste(xt, y, inside, lower, upper, n, mass_min, paste_alpha, init_lower, init_upper):
    """One pasting step over all rows (xt is (d, n)). Returns the accepted
    (lower, upper, inside mask) or None when pasting stops."""
    d = xt.shape[0]
    restricted = [j for j in range(d) if lower[j] != init_lower[j] or upper[j] != init_upper[j]]
    if not restricted:
        return None
    n_old = int(np.count_nonzero(inside))
    k_old = int(np.count_nonzero(y & inside))
    # Rows outside the box in dimension u only: inside it in every other restricted dimension.
    outside = {u: ~((xt[u] >= lower[u]) & (xt[u] <= upper[u])) for u in restricted}
    n_outside = np.zeros(xt.shape[1], dtype=np.int64)
    for u in restricted:
        n_outside += outside[u]
    best = None
    for u in restricted:
        others_in = (n_outside - outside[u]) == 0
        xu = xt[u]
        for side in ("lower", "upper"):
            if side == "lower":
                strip = others_in & (xu >= init_lower[u]) & (xu <= lower[u])
                data = xu[strip]
                limit = get_quantile(data, 1 - paste_alpha) if data.shape[0] > 0 else init_lower[u]
                members = others_in & (xu >= limit) & (xu <= upper[u])
            else:
                strip = others_in & (xu >= upper[u]) & (xu <= init_upper[u])
                data = xu[strip]
                limit = get_quantile(data, paste_alpha) if data.shape[0] > 0 else init_upper[u]
                members = others_in & (xu >= lower[u]) & (xu <= limit)
            n_new = int(np.count_nonzero(members))
            k_new = int(np.count_nonzero(y & members))
            obj = lenient1(k_old, n_old, k_new, n_new)
            new_lower = lower.copy()
            new_upper = upper.copy()
            if side == "lower":
                new_lower[u] = limit
            else:
                new_upper[u] = limit
            free = d - _n_restricted(new_lower, new_upper, init_lower, init_upper)
            if best is None or (obj, free) > (best[0], best[1]):
                best = (obj, free, new_lower, new_upper, members, n_new, k_new)
    obj, _, new_lower, new_upper, members, n_new, k_new = best
    mean_old = k_old / n_old
    mean_new = k_new / n_new
    if n_new / n >= mass_min and n_new / n > n_old / n and obj > 0 and mean_new > mean_old:
        return new_lower, new_upper, members
    return None


def prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05, with_qp=False):
    """The peeling and pasting trajectory of one PRIM box (list of step dicts).

    With with_qp=True each step also carries "qp": quasi_p of that box (slow: EMA's cost)."""
    x, y = _check_inputs(x, y)
    n, d = x.shape
    xt = np.ascontiguousarray(x.T)
    init_lower = xt.min(axis=1)
    init_upper = xt.max(axis=1)
    t_coi = int(np.count_nonzero(y))

    def record(lower, upper, k, n_box, phase):
        step = _step(lower, upper, k, n_box, t_coi, n, init_lower, init_upper)
        step["phase"] = phase
        if with_qp:
            step["qp"] = quasi_p(x, y, lower, upper, init_lower, init_upper)
        steps.append(step)

    steps = []
    lower = init_lower.copy()
    upper = init_upper.copy()
    rows = np.arange(n)
    box_xt = xt
    box_y = y
    record(lower, upper, t_coi, n, "initial")
    while True:
        peeled = _peel(box_xt, box_y, lower, upper, n, mass_min, peel_alpha, init_lower, init_upper)
        if peeled is None:
            break
        lower, upper, keep = peeled
        box_xt = box_xt[:, keep]
        box_y = box_y[keep]
        rows = rows[keep]
        record(lower, upper, int(np.count_nonzero(box_y)), box_y.shape[0], "peel")

    inside = np.zeros(n, dtype=bool)
    inside[rows] = True
    while True:
        pasted = _paste(xt, y, inside, lower, upper, n, mass_min, paste_alpha, init_lower, init_upper)
        if pasted is None:
            break
        lower, upper, inside = pasted
        record(lower, upper, int(np.count_nonzero(y & inside)), int(np.count_nonzero(inside)),
               "paste")
    return steps


def binomial_upper_tail(k, n, p):
    """P(Binomial(n, p) >= k), summed in log space over the terms that matter (the window of
    40 standard deviations plus 50 around the larger of k and the mode; the rest is below
    e^-800 of the largest term). No scipy: its binom.sf (what EMA calls) agrees to about
    1e-12 relative for n up to 10^5 and 1e-9 at 10^6 (lgamma's rounding at large n)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    mode = int(math.floor((n + 1) * p))
    width = int(40 * math.sqrt(n * p * (1 - p))) + 50
    first = max(k, mode - width)
    last = min(n, max(k, mode) + width)
    log_p = math.log(p)
    log_q = math.log1p(-p)
    log_n = math.lgamma(n + 1)
    logs = [log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
            for i in range(first, last + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def quasi_p(x, y, lower, upper, init_lower=None, init_upper=None):
    """EMA's quasi-p-values of a box: {dimension index: [qp_lower, qp_upper]} over its
    restricted dimensions, -1 for a side left at the column's min or max."""
    x, y = _check_inputs(x, y)
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    init_lower = x.min(axis=0) if init_lower is None else np.asarray(init_lower)
    init_upper = x.max(axis=0) if init_upper is None else np.asarray(init_upper)
    restricted = [j for j in range(x.shape[1])
                  if lower[j] != init_lower[j] or upper[j] != init_upper[j]]
    if not restricted:
        return {}
    inside_dim = {j: (x[:, j] >= lower[j]) & (x[:, j] <= upper[j]) for j in restricted}
    inside = np.ones(x.shape[0], dtype=bool)
    for j in restricted:
        inside &= inside_dim[j]
    t_box = int(np.count_nonzero(inside))
    h_box = int(np.count_nonzero(y & inside))
    result = {}
    for u in restricted:
        others = np.ones(x.shape[0], dtype=bool)
        for j in restricted:
            if j != u:
                others &= inside_dim[j]
        pair = []
        for side, (lim, unlim) in enumerate(((lower[u], init_lower[u]), (upper[u], init_upper[u]))):
            if lim == unlim:
                pair.append(-1)
                continue
            lo = unlim if side == 0 else lower[u]
            hi = upper[u] if side == 0 else unlim
            widened = others & (x[:, u] >= lo) & (x[:, u] <= hi)
            t_j = int(np.count_nonzero(widened))
            h_j = int(np.count_nonzero(y & widened))
            p = h_j / t_j
            pair.append(binomial_upper_tail(h_box, t_box, p))
        result[u] = pair
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--npz", required=True, help="file with arrays x (n, d) and y (n,)")
    parser.add_argument("--peel-alpha", type=float, default=0.05)
    parser.add_argument("--paste-alpha", type=float, default=0.05)
    parser.add_argument("--mass-min", type=float, default=0.05)
    parser.add_argument("--qp", action="store_true", help="quasi-p-values of the last box")
    args = parser.parse_args(argv)
    data = np.load(args.npz)
    steps = prim(data["x"], data["y"], args.peel_alpha, args.paste_alpha, args.mass_min)
    out = {"steps": steps}
    if args.qp:
        qp = quasi_p(data["x"], data["y"], steps[-1]["lower"], steps[-1]["upper"])
        out["qp_last"] = {str(k): v for k, v in qp.items()}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
