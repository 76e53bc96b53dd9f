# Sensitivity analysis through the binary (issue 6): Sobol' indices in the file agree with the
# analytic Ishigami values, are bitwise identical for 1 and 3 ranks, Morris ranks the G
# function's parameters, `chiprace info` shows the top factors, and misuse is refused.
source "$(dirname "$0")/lib.sh"

# Ishigami, 2^13 base points: the same file from 1 rank and from 3 ranks x 1 thread.
for cut in "1 1" "3 1" "2 2"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 8192 \
        --set experiment.design=saltelli --set output.store=summary \
        -o "$WORK/ish-$1x$2.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "ishigami $cut"; }
done
grep -q "block_size rounded up from 1024 to 1025" "$WORK/log" || { cat "$WORK/log"; fail "no rounding note"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ish-1x1.h5" "$WORK/ish-3x1.h5"
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ish-1x1.h5" "$WORK/ish-2x2.h5"

"$PYTHON" - "$WORK/ish-1x1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["sensitivity/y"]
assert [p.decode() for p in f["parameter"][:]] == ["x1", "x2", "x3"], f["parameter"][:]
truth = {"S1": [0.313905, 0.442411, 0.0], "ST": [0.557589, 0.442411, 0.243684]}
z = 1.959963984540054
for name, t in truth.items():
    est, half = g[name][:], g[name + "_delta_conf"][:]
    se = half / z
    # 4 standard errors of the delta method; each below 0.03 at N = 2^13.
    assert np.all(se < 0.03), (name, se)
    assert np.all(np.abs(est - t) <= 4 * se), (name, est, t, se)
    lo, hi = g[name + "_low"][:], g[name + "_high"][:]
    assert np.all(lo <= est) and np.all(est <= hi), (name, lo, est, hi)
assert g["n_base"][()] == 8192 and g["n_skipped"][()] == 0
assert g.attrs["method"] == b"sobol" or g.attrs["method"] == "sobol"
# The parameter axis is a dimension scale.
assert h5py.h5ds.is_attached(g["S1"].id, f["parameter"].id, 0)
print("Ishigami indices in the file within 4 standard errors of the truth")
PY

"$CHIPRACE" info "$WORK/ish-1x1.h5" >"$WORK/info" || fail "info"
grep -q "top factors by total Sobol' index" "$WORK/info" || { cat "$WORK/info"; fail "info shows no factors"; }
# x1 has the largest total index (0.56), then x2 (0.44), then x3 (0.24).
grep -A3 "top factors" "$WORK/info" | awk 'NR>1 {print $1}' | tr '\n' ' ' | grep -q "^x1 x2 x3" \
    || { cat "$WORK/info"; fail "info ranks the factors wrongly"; }

# Second order: S13 = 0.2437 is Ishigami's only interaction; 1 and 3 ranks agree.
for cut in "1 1" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 4096 \
        --set experiment.design=saltelli --set design.second_order=true --set output.store=summary \
        -o "$WORK/s2-$1x$2.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "second order $cut"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/s2-1x1.h5" "$WORK/s2-3x1.h5"
"$PYTHON" - "$WORK/s2-1x1.h5" <<'PY'
import sys, h5py, numpy as np
g = h5py.File(sys.argv[1], "r")["sensitivity/y"]
s2, sd = g["S2"][:], g["S2_conf"][:] / 1.959963984540054
assert s2.shape == (3, 3) and np.isnan(np.diag(s2)).all(), s2
assert abs(s2[0, 2] - 0.243684) <= 4 * sd[0, 2], (s2, sd)
assert abs(s2[0, 1]) <= 4 * sd[0, 1] and abs(s2[1, 2]) <= 4 * sd[1, 2], (s2, sd)
print("second order: S13 =", round(float(s2[0, 2]), 4), "(true 0.2437)")
PY

# Morris on the G function: mu* decreases with a_k.
cat >"$WORK/g.toml" <<'TOML'
[experiment]
name = "g-screening"
model = "sobol_g"
samples = 300
seed = 3
design = "morris"
[model]
a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0]
[parameters]
x1 = { dist = "uniform", low = 0, high = 1 }
x2 = { dist = "uniform", low = 0, high = 1 }
x3 = { dist = "uniform", low = 0, high = 1 }
x4 = { dist = "uniform", low = 0, high = 1 }
x5 = { dist = "uniform", low = 0, high = 1 }
x6 = { dist = "uniform", low = 0, high = 1 }
[output]
store = "summary"
TOML
chiprace_mpi 2 1 run "$WORK/g.toml" -o "$WORK/g.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "morris run"; }
"$PYTHON" - "$WORK/g.h5" <<'PY'
import sys, h5py, numpy as np
g = h5py.File(sys.argv[1], "r")["sensitivity/y"]
mu_star = g["mu_star"][:]
assert all(mu_star[k] > mu_star[k + 1] for k in range(3)), mu_star
assert mu_star[3] > max(mu_star[4:]), mu_star
assert g["n_trajectories"][()] == 300
print("Morris mu* orders the G parameters as their a_k:", np.round(mu_star, 4))
PY

# The compute-race experiment of the issue, at a reduced size, on 2 ranks.
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/sensitivity.toml" --samples 256 \
    -o "$WORK/sens.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "sensitivity.toml"; }
"$CHIPRACE" info "$WORK/sens.h5" >"$WORK/info" || fail "info sens"
for want in "policies/anthropic  compute_ratio [2027]" "policies/nvidia  frontier_gap_years [2030]" \
    "contrasts/anthropic_vs_nvidia  compute_ratio [2030]"; do
    grep -qF "$want" "$WORK/info" || { cat "$WORK/info"; fail "info lacks '$want'"; }
done
"$PYTHON" - "$WORK/sens.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
s1 = f["policies/anthropic/sensitivity/compute_ratio/S1"]
assert s1.shape == (62, 2), s1.shape  # the flagship's 62 parameters
assert list(f["sensitivity_year"][:]) == [2027, 2030]
print("sensitivity.toml: (62 parameters, 2 years) per output, policy and contrast")
PY

# Adaptive stopping: doubling from 1024 base points until every interval is at most 0.04 wide;
# the same file for 1 and 3 ranks; the reason and the sample count are recorded.
for cut in "1 1" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 1024 \
        --set experiment.design=saltelli --set output.store=summary \
        --set sensitivity.target_ci_width=0.04 --set sensitivity.max_samples=65536 \
        -o "$WORK/adaptive-$1x$2.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "adaptive $cut"; }
done
grep -q "stopped after .* runs: every interval at most target_ci_width wide" "$WORK/log" \
    || { cat "$WORK/log"; fail "adaptive run did not report why it stopped"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/adaptive-1x1.h5" "$WORK/adaptive-3x1.h5"
"$PYTHON" - "$WORK/adaptive-1x1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f.attrs
reason = a["stopping_reason"]
reason = reason.decode() if isinstance(reason, bytes) else reason
assert reason == "every interval at most target_ci_width wide", reason
g = f["sensitivity/y"]
n = int(g["n_base"][()])
assert 1024 < n < 65536 and a["n_samples_run"] == 5 * n, (n, a["n_samples_run"])
widths = np.concatenate([g["S1_high"][:] - g["S1_low"][:], g["ST_high"][:] - g["ST_low"][:]])
assert widths.max() <= 0.04 and a["widest_interval"] == widths.max(), (widths, a["widest_interval"])
print(f"adaptive: stopped at {n} base points, widest interval {widths.max():.4f} <= 0.04")
PY
# A target it cannot reach stops at max_samples and says so.
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 256 \
    --set experiment.design=saltelli --set output.store=summary \
    --set sensitivity.target_ci_width=0.001 --set sensitivity.max_samples=1024 \
    -o "$WORK/capped.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "capped run"; }
grep -q "stopped after 5120 of 5120 runs: max_samples reached" "$WORK/log" || { cat "$WORK/log"; fail "cap"; }

# Misuse is refused before any work, exit code 2, one line naming the place.
set +e
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --set 'sensitivity.bootstrap=10' \
    -o "$WORK/bad.h5" 2>"$WORK/err"
code=$?
set -e
[ "$code" = 2 ] || { cat "$WORK/err"; fail "sensitivity with design mc: exit $code"; }
grep -q "\[sensitivity\] needs experiment.design = \"saltelli\"" "$WORK/err" || { cat "$WORK/err"; fail "message"; }
set +e
"$CHIPRACE" run "$SOURCE_DIR/experiments/sensitivity.toml" --set 'sensitivity.outputs=["compute_ratoi"]' \
    -o "$WORK/bad.h5" 2>"$WORK/err"
code=$?
set -e
[ "$code" = 2 ] || { cat "$WORK/err"; fail "unknown output: exit $code"; }
grep -q "did you mean 'compute_ratio'" "$WORK/err" || { cat "$WORK/err"; fail "no did-you-mean"; }
set +e
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --set experiment.design=saltelli \
    --set sensitivity.target_ci_width=0.05 -o "$WORK/bad.h5" 2>"$WORK/err"
code=$?
set -e
[ "$code" = 2 ] || { cat "$WORK/err"; fail "adaptive with raw rows: exit $code"; }
grep -q 'writes summaries only: set \[output\] store = "summary"' "$WORK/err" || { cat "$WORK/err"; fail "message"; }
[ ! -e "$WORK/bad.h5" ] || fail "a refused run wrote a file"
echo "sensitivity: all checks passed"
