# The figure pipeline (issue 9): scripts/figures.sh at a small sample count writes every figure
# as PNG, PDF and CSV; each CSV holds exactly the numbers of the result files it was drawn from;
# a second run skips the current experiments and writes byte-identical files; the currency
# check notices a changed override and a changed included file; the raw-row routes of the
# distribution figures agree with the rows; the reader refuses foreign and future files.
source "$(dirname "$0")/lib.sh"
# ctest may give this test fewer cores than the 2 ranks the pipeline starts.
export OMPI_MCA_rmaps_base_oversubscribe=1
export CHIPRACE MPIEXEC
N=256   # a multiple of the grids' 8 and 16 cells, and a power of two for the Sobol' base
figures=(fan_chart gap_cdf china_sources sobol_indices morris_screening tradeoff
         cap_leakage_heatmap paired_effect crux robustness prim_gap2030_anthropic calibration)

bash "$SOURCE_DIR/scripts/figures.sh" --samples $N --results "$WORK/res" --out "$WORK/fig1" \
    >"$WORK/log1" 2>&1 || { cat "$WORK/log1"; fail "first run"; }
for f in "${figures[@]}"; do
    for ext in png pdf csv; do
        [ -s "$WORK/fig1/$f.$ext" ] || { cat "$WORK/log1"; fail "no $f.$ext"; }
    done
done
[ "$(ls "$WORK/fig1" | wc -l)" -eq $((3 * ${#figures[@]})) ] || { ls "$WORK/fig1"; fail "unexpected files"; }

# Every CSV against the result file it was drawn from, number for number (CSVs hold the
# shortest repr of each double, so equality is exact).
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/res" "$WORK/fig1" $N <<'PY'
import csv, math, sys
import numpy as np
from chiprace_results import open_result

res, fig, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

def rows(name):
    with open(f"{fig}/{name}.csv", newline="") as f:
        data = list(csv.DictReader(f))
    assert data, name
    return data

def same(a, b, what):
    assert float(a) == float(b), (what, a, b)

with open_result(f"{res}/policy_comparison.h5") as r:
    assert r.n_samples == n
    fan = rows("fan_chart")
    assert len(fan) == len(r.policies) * len(r.years) * 5, len(fan)
    medians = 0
    for row in fan:
        q = r.quantile(r.policy(row["policy"]), "compute_ratio", float(row["quantile_level"]),
                       year=int(row["year"]))
        same(row["compute_ratio"], q, row)
        medians += float(row["quantile_level"]) == 0.5
    assert medians == len(r.policies) * len(r.years)
    for row in rows("china_sources"):
        g, year = r.policy(row["policy"]), int(row["year"])
        if row["quantile_level"] == "mean":   # the caption's mean-to-median ratios
            same(row["value"], r.mean(g, row["output"], year=year), row)
        else:
            same(row["value"], r.quantile(g, row["output"], float(row["quantile_level"]),
                                          year=year), row)
    assert {row["output"] for row in rows("china_sources")} == {
        "cn_legal_imports", "cn_smuggled", "cn_domestic"}
    for row in rows("tradeoff"):
        same(row["value"], r.quantile(r.policy(row["policy"]), row["output"],
                                      float(row["quantile_level"]), year=int(row["year"])), row)
    # The robustness table and dominance matrix against /robustness: every drawn number, rows
    # in the order of the first objective's mean-regret rank, the matrix of that objective.
    found = r.robustness()
    assert list(found) == ["frontier_gap_years_2030", "us_stack_share_2035", "revenue_2030"], list(found)
    rob = rows("robustness")
    first = next(iter(found.values()))
    P = len(first.policies)
    counts = {}
    for row in rob:
        o = found[row["objective"]]
        i = o.index(row["policy"])
        kind = row["quantity"]
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "mean_regret_rank":
            assert int(row["value"]) == o.mean_regret_rank[i], row
        elif kind in ("regret_mean", "regret_max"):
            same(row["value"], getattr(o, kind)[i], row)
        elif kind == "satisficing_share":
            k = o.threshold_index(float(row["threshold"]))
            for col, name in (("value", "share"), ("low", "low"), ("high", "high")):
                same(row[col], getattr(o, f"satisficing_{name}")[k, i], (row, col))
        elif kind == "dominance_share":
            assert o is first, row
            j = o.index(row["versus"])
            assert i != j, row
            for col, name in (("value", "share"), ("low", "low"), ("high", "high")):
                same(row[col], getattr(o, f"dominance_{name}")[i, j], (row, col))
        else:
            raise AssertionError(row)
    O = len(found)
    assert counts == {"mean_regret_rank": O * P, "regret_mean": O * P, "regret_max": O * P,
                      "satisficing_share": sum(o.thresholds.size for o in found.values()) * P,
                      "dominance_share": P * (P - 1)}, counts
    drawn = [row["policy"] for row in rob if row["objective"] == first.name
             and row["quantity"] == "mean_regret_rank"]
    assert sorted(drawn) == sorted(first.policies), drawn
    ranks = [first.mean_regret_rank[first.index(p)] for p in drawn]
    assert ranks == sorted(ranks), (drawn, ranks)

# The PRIM figure against /discovery/gap2030_anthropic (written by chiprace discover in
# scripts/figures.sh): every step of the trajectory and the chosen box's limits and quasi-p.
with open_result(f"{res}/scenario_discovery.h5") as r:
    g = r.h5["discovery/gap2030_anthropic"]
    prim = rows("prim_gap2030_anthropic")
    steps = [row for row in prim if row["part"] == "trajectory"]
    assert len(steps) == g["coverage"].shape[0], (len(steps), g["coverage"].shape)
    for row in steps:
        i = int(row["step"])
        for key in ("coverage", "density", "mass"):
            same(row[key], g[key][i], (row, key))
        assert int(row["res_dim"]) == g["res_dim"][i], row
    chosen = int(g.attrs["chosen"])
    inputs = [x.decode() if isinstance(x, bytes) else str(x) for x in g.attrs["inputs"]]
    box = [row for row in prim if row["part"] == "box"]
    assert box and all(int(row["step"]) == chosen for row in box), box
    lower, upper = g["lower"][chosen], g["upper"][chosen]
    assert len(box) == int(g["res_dim"][chosen]), (len(box), g["res_dim"][chosen])
    for row in box:
        j = inputs.index(row["input"])
        same(row["lower"], lower[j], row)
        same(row["upper"], upper[j], row)

with open_result(f"{res}/policy_distributions.h5") as r:
    cdf = rows("gap_cdf")
    assert {int(row["year"]) for row in cdf} == {2027, 2030}
    for row in cdf:
        if row["kind"] == "quantile":
            same(row["frontier_gap_years"],
                 r.quantile(r.policy(row["policy"]), "frontier_gap_years",
                            float(row["cumulative_share"]), year=int(row["year"])), row)
        else:
            assert 0 <= float(row["cumulative_share"]) <= 1, row
    assert sum(row["kind"] == "quantile" for row in cdf) == len(r.policies) * 2 * len(r.quantile_levels)
    eff = rows("paired_effect")
    group = r.contrast("anthropic", "diffusion_rule")
    for row in eff:
        if row["kind"] == "quantile":
            same(row["effect_from"], r.quantile(group, "compute_ratio", float(row["level_from"]),
                                                year=2030), row)
        if row["kind"] == "mean":
            same(row["effect_from"], r.mean(group, "compute_ratio", year=2030), row)
        if row["kind"] == "bin":
            assert float(row["effect_to"]) >= float(row["effect_from"]), row

with open_result(f"{res}/sensitivity.h5") as r:
    sob = rows("sobol_indices")
    for row in sob:
        s = r.sensitivity(row["group"], row["output"]).at_year(int(row["year"]))
        k = r.parameters.index(row["parameter"])
        for name in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
            same(row[name], s[name][k], (row, name))
    assert {row["group"] for row in sob} == set(r.groups)

with open_result(f"{res}/screening.h5") as r:
    mor = rows("morris_screening")
    for row in mor:
        s = r.sensitivity(row["group"], row["output"]).at_year(int(row["year"]))
        k = r.parameters.index(row["parameter"])
        for name in ("mu_star", "mu_star_low", "mu_star_high", "sigma", "mu"):
            same(row[name], s[name][k], (row, name))
    assert len(mor) == len(r.groups) * 2 * len(r.parameters)

with open_result(f"{res}/cap_leakage_grid.h5") as r:
    cells, t = r.design_role("cell"), r.year_index(2030)
    (param, values), = r.grid_axes
    grid = rows("cap_leakage_heatmap")
    assert len(grid) == len(r.policies) * len(values)
    for row in grid:
        gap = r.raw(r.policy(row["policy"]), "frontier_gap_years")[:, t]
        k = int(np.flatnonzero(values == float(row[param]))[0])
        g = gap[cells == k]
        assert int(row["n_futures"]) == g.size == n // len(values)
        same(row["p_gap_below_1_2030"], np.mean(g[np.isfinite(g)] < 1.0), row)

with open_result(f"{res}/crux.h5") as r:
    cells = r.design_role("cell")
    (rp, rv), (cp, cv) = r.grid_axes
    crux = rows("crux")
    assert len(crux) == 2 * 2 * len(rv) * len(cv), len(crux)
    for row in crux:
        k = int(np.flatnonzero(rv == float(row[rp]))[0]) * len(cv) + \
            int(np.flatnonzero(cv == float(row[cp]))[0])
        a = r.raw(r.policy("anthropic"), row["output"], int(row["year"]))[cells == k]
        b = r.raw(r.policy("nvidia"), row["output"], int(row["year"]))[cells == k]
        a, b = a.astype(np.float64), b.astype(np.float64)
        ok = np.isfinite(a) & np.isfinite(b)
        assert int(row["n_futures"]) == ok.sum() and ok.sum() > 0, row
        same(row["p_anthropic_ahead"], np.mean(a[ok] > b[ok]), row)
        same(row["median_ratio"], np.median(a[ok] / b[ok]), row)
        same(row["median_difference"], np.median(a[ok] - b[ok]), row)
# Prior against posterior (experiments/calibrated.toml): the compute ratio of every policy at
# three levels, and the most narrowed inputs, in order, with their summaries and the two
# derived numbers computed here from /calibration/inputs.
with open_result(f"{res}/calibrated.h5") as r:
    assert r.n_samples == n and r.calibrated
    cal = rows("calibration")
    ratio = [row for row in cal if row["panel"] == "compute_ratio"]
    assert len(ratio) == len(r.policies) * 3, len(ratio)
    assert {row["subject"] for row in ratio} == set(r.policies)
    for row in ratio:
        g, level, year = r.policy(row["subject"]), float(row["level"]), int(row["year"])
        assert row["statistic"] == "quantile" and level in (0.05, 0.5, 0.95), row
        same(row["prior"], r.quantile(g, "compute_ratio", level, year=year), row)
        same(row["posterior"], r.quantile(g, "compute_ratio", level, year=year, posterior=True), row)
    summaries = {p: (r.input_summary(p), r.input_summary(p, posterior=True))
                 for p in r.calibration_inputs}
    spread = sorted((post.std / prior.std, p) for p, (prior, post) in summaries.items()
                    if prior.std > 0)
    drawn = list(dict.fromkeys(row["subject"] for row in cal if row["panel"] == "inputs"))
    assert drawn == [p for _, p in spread[:8]], (drawn, spread[:8])
    for row in cal:
        if row["panel"] != "inputs":
            continue
        prior, post = summaries[row["subject"]]
        kind = row["statistic"]
        if kind in ("mean", "std"):
            same(row["prior"], getattr(prior, kind), row)
            same(row["posterior"], getattr(post, kind), row)
        elif kind == "std_ratio":
            same(row["posterior"], post.std / prior.std, row)
        elif kind == "mean_shift_in_prior_sd":
            same(row["posterior"], (post.mean - prior.mean) / prior.std, row)
        else:
            raise AssertionError(row)
    assert len(cal) == len(ratio) + 4 * len(drawn), len(cal)
print("CSVs match the result files")
PY

# Second run: every experiment is current, and every file is the same, byte for byte.
bash "$SOURCE_DIR/scripts/figures.sh" --samples $N --results "$WORK/res" --out "$WORK/fig2" \
    >"$WORK/log2" 2>&1 || { cat "$WORK/log2"; fail "second run"; }
[ "$(grep -c 'current, not rerun' "$WORK/log2")" -eq 8 ] || { cat "$WORK/log2"; fail "reran a current experiment"; }
(cd "$WORK/fig1" && sha256sum -- *) >"$WORK/sums"
(cd "$WORK/fig2" && sha256sum --quiet -c "$WORK/sums") || fail "a second run changed figure files (determinism)"
echo "second run: experiments skipped, $((3 * ${#figures[@]})) files byte-identical"

# The currency check: a different override, and an edited included file, make a result stale.
check() { (cd "$1" && PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" "$SOURCE_DIR/analysis/check_current.py" "${@:2}"); }
if check "$SOURCE_DIR" experiments/screening.toml "$WORK/res/screening.h5" "$CHIPRACE" \
        experiment.samples=$((N / 2)) >"$WORK/why"; then
    fail "a result run with other overrides counted as current"
fi
grep -q "overrides" "$WORK/why" || { cat "$WORK/why"; fail "reason not given"; }
cp -r "$SOURCE_DIR/experiments" "$WORK/exp"
(cd "$WORK" && "$CHIPRACE" run exp/screening.toml --samples 8 -o "$WORK/s8.h5" -q 2>/dev/null)
check "$WORK" exp/screening.toml "$WORK/s8.h5" "$CHIPRACE" experiment.samples=8 >/dev/null \
    || fail "a fresh result counted as out of date"
echo "# edited" >>"$WORK/exp/priors/default.toml"
if check "$WORK" exp/screening.toml "$WORK/s8.h5" "$CHIPRACE" experiment.samples=8 >"$WORK/why"; then
    fail "an edited included file went unnoticed"
fi
grep -q "included file exp/priors/default.toml changed" "$WORK/why" || { cat "$WORK/why"; fail "wrong reason"; }

# The raw-row routes of the distribution figures: shares and quantiles from the rows.
chiprace_mpi 1 1 run "$SOURCE_DIR/experiments/policy_distributions.toml" --samples 400 \
    --set output.store=raw -o "$WORK/raw.h5" -q 2>/dev/null || fail "raw run"
for s in fig_gap_cdf fig_paired_effect; do
    "$PYTHON" "$SOURCE_DIR/analysis/$s.py" "$WORK/raw.h5" --out "$WORK/rawfig" >/dev/null || fail "$s on rows"
done
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/raw.h5" "$WORK/rawfig" <<'PY'
import csv, sys
import numpy as np
from chiprace_results import open_result
r = open_result(sys.argv[1])
read = lambda n: list(csv.DictReader(open(f"{sys.argv[2]}/{n}.csv", newline="")))
for row in read("gap_cdf"):
    x = r.raw(r.policy(row["policy"]), "frontier_gap_years", int(row["year"]))
    if row["kind"] == "quantile":
        want = np.quantile(x, float(row["cumulative_share"]), method="lower")
        assert float(row["frontier_gap_years"]) == want, row
    else:
        assert float(row["cumulative_share"]) == np.mean(x < 1.0), row
d = r.raw(r.policy("anthropic"), "compute_ratio", 2030) - r.raw(r.policy("diffusion_rule"), "compute_ratio", 2030)
for row in read("paired_effect"):
    if row["kind"] == "quantile":
        assert float(row["effect_from"]) == np.quantile(d, float(row["level_from"]), method="lower"), row
    if row["kind"] == "mean":
        assert float(row["effect_from"]) == np.mean(d), row
print("raw-row routes agree with the rows")
PY

# The reader refuses other major versions and files that are not chiprace's, naming both.
"$PYTHON" - "$WORK/res/screening.h5" "$WORK" "$SOURCE_DIR/analysis" <<'PY'
import shutil, sys, h5py
work = sys.argv[2]
shutil.copy(sys.argv[1], f"{work}/v2.h5")
with h5py.File(f"{work}/v2.h5", "a") as f:
    f.attrs["format_version"] = 2
    f.attrs["format_version_minor"] = 3
with h5py.File(f"{work}/other.h5", "w") as f:
    f.attrs["format"] = "netCDF"
# A file without /robustness (no [robustness], or written before it existed): nothing, no error.
shutil.copy(sys.argv[1], f"{work}/no_robustness.h5")
with h5py.File(f"{work}/no_robustness.h5", "a") as f:
    del f["robustness"]
sys.path.insert(0, sys.argv[3])
from chiprace_results import open_result
with open_result(f"{work}/no_robustness.h5") as r:
    assert r.robustness() == {}
with open_result(sys.argv[1]) as r:
    assert list(r.robustness()) == ["frontier_gap_years_2030", "us_stack_share_2035", "revenue_2030"]
PY
for bad in v2 other; do
    if "$PYTHON" "$SOURCE_DIR/analysis/fig_morris.py" "$WORK/$bad.h5" --out "$WORK/badfig" 2>"$WORK/err"; then
        fail "figure drawn from $bad.h5"
    fi
done
"$PYTHON" "$SOURCE_DIR/analysis/fig_morris.py" "$WORK/v2.h5" --out "$WORK/badfig" 2>"$WORK/err" || true
grep -q "v2.h5: format version 2.3, but this reader .* reads version 1.x only" "$WORK/err" \
    || { cat "$WORK/err"; fail "version refusal"; }
"$PYTHON" "$SOURCE_DIR/analysis/fig_morris.py" "$WORK/other.h5" --out "$WORK/badfig" 2>"$WORK/err" || true
grep -q "other.h5: not a chiprace result file" "$WORK/err" || { cat "$WORK/err"; fail "format refusal"; }
[ ! -e "$WORK/badfig" ] || fail "files written for a refused result"
echo "figures: all checks passed"
