"""Checks that no output of a raw compute_race result is physically implausible at its 99th
percentile, in any year and under any policy (issue 15): each bound below is a quantity of the
physical world (wafers, power plants, DRAM fabs, the world economy) that the model's late years
must not exceed, with its source in docs/model.md section 9.15.

    physical_bounds.py FILE            exit 1 if a bound is exceeded (the flagship must pass)
    physical_bounds.py FILE --expect-violation
                                       exit 1 unless some bound is exceeded (version 1 must
                                       fail: the bounds are not vacuous)

Power is computed per sample from the sampled kW per H100e of the year's chips, which is a lower
bound of the stock's draw (older chips draw more); it is skipped for a file that does not sample
kw_per_h100e_2025 (version 1). Shares must lie in [0, 1] and stocks be non-negative in every
sample, not only at the 99th percentile.
"""

import sys

import h5py
import numpy as np

LEVEL = 0.99

# name: (unit, limit, what the limit is)
BOUNDS = {
    "chips": ("M accelerators/yr", 1000.0,
              "2,000 M large logic dies = 67 M 300-mm wafers at 30 good dies each, over a third of "
              "all the wafers the world's fabs could start in 2025 (SEMI: 33.6 M 200-mm-equivalent "
              "wafers/month)"),
    "us_power": ("GW", 325.0,
                 "a quarter of US utility-scale generating capacity in 2024 (EIA: about 1,300 GW)"),
    "t2_power": ("GW", 375.0,
                 "a quarter of the generating capacity of India, the Gulf, South-East Asia, Mexico and "
                 "Brazil together (about 1,500 GW, IEA/Ember 2024)"),
    "cn_power": ("GW", 840.0,
                 "a quarter of China's generating capacity in 2024 (NEA: 3,350 GW)"),
    "money": ("B$/yr", 11000.0,
              "a tenth of the world's GDP in 2024 (IMF: about 110 T$)"),
    "hbm": ("M stacks", 4300.0,
            "five years of the world's whole DRAM wafer output made into HBM (about 1.8 M "
            "wafers/month x 40 stacks per wafer, about 860 M stacks/yr)"),
}

SHARES = ["us_stack_share", "cn_self_sufficiency", "cn_smuggled_share", "t2_cn_aligned"]
STOCKS = ["us_stock", "t2_stock", "cn_stock", "cn_usable", "us_controlled_stock", "t2_cn_stock",
          "cn_inference_stock", "cn_hbm_stock", "cn_legal_imports", "cn_smuggled", "cn_domestic",
          "cn_exports", "trusted_shipments", "us_chips", "cn_domestic_chips"]
MONEY = ["revenue", "revenue_forgone", "revenue_us", "revenue_tier2", "revenue_china", "fees_paid"]


def p99(values):
    """Lower sample quantile of the finite values per column (chiprace's definition)."""
    out = []
    for column in np.atleast_2d(values.T):
        finite = column[np.isfinite(column)]
        out.append(np.quantile(finite, LEVEL, method="lower") if finite.size else np.nan)
    return np.array(out)


def main():
    path = sys.argv[1]
    expect_violation = "--expect-violation" in sys.argv[2:]
    f = h5py.File(path, "r")
    years = f["time"][...]
    k = years - years[0]
    inputs = f["inputs"]
    w = None  # kW per H100e of year-k chips, (N, T)
    if "kw_per_h100e_2025" in inputs and "energy_efficiency_growth" in inputs:
        w = inputs["kw_per_h100e_2025"][...][:, None] / \
            inputs["energy_efficiency_growth"][...][:, None] ** k[None, :]
    worst = {}  # bound -> (ratio, policy, year, what, value)
    errors = []

    def check(bound, policy, what, values):
        q = p99(values)
        limit = BOUNDS[bound][1]
        for t, v in enumerate(q):
            if not np.isfinite(v):
                continue
            ratio = v / limit
            if bound not in worst or ratio > worst[bound][0]:
                worst[bound] = (ratio, policy, int(years[t]), what, v)

    for policy in f["policies"]:
        out = f["policies"][policy]["outputs"]
        get = lambda name: out[name][...]
        check("chips", policy, "us_chips", get("us_chips"))
        check("chips", policy, "cn_domestic_chips", get("cn_domestic_chips"))
        check("hbm", policy, "cn_hbm_stock", get("cn_hbm_stock"))
        for name in MONEY:
            check("money", policy, name, get(name))
        check("us_power", policy, "us_power", get("us_power"))
        if w is not None:
            check("t2_power", policy, "t2_stock x kW/H100e",
                  get("t2_stock") * w)
            check("cn_power", policy, "cn_stock x kW/H100e", get("cn_stock") * w)
        for name in SHARES:
            v = get(name)
            v = v[np.isfinite(v)]
            if v.size and (v.min() < 0.0 or v.max() > 1.0):
                errors.append(f"{policy}: {name} outside [0, 1]: {v.min():.6g} .. {v.max():.6g}")
        for name in STOCKS:
            v = get(name)
            # Quantities that are zero up to cancellation come out as -1e-13 or so.
            if np.nanmin(v) < -1e-9:
                errors.append(f"{policy}: {name} negative: {np.nanmin(v):.6g}")

    print(f"{'bound':9s} {'limit':>10s} {'unit':18s} {'worst p99':>11s} {'ratio':>6s}  where")
    violated = []
    for bound, (unit, limit, _) in BOUNDS.items():
        if bound not in worst:
            print(f"{bound:9s} {limit:10.6g} {unit:18s} {'(not computed: no kw_per_h100e_2025)':>11s}")
            continue
        ratio, policy, year, what, value = worst[bound]
        flag = "  EXCEEDED" if ratio > 1.0 else ""
        print(f"{bound:9s} {limit:10.6g} {unit:18s} {value:11.5g} {ratio:6.3f}  "
              f"{what}, {policy}, {year}{flag}")
        if ratio > 1.0:
            violated.append(bound)
    for e in errors:
        print("ERROR:", e)
    if expect_violation:
        if not violated:
            print("FAIL: no bound exceeded, but this file was expected to exceed one")
            return 1
        print(f"as expected, exceeded: {', '.join(violated)}")
        return 0
    if violated or errors:
        print("FAIL: physically implausible 99th percentiles:", ", ".join(violated))
        return 1
    print("every 99th percentile within its physical bound")
    return 0


if __name__ == "__main__":
    sys.exit(main())
