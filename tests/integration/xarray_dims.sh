# netCDF/xarray compatibility: xarray.open_dataset sees named dimensions (sample, time,
# quantile_level) in every group, through the netCDF-4 library.
source "$(dirname "$0")/lib.sh"
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 1500 \
    --set output.store=raw -o "$WORK/x.h5" 2>/dev/null
"$PYTHON" - "$WORK/x.h5" <<'PY'
import sys
import xarray as xr
path = sys.argv[1]
out = xr.open_dataset(path, group="policies/anthropic/outputs", engine="netcdf4")
assert out["compute_ratio"].dims == ("sample", "time"), out["compute_ratio"].dims
assert out["cum_smuggled"].dims == ("sample",)
assert out.sizes["sample"] == 1500 and out.sizes["time"] == 11
# Coordinate values live in the root group, where netCDF-4 defines the shared dimensions.
root = xr.open_dataset(path, engine="netcdf4")
assert list(root["time"].values[:2]) == [2025, 2026]
assert out["compute_ratio"].attrs["units"] == "1"
inputs = xr.open_dataset(path, group="inputs", engine="netcdf4")
assert inputs["mfu"].dims == ("sample",)
summary = xr.open_dataset(path, group="contrasts/nvidia_vs_diffusion_rule/summary/frontier_gap_years",
                          engine="netcdf4")
assert summary["quantiles"].dims == ("time", "quantile_level"), summary["quantiles"].dims
summary = summary.assign_coords(time=root["time"].values, quantile_level=root["quantile_level"].values)
median_2030 = float(summary["quantiles"].sel(time=2030, quantile_level=0.5))
assert median_2030 < 0, median_2030  # nvidia narrows the gap against the Diffusion Rule
print("xarray sees named dimensions; nvidia vs diffusion_rule gap 2030 median", median_2030)

# /robustness/<objective> (the flagship's [robustness]): every axis is a named dimension, the
# dominance matrix (policy, versus) rather than a dimension used twice, which netCDF refuses.
robust = xr.open_dataset(path, group="robustness", engine="netcdf4")
policies = [str(p) for p in robust["policy"].values]
assert sorted(policies) == ["anthropic", "diffusion_rule", "nvidia", "pre_diffusion",
                            "rescission_deals", "tight_enforcement"], policies
assert len(policies) == 6 and list(robust["versus"].values) == list(robust["policy"].values)
for name, thresholds in (("frontier_gap_years_2030", [1.0]), ("us_stack_share_2035", [0.95]),
                         ("revenue_2030", [])):
    g = xr.open_dataset(path, group=f"robustness/{name}", engine="netcdf4")
    for var in ("regret_mean", "regret_std", "regret_min", "regret_max", "regret_n_finite",
                "mean_regret_rank", "minimax_regret_rank", "best_share", "best_low"):
        assert g[var].dims == ("policy",), (name, var, g[var].dims)
    for var in ("dominance_count", "dominance_share", "dominance_low", "dominance_high"):
        assert g[var].dims == ("policy", "versus"), (name, var, g[var].dims)
    assert g["regret_quantiles"].dims == ("policy", "quantile_level"), g["regret_quantiles"].dims
    assert g.sizes["policy"] == 6 and g.sizes["versus"] == 6 and g.sizes["quantile_level"] == 5
    if thresholds:
        for var in ("satisficing_count", "satisficing_share", "satisficing_low", "satisficing_high"):
            assert g[var].dims == ("threshold", "policy"), (name, var, g[var].dims)
        assert list(g["threshold"].values) == thresholds, g["threshold"].values
    else:
        assert "satisficing_share" not in g and "threshold" not in g.dims, name
    # Labelled selection works: the diagonal of the dominance matrix is 0.
    m = g["dominance_count"].assign_coords(policy=policies, versus=policies)
    assert all(int(m.sel(policy=p, versus=p)) == 0 for p in policies), name
    assert g.attrs["better"] == "higher" and int(g.attrs["n_samples"]) == 1500, g.attrs
print("xarray sees /robustness/<objective> with dims policy, (policy, versus), (threshold, "
      "policy), (policy, quantile_level)")

# The streaming quantiles are within their stated bound of the exact quantiles of the rows.
import h5py
import numpy as np
f = h5py.File(path, "r")
levels = f["quantile_level"][()]
worst = 0.0
for policy in f["policies"]:
    for name, ds in f[f"policies/{policy}/outputs"].items():
        rows = ds[()].reshape(ds.shape[0], -1)
        q = f[f"policies/{policy}/summary/{name}/quantiles"]
        bound = q.attrs["relative_error_bound"]
        est = q[()].reshape(rows.shape[1], -1)
        for c in range(rows.shape[1]):
            col = rows[:, c][np.isfinite(rows[:, c])]
            exact = np.quantile(col, levels, method="lower")
            err = np.abs(est[c] - exact)
            assert np.all(err <= bound * np.abs(exact) * (1 + 1e-12)), (policy, name, c, est[c], exact)
            worst = max(worst, float(np.max(err / np.maximum(np.abs(exact), 1e-300))))
print(f"quantile sketch: worst relative error {worst:.2e} within the bound {bound:.2e}")
PY

# /parameter (sensitivity runs, chiprace analyze) is a variable-length string dimension scale:
# Debian 12's netCDF 4.9.0 crashed on the fixed-length strings written before, killing Python.
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 256 -q \
    --set 'experiment.design="saltelli"' --set output.store=summary -o "$WORK/s.h5" 2>/dev/null
"$PYTHON" - "$WORK/s.h5" <<'PY'
import sys
import xarray as xr
root = xr.open_dataset(sys.argv[1], engine="netcdf4")
assert list(root["parameter"].values) == ["x1", "x2", "x3"], root["parameter"].values
print("xarray reads /parameter:", list(root["parameter"].values))
PY
