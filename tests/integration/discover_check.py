#!/usr/bin/python3
"""Checks /discovery/<name> of a chiprace result file against the NumPy PRIM reference
(tests/reference/prim_reference.py): the case flag is recomputed here from the raw columns and
the 'case' and 'policy' attributes, PRIM is rerun with the stored settings on the stored inputs,
and every step must agree (limits exactly, coverage/density/mass/mean to 1e-12), as must the
chosen box's quasi-p-values (to 1e-9 relative).

usage: discover_check.py FILE NAME SOURCE_DIR
"""
import re
import sys

import h5py
import numpy as np

path, name, source = sys.argv[1:4]
sys.path.insert(0, source + "/tests/reference")
import prim_reference  # noqa: E402

f = h5py.File(path, "r")
g = f["discovery/" + name]
attr = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()}
inputs = [s.decode() if isinstance(s, bytes) else s for s in g.attrs["inputs"]]
x = np.column_stack([f["inputs/" + n][()] for n in inputs]).astype(np.float64)
x[x == 0] = 0.0

m = re.fullmatch(r"(regret\()?(\w+)(?:\[(\d+)\])?(?:, (higher|lower)\))? (<=|>=|<|>) (\S+)", attr["case"])
assert m, attr["case"]
regret, output, year, direction, op, threshold = m.groups()
threshold = float(threshold)
policies = list(f["policies"]) if "policies" in f else []
col = None if year is None else list(f["time"][()]).index(int(year))


def column(group):
    d = f[(group + "/" if group else "") + "outputs/" + output]
    return d[()] if col is None else d[:, col]


policy = attr["policy"]
value = column("policies/" + policy if policy else "")
if regret:
    stack = np.column_stack([column("policies/" + p) for p in policies]) if policies else value[:, None]
    best = stack.max(axis=1) if direction == "higher" else stack.min(axis=1)
    value = best - value if direction == "higher" else value - best
y = {"<": value < threshold, "<=": value <= threshold, ">": value > threshold,
     ">=": value >= threshold}[op]
assert int(y.sum()) == int(attr["cases"]), (int(y.sum()), attr["cases"])

steps = prim_reference.prim(x, y, peel_alpha=float(attr["peel_alpha"]),
                            paste_alpha=float(attr["paste_alpha"]),
                            mass_min=float(attr["mass_min"]))
lower, upper = g["lower"][()], g["upper"][()]
assert lower.shape == (len(steps), len(inputs)), (lower.shape, len(steps))
for i, s in enumerate(steps):
    assert np.array_equal(lower[i], np.asarray(s["lower"])), (i, lower[i], s["lower"])
    assert np.array_equal(upper[i], np.asarray(s["upper"])), (i, upper[i], s["upper"])
    for k in ("coverage", "density", "mass", "mean"):
        assert abs(g[k][i] - s[k]) <= 1e-12, (i, k, g[k][i], s[k])
    assert int(g["res_dim"][i]) == int(s["res_dim"]), (i, g["res_dim"][i], s["res_dim"])

chosen = int(attr["chosen"])
box = g["box"]
qp = prim_reference.quasi_p(x, y, steps[chosen]["lower"], steps[chosen]["upper"])
ql, qu = box["quasi_p_lower"][0], box["quasi_p_upper"][0]
for j in range(len(inputs)):
    want = qp.get(j, [-1, -1])
    for got, exp in ((ql[j], want[0]), (qu[j], want[1])):
        if exp == -1:
            assert np.isnan(got), (j, got)
        else:
            assert abs(got - exp) <= 1e-9 * max(exp, 1e-300) + 1e-300, (inputs[j], got, exp)
print(f"{name}: {len(steps)} steps and the quasi-p-values of step {chosen} agree with the "
      f"NumPy reference ({int(y.sum())} cases of {len(y)} rows, {len(inputs)} inputs)")
