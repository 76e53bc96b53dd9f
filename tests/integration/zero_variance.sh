# Zero-variance outputs in every sensitivity method, through whole runs (issue 14): a constant
# output and a policy contrast that is zero in one year under a second-order Saltelli design, a
# single base point, Morris screening of a constant, and `chiprace analyze` of a constant. Each
# run exits 0, leaves no OUT.partial, and writes the values docs/sensitivity.md documents: NaN
# indices with the attribute undefined_reason, or Morris effects of 0.
source "$(dirname "$0")/lib.sh"

# run NAME TOML ARGS...: chiprace run into $WORK/NAME.h5; exit 0 and no partial file.
run() {
    local name=$1 toml=$2
    shift 2
    local rc=0
    "$CHIPRACE" run "$toml" -o "$WORK/$name.h5" -q "$@" 2>"$WORK/$name.err" || rc=$?
    if [ $rc -ne 0 ]; then
        cat "$WORK/$name.err" >&2
        fail "$name: chiprace run exited $rc"
    fi
    [ ! -e "$WORK/$name.h5.partial" ] || fail "$name: $name.h5.partial left behind"
    "$CHIPRACE" info "$WORK/$name.h5" >"$WORK/$name.info" 2>&1 || {
        cat "$WORK/$name.info" >&2
        fail "$name: chiprace info failed"
    }
}

# Ishigami with x1 = x2 = 0: y = sin(0) + a sin^2(0) + b x3^4 sin(0) = 0 whatever x3 is.
ishigami() { # ishigami DESIGN SAMPLES X1 X2 [DESIGN TABLE LINE]
    cat <<EOF
[experiment]
name = "zero-variance"
model = "ishigami"
samples = $2
seed = 7
design = "$1"

[design]
$5

[model]
a = 7.0
b = 0.1

[parameters]
x1 = $3
x2 = $4
x3 = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }

[sensitivity]
bootstrap = 20

[output]
store = "summary"
EOF
}
fixed='{ dist = "fixed", value = 0 }'
varying='{ dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }'

ishigami saltelli 16 "$fixed" "$fixed" "second_order = true" >"$WORK/constant.toml"
run constant "$WORK/constant.toml"
ishigami saltelli 1 "$varying" "$varying" "second_order = true" >"$WORK/single.toml"
run single "$WORK/single.toml"
ishigami morris 20 "$fixed" "$fixed" "levels = 4" >"$WORK/morris.toml"
run morris "$WORK/morris.toml"
ishigami morris 1 "$varying" "$varying" "levels = 4" >"$WORK/morris1.toml"
run morris1 "$WORK/morris1.toml"

# Two policies that differ only from 2031 on: their contrast is exactly zero in 2027.
cat >"$WORK/contrast.toml" <<EOF
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
name = "zero-contrast"
samples = 8
seed = 11
design = "saltelli"
policies = ["anthropic", "anthropic_late"]
reference = "anthropic"

[design]
second_order = true

[policies.anthropic_late]
based_on = "anthropic"
description = "anthropic's levers, with H20-class sales allowed from 2031"
china_legal_cap = { 2025 = 0, 2031 = 0.5 }

[sensitivity]
outputs = ["compute_ratio"]
years = [2027, 2033]
bootstrap = 10

[output]
store = "summary"
EOF
run contrast "$WORK/contrast.toml"

# chiprace analyze of a raw run whose output is constant, and of a single row.
ishigami mc 50 "$fixed" "$fixed" "" | sed 's/store = "summary"/store = "raw"/' |
    grep -v '^bootstrap\|^\[sensitivity\]\|^\[design\]' >"$WORK/raw.toml"
for name in raw raw1; do
    samples=50
    [ "$name" = raw1 ] && samples=1
    "$CHIPRACE" run "$WORK/raw.toml" --samples "$samples" -o "$WORK/$name.h5" -q ||
        fail "$name: run failed"
    "$CHIPRACE" analyze "$WORK/$name.h5" 2>"$WORK/$name.analyze" || {
        cat "$WORK/$name.analyze" >&2
        fail "$name: chiprace analyze exited $?"
    }
    [ ! -e "$WORK/$name.h5.analyze.partial" ] || fail "$name: the analyze copy was left behind"
    "$CHIPRACE" info "$WORK/$name.h5" >/dev/null || fail "$name: chiprace info failed"
done
grep -q "note: 1 output column(s) are constant" "$WORK/raw.analyze" ||
    fail "analyze did not note the constant output: $(cat "$WORK/raw.analyze")"
grep -q "warning: 1 output column(s) have fewer than two finite rows" "$WORK/raw1.analyze" ||
    fail "analyze did not warn of the single row: $(cat "$WORK/raw1.analyze")"

"$PYTHON" - "$WORK" <<'PY'
import math
import sys

import h5py
import numpy as np

work = sys.argv[1]
ZERO = "the output has zero variance across the samples"
SINGLE = "a single base point with all values finite"


def reason(g):
    r = g.attrs["undefined_reason"]
    if isinstance(r, bytes):
        return r.decode()
    if isinstance(r, str):
        return r
    return [x.decode() if isinstance(x, bytes) else x for x in r]


def all_nan(g, names):
    for n in names:
        v = g[n][()]
        assert np.isnan(v).all(), (g.name, n, v)


SOBOL = ["S1", "ST", "S1_conf", "ST_conf", "S1_low", "S1_high", "ST_low", "ST_high",
         "S1_delta_conf", "ST_delta_conf"]
SECOND = ["S2", "S2_conf", "S2_low", "S2_high"]

# Constant output, second order: NaN everywhere with the zero-variance reason; V = 0.
with h5py.File(f"{work}/constant.h5", "r") as f:
    g = f["sensitivity/y"]
    all_nan(g, SOBOL + SECOND)
    assert g["S2"].shape == (3, 3), g["S2"].shape
    assert g["variance"][()] == 0.0, g["variance"][()]
    assert g["n_base"][()] == 16
    assert reason(g).startswith(ZERO), reason(g)

# A single base point: NaN with its own reason.
with h5py.File(f"{work}/single.h5", "r") as f:
    g = f["sensitivity/y"]
    all_nan(g, SOBOL + SECOND)
    assert g["n_base"][()] == 1
    assert reason(g).startswith(SINGLE), reason(g)

# The zero contrast: NaN and the reason in 2027, defined in 2033; the policies defined.
with h5py.File(f"{work}/contrast.h5", "r") as f:
    years = list(f["sensitivity_year"][()])
    assert years == [2027, 2033], years
    g = f["contrasts/anthropic_late_vs_anthropic/sensitivity/compute_ratio"]
    r = reason(g)
    assert len(r) == 2 and r[0].startswith(ZERO) and r[1] == "", r
    for n in SOBOL:
        v = g[n][()]
        assert np.isnan(v[:, 0]).all(), (n, v[:, 0])
    assert np.isfinite(g["ST"][:, 1]).all(), g["ST"][:, 1]
    assert np.isnan(g["S2"][:, :, 0]).all()
    assert g["variance"][0] == 0.0 and g["variance"][1] > 0.0, g["variance"][()]
    for p in ("anthropic", "anthropic_late"):
        h = f[f"policies/{p}/sensitivity/compute_ratio"]
        assert "undefined_reason" not in h.attrs, p
        assert np.isfinite(h["ST"][()]).all(), p

# Morris of a constant: every elementary effect is 0, and that is a defined answer.
with h5py.File(f"{work}/morris.h5", "r") as f:
    g = f["sensitivity/y"]
    for n in ["mu", "mu_star", "sigma", "mu_star_conf", "mu_star_low", "mu_star_high"]:
        assert (g[n][()] == 0.0).all(), (n, g[n][()])
    assert "undefined_reason" not in g.attrs

# Morris with one trajectory: its effects, no sigma, no interval.
with h5py.File(f"{work}/morris1.h5", "r") as f:
    g = f["sensitivity/y"]
    assert np.isfinite(g["mu_star"][()]).all()
    all_nan(g, ["sigma", "mu_star_conf", "mu_star_low", "mu_star_high"])
    assert reason(g).startswith("a single trajectory"), reason(g)

# Rank correlations of a constant output, and of one row.
with h5py.File(f"{work}/raw.h5", "r") as f:
    g = f["rank_correlations/y"]
    all_nan(g, ["spearman", "srrc", "prcc"])
    assert reason(g).startswith("the output is constant on the rows used"), reason(g)
with h5py.File(f"{work}/raw1.h5", "r") as f:
    g = f["rank_correlations/y"]
    all_nan(g, ["spearman", "srrc", "prcc"])
    assert reason(g).startswith("fewer than two rows used"), reason(g)
print("zero variance: all documented values present")
PY

# chiprace info prints the reason of a column without indices, not a list of NaNs.
grep -q "^y: no Sobol' indices: the output has zero variance" "$WORK/constant.info" ||
    fail "info of the constant output does not give the reason: $(cat "$WORK/constant.info")"
grep -q "compute_ratio \[2027\]: no Sobol' indices: the output has zero variance" \
    "$WORK/contrast.info" || fail "info of the zero contrast does not give the reason"
grep -q "compute_ratio \[2033\]: top factors by total Sobol' index" "$WORK/contrast.info" ||
    fail "info of the contrast lost the defined year"
grep -q "(a single trajectory with all values finite" "$WORK/morris1.info" ||
    fail "info of one Morris trajectory does not give the reason"
echo "zero_variance: OK"
