# What researchers see of a calibrated run (issue 18): `chiprace info` prints the targets, the
# effective sample size, prior against posterior for the headline outputs and the most
# narrowed inputs, every number as the file holds it; --all every output, year and input; a
# warning below min_ess; no posterior section when the run refused one; without targets every
# prior equals its posterior; a file without /calibration has no such section.
source "$(dirname "$0")/lib.sh"
cat >"$WORK/cal.toml" <<TOML
[experiment]
include = ["$SOURCE_DIR/experiments/policy_comparison.toml"]
name = "calibration_info"

[calibration]
min_ess = 100

[[calibration.targets]]
output = "cn_stock"
year = 2025
policy = "rescission_deals"
observation = "lognormal"
p05 = 1.0
p95 = 2.6

[[calibration.targets]]
name = "smuggled"
output = "cn_smuggled"
year = 2025
policy = "rescission_deals"
observation = "interval"
low = 0.3
high = 0.6
tolerance = 0.1
TOML
run() { chiprace_mpi 2 1 run "$WORK/cal.toml" --samples 2048 -q "$@"; }
run -o "$WORK/cal.h5" || fail "calibrated run"
"$CHIPRACE" info "$WORK/cal.h5" >"$WORK/info" || fail "info"
"$CHIPRACE" info "$WORK/cal.h5" --all >"$WORK/info_all" || fail "info --all"

# Every number of the calibration section against the file: each is printed with 5
# significant digits (%.5g), so the file's value formatted alike must appear verbatim.
"$PYTHON" - "$WORK/cal.h5" "$WORK/info" "$WORK/info_all" <<'PY' || fail "info does not show the file's calibration"
import re, sys
import h5py
import numpy as np

path, info, info_all = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
g = lambda x: f"{x:.5g}"
f = h5py.File(path, "r")
c, d = f["calibration"], f["calibration/diagnostics"]
section = info[info.index("\ncalibration  "):]
assert section.splitlines()[1].startswith("calibration  2 target(s)"), section[:200]

for name, ess in zip(c["target"].asstr()[:], d["target_ess"][:]):
    line = next(l for l in section.splitlines() if l.startswith(f"  {name} "))
    assert line.endswith(f"ESS alone {g(ess)}"), (line, ess)
assert "  cn_stock_2025  cn_stock[2025] under rescission_deals" in section
assert "lognormal p05 1, p95 2.6" in section and "interval [0.3, 0.6], tolerance 0.1" in section
n = int(f.attrs["n_samples"])
assert (f"  effective sample size (Kish)  {g(d['ess'][()])} of {n} samples "
        f"({100 * d['ess_fraction'][()]:.1f}%)") in section, section
assert (f"  weights                       {int(d['n_positive'][()])} samples with weight > 0, "
        f"max weight {g(d['max_weight'][()])}") in section
assert "warning" not in section, section

# Prior and posterior of the headline outputs in the headline years, per policy.
years = list(f["time"][:])
levels = list(f["quantile_level"][:])
m, lo, hi = levels.index(0.5), levels.index(0.05), levels.index(0.95)
def cell(s, t):
    q = s["quantiles"][t]
    return f"{g(s['mean'][t]):<8} {g(q[m])} [{g(q[lo])}, {g(q[hi])}]"
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
headline = text(f.attrs["headline_outputs"]).split()
headline_years = [int(y) for y in text(f.attrs["headline_years"]).split()]
rows = 0
for p in f["policies"]:
    for y in headline:
        for year in headline_years:
            t = years.index(year)
            prior = f[f"policies/{p}/summary/{y}"]
            post = f[f"policies/{p}/posterior/{y}"]
            pattern = (rf"^  {re.escape(f'{p}  {y}[{year}]')} +{re.escape(cell(prior, t))} +"
                       rf"{re.escape(cell(post, t))} +{re.escape(text(prior.attrs['units']))}$")
            assert re.search(pattern, section, re.M), (pattern, section)
            rows += 1
table = section[section.index("\nprior and posterior"):section.index("\nmost narrowed")]
assert len(table.strip().splitlines()) == rows + 2, table   # title, column names, rows

# The five most narrowed inputs, in order, with their ratio and means.
prior, post = c["inputs/prior"], c["inputs/posterior"]
ratio = {k: post[k]["std"][()] / prior[k]["std"][()] for k in prior if prior[k]["std"][()] > 0}
order = sorted(ratio, key=lambda k: (ratio[k], k))
lines = section[section.index("\nmost narrowed"):].splitlines()[3:8]
for k, line in zip(order, lines):
    fields = line.split()
    assert fields[:4] == [k, g(ratio[k]), g(prior[k]["mean"][()]), g(post[k]["mean"][()])], (k, line)
    shift = (post[k]["mean"][()] - prior[k]["mean"][()]) / prior[k]["std"][()]
    assert fields[4] == f"{shift:+.3g}", (fields, shift)
assert len(lines) == 5 and section.rstrip().endswith(
    "(chiprace info --all lists the prior and posterior of every output, year and input)")

# --all: every group (policies and contrasts), output and year, and every input.
every = info_all[info_all.index("\ncalibration  "):]
n_rows = sum(f[f"{kind}/{grp}/posterior/{y}/mean"].size
             for kind in ("policies", "contrasts") for grp in f[kind]
             for y in f[f"{kind}/{grp}/posterior"])
table = every[every.index("\nprior and posterior"):every.index("\ninputs (")]
assert len(table.strip().splitlines()) == n_rows + 2, (len(table.strip().splitlines()), n_rows)
assert "  contrasts/anthropic_vs_diffusion_rule  compute_ratio[2035] " in table
inputs = every[every.index("\ninputs ("):].strip().splitlines()
assert len(inputs) == 2 + len(prior), (len(inputs), len(prior))
print(f"info matches the file: {rows} headline rows, {n_rows} rows with --all")
PY

# Below min_ess: a warning line; refused (on_low_ess = "error"): the warning says so and no
# posterior is shown.
run -o "$WORK/low.h5" --set calibration.min_ess=1e9 2>/dev/null || fail "run with a low ESS"
"$CHIPRACE" info "$WORK/low.h5" >"$WORK/info_low"
grep -qE "^warning: the effective sample size [0-9.]+ is below min_ess 1e\+09: the posterior rests on few futures" \
    "$WORK/info_low" || { cat "$WORK/info_low"; fail "no low-ESS warning"; }
grep -q "^prior and posterior" "$WORK/info_low" || fail "the low-ESS posterior is not shown"
rc=0; run -o "$WORK/refused.h5" --set calibration.min_ess=1e9 --set calibration.on_low_ess=error \
    2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "on_low_ess = error: exit code $rc, expected 1"
"$CHIPRACE" info "$WORK/refused.h5" >"$WORK/info_refused" || fail "info of a refused posterior"
grep -q '^warning: no posterior: the effective sample size .* and on_low_ess = "error"' \
    "$WORK/info_refused" || { cat "$WORK/info_refused"; fail "no refusal line"; }
if grep -qE "^(prior and posterior|most narrowed)" "$WORK/info_refused"; then
    fail "info shows a posterior the run did not write"
fi

# No targets: every weight is 1, so every prior cell equals its posterior cell.
run -o "$WORK/empty.h5" --set 'calibration.targets=[]' || fail "run without targets"
"$CHIPRACE" info "$WORK/empty.h5" --all >"$WORK/info_empty"
grep -q "^calibration  no targets: every weight is 1" "$WORK/info_empty" || fail "no-target line"
"$PYTHON" - "$WORK/info_empty" <<'PY' || fail "without targets a posterior differs from its prior"
import re, sys
text = open(sys.argv[1]).read()
table = text[text.index("\nprior and posterior"):text.index("\ninputs (")].strip().splitlines()[2:]
cell = r"(\S+ +\S+ \[\S+, \S+\])"
for line in table:
    a, b = re.findall(cell, line)
    assert a == b, line
inputs = text[text.index("\ninputs ("):].strip().splitlines()[2:]
for line in inputs:
    name, ratio, mean_a, mean_b, shift = line.split()
    assert mean_a == mean_b, line
    # A fixed input has no spread: "-" for its ratio and shift.
    assert (ratio, shift) == ("-", "-") or (ratio == "1" and float(shift) == 0), line
print(f"{len(table)} rows and {len(inputs)} inputs: posterior = prior")
PY

# Without [calibration]: no calibration section at all.
chiprace_mpi 1 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 256 -q \
    -o "$WORK/plain.h5" || fail "uncalibrated run"
"$CHIPRACE" info "$WORK/plain.h5" --all >"$WORK/info_plain"
if grep -qE "^(calibration|prior and posterior|most narrowed|inputs \()" "$WORK/info_plain"; then
    fail "info of an uncalibrated file shows calibration"
fi
echo "calibration info: all checks passed"
