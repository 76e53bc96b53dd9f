# Calibration without evidence changes nothing (issue 18, acceptance 3), and a degenerate one is
# refused when asked to be:
#  1. [calibration] with no targets: every weight is 1, so every posterior dataset (policies,
#     contrasts, inputs) equals its prior counterpart bit for bit, the ESS is N, and the prior
#     summaries are bit for bit those of the same experiment without [calibration];
#  2. a target so tight that the ESS falls below min_ess: on_low_ess = "error" exits 1 naming
#     the ESS and leaves a file with the prior summaries and no posterior; "warn" exits 0 with a
#     warning and writes the posterior.
source "$(dirname "$0")/lib.sh"

N=2001
cat >"$WORK/plain.toml" <<EOF
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
samples = $N
block_size = 256
EOF
cat >"$WORK/no_targets.toml" <<EOF
[experiment]
include = ["plain.toml"]

[calibration]
min_ess = 100
outputs = "all" # a posterior for every output, to compare with every prior summary
EOF

for store in summary raw; do
    for case in plain no_targets; do
        chiprace_mpi 2 1 run "$WORK/$case.toml" --set output.store=$store -o "$WORK/$case-$store.h5" \
            2>"$WORK/log-$case-$store" || { cat "$WORK/log-$case-$store"; fail "$case $store run"; }
    done
    grep -qi "effective sample size\|ESS" "$WORK/log-no_targets-$store" \
        && { cat "$WORK/log-no_targets-$store"; fail "$store: a warning about the ESS without targets"; }
done
# `targets = []` is the same as no targets at all.
chiprace_mpi 1 1 run "$WORK/no_targets.toml" --set output.store=summary --set 'calibration.targets=[]' \
    -o "$WORK/empty-list.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "targets = []"; }
# (Only the record of the experiment, /config*, and the root attributes that list the --set may
# differ.)
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/no_targets-summary.h5" \
    "$WORK/empty-list.h5" >"$WORK/diff" || true
grep '^/' "$WORK/diff" | grep -v "^$WORK/" | grep -v '^/config' | grep -v '^/ attribute' \
    >"$WORK/datasets-differ" || true
[ ! -s "$WORK/datasets-differ" ] || { cat "$WORK/diff"; fail "targets = [] differs from no targets"; }

"$PYTHON" - "$WORK" "$N" <<'PY'
import sys

import h5py
import numpy as np

work, N = sys.argv[1], int(sys.argv[2])
failures = []
STATISTICS = ["mean", "std", "min", "max", "quantiles", "n_finite", "n_non_finite"]


def same(a, b):
    """The same type, shape and bytes (strings: the same strings)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    x, y = np.asarray(a[()]), np.asarray(b[()])
    if x.dtype.kind in "OSU":
        return x.tolist() == y.tolist()
    return x.tobytes() == y.tobytes()


def datasets(group):
    found = {}
    group.visititems(lambda name, obj: found.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return found


for store in ["summary", "raw"]:
    with h5py.File(f"{work}/no_targets-{store}.h5", "r") as f, \
            h5py.File(f"{work}/plain-{store}.h5", "r") as plain:
        compared = 0
        # Posterior = prior, for every policy, contrast and output, every statistic.
        groups = [f"policies/{p}" for p in f["policies"]] + [f"contrasts/{c}" for c in f["contrasts"]]
        for g in groups:
            prior, post = f[f"{g}/summary"], f.get(f"{g}/posterior")
            if post is None:
                failures.append(f"{store}: /{g}/posterior missing")
                continue
            if sorted(post) != sorted(prior):
                failures.append(f"{store}: /{g}: posterior outputs {sorted(post)} != summary {sorted(prior)}")
            for output in prior:
                for stat in STATISTICS:
                    a, b = prior[f"{output}/{stat}"], post.get(f"{output}/{stat}")
                    if b is None or not same(a, b):
                        failures.append(f"{store}: /{g}/posterior/{output}/{stat} differs from the summary's")
                    compared += 1
        # The inputs: posterior = prior.
        prior, post = f["calibration/inputs/prior"], f["calibration/inputs/posterior"]
        params = sorted(prior)
        if sorted(post) != params or "leakage_rate" not in params:
            failures.append(f"{store}: inputs: posterior {sorted(post)}, prior {params}")
        for p in params:
            for stat in STATISTICS:
                if not same(prior[f"{p}/{stat}"], post[f"{p}/{stat}"]):
                    failures.append(f"{store}: /calibration/inputs/posterior/{p}/{stat} differs from the prior's")
                compared += 1
            if int(prior[f"{p}/n_finite"][()]) != N:
                failures.append(f"{store}: prior n_finite of {p} is not N")
        # Diagnostics of weights that are all 1.
        d = f["calibration/diagnostics"]
        expect = {"ess": float(N), "ess_fraction": 1.0, "sum_weights": float(N),
                  "sum_weights_squared": float(N), "max_weight": 1.0}
        for key, value in expect.items():
            if float(d[key][()]) != value:
                failures.append(f"{store}: {key} = {d[key][()]!r}, not {value}")
        if int(d["n_positive"][()]) != N or int(d["posterior_written"][()]) != 1:
            failures.append(f"{store}: n_positive {d['n_positive'][()]}, posterior_written {d['posterior_written'][()]}")
        if d["target_ess"].shape != (0,):
            failures.append(f"{store}: target_ess has shape {d['target_ess'].shape}, not (0,)")
        # No targets: n_targets = 0 and no per-target datasets (HDF5 has no empty string arrays).
        if int(f["calibration"].attrs["n_targets"]) != 0 or "target" in f["calibration"]:
            failures.append(f"{store}: n_targets {f['calibration'].attrs['n_targets']}, or a /calibration/target")
        if store == "raw":
            w = f["calibration/weight"][()]
            if w.shape != (N,) or not np.all(w == 1.0):
                failures.append("raw: /calibration/weight is not all 1")
        # The prior side is the uncalibrated run's, bit for bit: every dataset of the plain file
        # but the experiment's text.
        mine, theirs = datasets(f), datasets(plain)
        for name, ds in theirs.items():
            if name.startswith("config"):
                continue
            if name not in mine:
                failures.append(f"{store}: /{name} missing from the calibrated file")
            elif not same(ds, mine[name]):
                failures.append(f"{store}: /{name} differs from the uncalibrated run's")
            compared += 1
        extra = sorted(n for n in mine if n not in theirs and not n.startswith("config")
                       and not n.startswith("calibration/") and "/posterior/" not in n)
        if extra:
            failures.append(f"{store}: datasets only in the calibrated file: {extra[:5]}")
        print(f"{store}: {compared} datasets compared")

for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY

# ---- 2. the ESS below min_ess --------------------------------------------------------------------
TIGHT=(--set 'calibration.targets=[{ output = "cn_stock", year = 2025, policy = "rescission_deals", observation = "normal", mean = 1.6, sd = 0.001 }]')
set +e
chiprace_mpi 2 1 run "$WORK/no_targets.toml" "${TIGHT[@]}" --set 'calibration.on_low_ess="error"' \
    -o "$WORK/refused.h5" 2>"$WORK/log"
code=$?
set -e
cat "$WORK/log"
[ "$code" = 1 ] || fail "on_low_ess = error: exit code $code, not 1"
grep -qiE "effective sample size|ESS" "$WORK/log" || fail "the refusal does not name the ESS"
[ -e "$WORK/refused.h5" ] || fail "on_low_ess = error: no file (the prior results must be kept)"
set +e
chiprace_mpi 2 1 run "$WORK/no_targets.toml" "${TIGHT[@]}" --set 'calibration.on_low_ess="warn"' \
    -o "$WORK/warned.h5" 2>"$WORK/log"
code=$?
set -e
cat "$WORK/log"
[ "$code" = 0 ] || fail "on_low_ess = warn: exit code $code, not 0"
grep -qiE "warning.*(effective sample size|ESS)" "$WORK/log" || fail "no warning about the ESS"

"$PYTHON" - "$WORK/refused.h5" "$WORK/warned.h5" "$WORK/no_targets-summary.h5" <<'PY'
import sys

import h5py

refused, warned, reference = sys.argv[1:4]
with h5py.File(refused, "r") as f, h5py.File(reference, "r") as ref:
    d = f["/calibration/diagnostics"]
    ess = float(d["ess"][()])
    assert ess < 100, ess
    assert int(d["posterior_written"][()]) == 0, d["posterior_written"][()]
    found = []
    f.visit(found.append)
    posterior = [n for n in found if "posterior" in n.split("/")]
    assert not posterior, f"posterior groups in a refused file: {posterior[:5]}"
    # The prior summaries are there, and they are those of any run of the same futures.
    for p in ref["policies"]:
        for stat in ["mean", "std", "quantiles"]:
            a, b = f[f"/policies/{p}/summary/cn_stock/{stat}"], ref[f"/policies/{p}/summary/cn_stock/{stat}"]
            assert a[()].tobytes() == b[()].tobytes(), (p, stat)
    assert "/calibration/inputs/prior/leakage_rate/mean" in f
    print(f"refused: ESS {ess:.2f}, posterior_written 0, prior summaries kept")
with h5py.File(warned, "r") as f:
    assert int(f["/calibration/diagnostics/posterior_written"][()]) == 1
    assert "/policies/nvidia/posterior/cn_stock/mean" in f
    assert "/calibration/inputs/posterior/leakage_rate/mean" in f
    print(f"warned: ESS {float(f['/calibration/diagnostics/ess'][()]):.2f}, posterior written")
PY
