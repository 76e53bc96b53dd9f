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
