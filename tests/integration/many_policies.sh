# A lever sweep of 300 policies with a reference (issue 14): the file holds every policy,
# contrast and sensitivity result. Each dimension scale lists its datasets in one attribute,
# which HDF5 limits to 64 KiB (about 4,000 datasets) unless the scale uses dense attribute
# storage; before, such a run computed everything and then failed writing its summaries.
source "$(dirname "$0")/lib.sh"

# 300 policies based on the reference, enforcement 0.50, 0.51, ...: p050 (1.00) is the
# reference's own setting, so its contrast is exactly zero (common random numbers).
{
    echo 'include = ["'"$SOURCE_DIR"'/experiments/policy_comparison.toml"]'
    for i in $(seq 0 299); do
        printf '[policies.p%03d]\nbased_on = "diffusion_rule"\nenforcement = %d.%02d\n' \
            "$i" $(((50 + i) / 100)) $(((50 + i) % 100))
    done
} >"$WORK/sweep.toml"
sed -i '1i [experiment]' "$WORK/sweep.toml"
# At the default quantile accuracy the sketches of 611 groups x 388 columns (compute_race
# version 2: 35 series x 11 years + 3 scalars) may need up to 145 GiB in the worst case, and the
# pre-flight check refuses the run (size_check.sh tests that); the file layout is what this test
# is about, so coarse quantiles (about 5 KiB a sketch).
echo '[output]' >>"$WORK/sweep.toml"
echo 'quantile_relative_error = 0.25' >>"$WORK/sweep.toml"

# Summaries with Sobol' indices of two outputs in two years (/parameter lists 12,000 datasets).
"$CHIPRACE" validate "$WORK/sweep.toml" --set experiment.design=saltelli \
    --set 'sensitivity.outputs=["compute_ratio", "frontier_gap_years"]' \
    --set 'sensitivity.years=[2027, 2030]' --set sensitivity.bootstrap=0 >/dev/null ||
    fail "validate (summary)"
chiprace_mpi 2 1 run "$WORK/sweep.toml" --samples 4 --set experiment.design=saltelli \
    --set 'sensitivity.outputs=["compute_ratio", "frontier_gap_years"]' \
    --set 'sensitivity.years=[2027, 2030]' --set sensitivity.bootstrap=0 \
    --set output.store=summary -q -o "$WORK/summary.h5" 2>"$WORK/log" ||
    { cat "$WORK/log"; fail "summary run with 306 policies"; }

# Raw rows (/sample lists 11,690 datasets), then rank correlations written into the file.
chiprace_mpi 2 1 run "$WORK/sweep.toml" --samples 16 --set output.store=raw -q \
    -o "$WORK/raw.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "raw run with 306 policies"; }
"$CHIPRACE" analyze "$WORK/raw.h5" -q 2>"$WORK/log" || { cat "$WORK/log"; fail "analyze"; }

"$PYTHON" - "$WORK/summary.h5" "$WORK/raw.h5" <<'PY'
import sys
import h5py
import numpy as np

s, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")


def entries(scale):
    """Number of datasets the scale lists (REFERENCE_LIST), without dereferencing them all."""
    return scale.attrs.get_id("REFERENCE_LIST").shape[0]


def scale_of(f, ds, dim):
    """The file address of the scale the dataset names for dimension dim (DIMENSION_LIST)."""
    return h5py.h5o.get_info(f[ds.attrs["DIMENSION_LIST"][dim][0]].id).addr


def addr(obj):
    return h5py.h5o.get_info(obj.id).addr


groups = 306 + 305
for f in (s, r):
    assert len(f["policies"]) == 306 and len(f["contrasts"]) == 305, (len(f["policies"]),)
    # The reference's own setting: a contrast of exactly zero, and the same summaries.
    z = f["contrasts/p050_vs_diffusion_rule/summary/compute_ratio"]
    assert np.all(z["mean"][()] == 0) and np.all(z["max"][()] == 0), z["mean"][()]
    for stat in ("mean", "std", "quantiles"):
        a = f["policies/p050/summary/compute_ratio/" + stat][()]
        b = f["policies/diffusion_rule/summary/compute_ratio/" + stat][()]
        assert np.array_equal(a, b), stat
    # /time lists the 7 summary datasets of each of the 35 per-year outputs of every group, the
    # 4 event datasets of frontier_gap_years of every policy (and in raw mode the 35 per-year
    # outputs of every policy): about 37 times what a 64 KiB list holds.
    expected = groups * 35 * 7 + 306 * 4 + (306 * 35 if "sample" in f else 0)
    assert entries(f["time"]) == expected, (entries(f["time"]), expected)
    # 35 series and 3 scalars per group, and each robustness objective's regret quantiles.
    objectives = len(f["robustness"].attrs["objectives"])
    assert objectives == 3, objectives  # the flagship's
    assert entries(f["quantile_level"]) == groups * 38 + objectives, entries(f["quantile_level"])
    last = f["contrasts/p299_vs_diffusion_rule/summary/frontier_gap_years/quantiles"]
    assert scale_of(f, last, 0) == addr(f["time"]) and scale_of(f, last, 1) == addr(f["quantile_level"])

# Sobol' indices of every group, attached to /parameter (10 datasets per output and group).
g = s["contrasts/p299_vs_diffusion_rule/sensitivity/compute_ratio"]
assert g["S1"].shape == (62, 2), g["S1"].shape  # the flagship's 62 parameters
assert entries(s["parameter"]) == groups * 2 * 10, entries(s["parameter"])
assert scale_of(s, g["ST"], 0) == addr(s["parameter"])

# Raw rows: p050's equal the reference's row for row; the contrast of p299 is the mean of the
# per-sample differences.
a = r["policies/p299/outputs/compute_ratio"][()]
b = r["policies/diffusion_rule/outputs/compute_ratio"][()]
assert np.array_equal(r["policies/p050/outputs/compute_ratio"][()], b)
mean = r["contrasts/p299_vs_diffusion_rule/summary/compute_ratio/mean"][()]
assert np.allclose(mean, (a - b).mean(axis=0), rtol=1e-12, atol=1e-12), (mean, (a - b).mean(axis=0))
# /sample: the 62 inputs and each policy's 38 outputs (35 series, 3 scalars)
assert entries(r["sample"]) == 62 + 306 * 38
assert scale_of(r, r["policies/p299/outputs/compute_ratio"], 0) == addr(r["sample"])
rc = r["policies/p299/rank_correlations/compute_ratio/spearman"]
assert rc.shape == (62, 11) and scale_of(r, rc, 0) == addr(r["parameter"])
assert entries(r["parameter"]) == 306 * 38 * 3
print("306 policies, 305 contrasts: summaries, Sobol' indices, raw rows and rank correlations")
PY

# netCDF-4 (through xarray) reads the dense scales and names the dimensions of the last groups.
# One open: the netCDF library reads the metadata of the whole file (about 30 s here).
"$PYTHON" - "$WORK/summary.h5" <<'PY'
import sys
import netCDF4
import xarray as xr
nc = netCDF4.Dataset(sys.argv[1])
root = xr.open_dataset(xr.backends.NetCDF4DataStore(nc))
assert list(root["time"].values[:2]) == [2025, 2026] and root.sizes["parameter"] == 62
q = xr.open_dataset(xr.backends.NetCDF4DataStore(
    nc["contrasts/p299_vs_diffusion_rule/summary/compute_ratio"]))
assert q["quantiles"].dims == ("time", "quantile_level"), q["quantiles"].dims
sens = xr.open_dataset(xr.backends.NetCDF4DataStore(nc["policies/p299/sensitivity/compute_ratio"]))
assert sens["S1"].dims == ("parameter", "sensitivity_year"), sens["S1"].dims
print("xarray opens the last policy's and contrast's groups with named dimensions")
PY

"$CHIPRACE" info "$WORK/summary.h5" >"$WORK/info" || fail "info (summary)"
"$CHIPRACE" info "$WORK/raw.h5" >"$WORK/info" || fail "info (raw)"
grep -q "p299" "$WORK/info" || { head -40 "$WORK/info"; fail "info does not show p299"; }
echo "many_policies: ok"
