#!/usr/bin/python3
"""Vectorised NumPy implementation of the `compute_race` model (versions 1 and 2).

Version 1 (`evaluate`) was written from the model's equations (now docs/model.md sections
2-4), version 2 (`evaluate_v2`) from docs/model.md section 9 alone, both independently of
the C++ sources (src/model/compute_race.cpp and its header were not read);
tests/reference/compute_race_reference.py (a scalar reference, also written from the
documentation) was read only to cross-check the equations.  Version 2 follows section 9 as
revised: exports from the capacity China's buyers leave and a share of what they take (9.4),
learning that acts on the rate of China's progress (9.4), revenue summed from sales (9.9),
growth that slows (9.14); 62 parameters (41 required, 21 optional).  Parameters are arrays of
shape (N,), levers arrays of shape (T,), per-year outputs arrays of shape (N, T).  Standard
library + Debian's numpy only (h5py for `check`); no scipy.

Two uses:

  numpy_reference.py bench --samples N [--policy diffusion_rule] [--repeat R] [--chunk C]
      Times sampling (the 41 default parameters of version 1) + the model + summaries
      (mean, std, min, max, quantiles 0.05..0.95 "lower", non-finite counts per output
      column): the same end-to-end work as `chiprace run` in summary mode for one policy,
      2025-2035, single thread.  It runs version 1's `evaluate` (whole-array algebra, two
      small recurrences), so that its figure stays comparable with earlier ones.  Prints
      one line per repeat:
        numpy: N samples in S s (R samples/s)

  numpy_reference.py check --input FILE.h5 --policy P [--rtol 1e-10] [--atol 0]
      Re-evaluates the model (version 2: `evaluate_v2`) on the exact inputs of a chiprace
      raw result file, with the policy's levers from its /config_resolved
      (model.policy_levers_by_year), compares every output of /policies/P/outputs and
      reports the largest relative difference per output (|a - b| / max(|a|, |b|)).  A
      version-2 parameter absent from /inputs and a lever absent from the file take their
      neutral values (docs/model.md section 9.11).  NaN (and +/-inf) positions must match
      exactly; an output of the file this script does not compute, or one it computes that
      the file lacks, is a failure too.  Exit status 1 if any output differs by more than
      rtol (and --atol, default 0) or a non-finite position differs, 2 on a usage / file
      error.

Choices where the documentation is silent (same as the scalar reference; marked
"NOT SPECIFIED" in the code):
  * X_raw = 0: s_X = 1 (the test "X_raw > room" is false), X = 0 (version 1).
  * E_CN = 0 with gamma > 1: gap = +inf (NaN when gamma <= 1 or NaN) (version 1).
  * cn_domestic and cn_domestic_chips in version 2: cn_domestic = Dom_home (China's chips
    added to its own stock, exports excluded), cn_domestic_chips = N_made (every chip made,
    exports included); not the capacities Dom_cap and N_CN.
  * t2_cn_aligned: sigma(k), computed at the end of year k (used in year k+1).
  * Learning with Ŷ(k−1) = 0 (cn_chips_2025 = 0): l(k) = 1; chips made with e_CN = 0: the
    idle part (Dom_cap − Dom_home − Exp) / e_CN = 0/0 is read as 0.
  * china_legal_share = inf is no cap even when D_US <= 0; a finite one with D_US < 0 is
    used as written (a negative cap).
  * us_power_2025 sampled without kw_per_h100e_2025: no power bound (Cap_US needs w(k)).
"""

import os

# Single thread, set before numpy is imported (the bench is a per-core figure).
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

INF = float("inf")

# --------------------------------------------------------------------------- section 4
Z95 = 1.6448536269514722

# (name, kind, args) in the order of docs/model.md section 4: 41 parameters.
DEFAULTS = (
    ("us_supply_2025", "lognormal", (11.5, 16)),
    ("us_units_growth", "lognormal", (1.1, 1.7)),
    ("us_chip_perf_growth", "lognormal", (1.25, 1.40)),
    ("us_chip_perf_2025", "triangular", (1.5, 1.9, 2.3)),
    ("us_price_2025", "triangular", (12, 18, 25)),
    ("price_performance_growth", "lognormal", (1.25, 1.40)),
    ("china_demand_share", "beta", (7.49, 40.28)),
    ("tier2_demand_share", "beta", (7.49, 40.28)),
    ("tier2_capped_countries", "uniform", (10, 30)),
    ("tier2_lpp_share", "beta", (5.89, 21.77)),
    ("lpp_elasticity", "uniform", (0.5, 1.0)),
    ("reallocation_rate", "beta", (4.31, 1.69)),
    ("leakage_rate", "beta", (3.25, 22.08)),
    ("lpp_leakage_rate", "beta", (4.02, 11.63)),
    ("direct_leakage_rate", "beta", (2.40, 104.08)),
    ("enforcement_elasticity", "uniform", (0.2, 1.0)),
    ("cloud_access_share", "beta", (1.78, 26.59)),
    ("smuggling_premium", "uniform", (0.2, 1.0)),
    ("cn_chips_2025", "lognormal", (0.2, 0.9)),
    ("cn_chips_growth", "lognormal", (1.1, 2.5)),
    ("induced_substitution", "uniform", (0.0, 0.3)),
    ("cn_yield_2025", "beta", (5.94, 9.22)),
    ("cn_yield_max", "beta", (12.32, 5.61)),
    ("cn_yield_halflife", "uniform", (1, 4)),
    ("cn_hbm_stockpile", "uniform", (8, 13)),
    ("cn_hbm_domestic_2025", "lognormal", (0.1, 2.0)),
    ("cn_hbm_growth", "lognormal", (1.3, 3.0)),
    ("cn_hbm_per_chip", "fixed", (8,)),
    ("cn_chip_perf_2025", "triangular", (0.4, 0.6, 0.8)),
    ("cn_chip_perf_growth", "lognormal", (1.1, 1.45)),
    ("cn_chip_price_2025", "triangular", (10, 20, 30)),
    ("hardware_lifetime", "triangular", (3, 5, 6)),
    ("us_stock_2024", "lognormal", (4.0, 6.5)),
    ("t2_stock_2024", "lognormal", (0.3, 0.8)),
    ("cn_stock_2024", "lognormal", (0.6, 1.5)),
    ("us_largest_share", "beta", (5.44, 318.24)),
    ("cn_largest_share", "beta", (2.40, 104.08)),
    ("mfu", "beta", (20.95, 39.40)),
    ("run_days", "uniform", (60, 180)),
    ("algo_progress", "lognormal", (1.8, 5.3)),
    ("cn_algo_factor", "lognormal", (0.7, 1.5)),
)
PARAMETERS = tuple(name for name, _, _ in DEFAULTS)
assert len(PARAMETERS) == 41


def sample_defaults(n, rng):
    """Draw n samples of the 41 default parameters (docs/model.md section 4).

    Returns {name: float64 array (n,)}.  Direct samplers of numpy.random.Generator, not
    inverse CDFs: the values differ from chiprace's (Philox + quantiles), the distributions
    do not.
    """
    out = {}
    for name, kind, args in DEFAULTS:
        if kind == "lognormal":
            p05, p95 = args
            mu = 0.5 * (math.log(p05) + math.log(p95))
            sigma = (math.log(p95) - math.log(p05)) / (2.0 * Z95)
            out[name] = rng.lognormal(mu, sigma, n)
        elif kind == "beta":
            out[name] = rng.beta(args[0], args[1], n)
        elif kind == "triangular":
            out[name] = rng.triangular(args[0], args[1], args[2], n)
        elif kind == "uniform":
            out[name] = rng.uniform(args[0], args[1], n)
        elif kind == "fixed":
            out[name] = np.full(n, float(args[0]))
        else:  # pragma: no cover
            raise ValueError(kind)
    return out


# --------------------------------------------------------------------------- section 3.2
LEVERS = (
    "china_legal_cap", "tier2_country_cap", "tier2_exempt_capacity", "lpp_threshold",
    "enforcement", "leakage_multiplier", "cloud_kyc", "stringency", "china_fee",
)

POLICIES = {
    "pre_diffusion": dict(
        china_legal_cap=0.15, tier2_country_cap=INF, tier2_exempt_capacity=0.0,
        lpp_threshold=1700.0, enforcement=1.0, leakage_multiplier=1.0, cloud_kyc=0.0,
        stringency=0.6, china_fee=0.0),
    "diffusion_rule": dict(
        china_legal_cap=0.15, tier2_country_cap=0.0166, tier2_exempt_capacity=0.5,
        lpp_threshold=1700.0, enforcement=1.0, leakage_multiplier=1.0, cloud_kyc=0.3,
        stringency=0.8, china_fee=0.0),
    "anthropic": dict(
        china_legal_cap=0.0, tier2_country_cap=0.0333, tier2_exempt_capacity=0.5,
        lpp_threshold=500.0, enforcement=1.6, leakage_multiplier=1.0, cloud_kyc=0.5,
        stringency=1.0, china_fee=0.0),
    "nvidia": dict(
        china_legal_cap=1.0, tier2_country_cap=INF, tier2_exempt_capacity=0.0,
        lpp_threshold=1700.0, enforcement=1.0, leakage_multiplier=1.0, cloud_kyc=0.0,
        stringency=0.3, china_fee=0.15),
    "rescission_deals": dict(
        china_legal_cap={2025: 0.08, 2026: 1.0}, tier2_country_cap=INF,
        tier2_exempt_capacity=0.0, lpp_threshold=1700.0, enforcement=1.23,
        leakage_multiplier=1.0, cloud_kyc=0.0, stringency=0.6,
        china_fee={2025: 0.15, 2026: 0.25}),
    "tight_enforcement": dict(
        china_legal_cap=0.0, tier2_country_cap=0.0333, tier2_exempt_capacity=0.5,
        lpp_threshold=500.0, enforcement=3.0, leakage_multiplier=0.2, cloud_kyc=0.8,
        stringency=1.0, china_fee=0.0),
}


def lever_array(value, start, end):
    """A lever of section 3.2 (number or {year: value} steps) as a float array over years."""
    years = np.arange(start, end + 1)
    if isinstance(value, dict):
        steps = sorted((int(y), float(v)) for y, v in value.items())
        out = np.full(years.shape, steps[0][1])
        for y, v in steps:
            out[years >= y] = v
        return out
    return np.full(years.shape, float(value))


def policy_levers(name, start, end):
    return {lever: lever_array(POLICIES[name][lever], start, end) for lever in LEVERS}


# --------------------------------------------------------------------------- section 2
PER_YEAR_OUTPUTS = (
    "us_stock", "t2_stock", "cn_stock", "cn_usable", "compute_ratio",
    "cn_legal_imports", "cn_smuggled", "cn_domestic", "cn_domestic_chips",
    "cn_hbm_stock", "us_largest_run", "cn_largest_run", "us_effective_run",
    "cn_effective_run", "frontier_gap_years", "revenue", "revenue_forgone",
    "cn_cost_multiplier", "us_chips",
)
SCALAR_OUTPUTS = ("cum_smuggled", "cum_revenue_forgone", "first_year_gap_below_1")
OUTPUTS = PER_YEAR_OUTPUTS + SCALAR_OUTPUTS


def evaluate(params, levers, start, end):
    """The compute_race model, version 1 (docs/model.md section 2), vectorised over samples.

    params: {name: array (N,)} (the 41 parameters); levers: {lever: array (T,)} with
    T = end - start + 1.  Returns {output: array (N, T)} for the 19 per-year outputs and
    {output: array (N,)} for the 3 scalars.  Year-independent algebra is done on (N, T)
    arrays at once; only the two recurrences (HBM stock, compute stocks) loop over years.
    """
    if not end > start:
        raise ValueError("the horizon needs end > start")
    T = end - start + 1
    lv = {}
    for name in LEVERS:
        a = np.asarray(levers[name], dtype=np.float64)
        if a.shape != (T,):
            raise ValueError("lever %s has shape %s, expected (%d,)" % (name, a.shape, T))
        lv[name] = a[None, :]  # (1, T)
    q = {name: np.asarray(params[name], dtype=np.float64)[:, None] for name in PARAMETERS}
    k = np.arange(T, dtype=np.float64)[None, :]  # (1, T)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # ---- 1. Supply of US-designed accelerators
        g_P = q["us_units_growth"] * q["us_chip_perf_growth"]
        P = q["us_supply_2025"] * g_P ** k
        e_US = q["us_chip_perf_2025"] * q["us_chip_perf_growth"] ** k
        p = q["us_price_2025"] / q["price_performance_growth"] ** k
        D_CN = q["china_demand_share"] * P
        D_T2 = q["tier2_demand_share"] * P
        D_US = P - D_CN - D_T2

        # ---- 2. What may be sold where
        L = np.minimum(D_CN, lv["china_legal_cap"])
        lpp_share = q["tier2_lpp_share"] * np.minimum(
            1.0, lv["lpp_threshold"] / 1700.0) ** q["lpp_elasticity"]
        E = lpp_share * D_T2
        cap = lv["tier2_country_cap"]
        no_cap = np.isposinf(cap)  # (1, T): Q = inf whatever the count
        Q = q["tier2_capped_countries"] * np.where(no_cap, 0.0, cap) + lv["tier2_exempt_capacity"]
        S_T2 = np.where(no_cap, D_T2, E + np.minimum(D_T2 - E, Q))
        U = (D_T2 - S_T2) + (D_CN - L)
        R = q["reallocation_rate"] * U
        F = U - R
        G_US = D_US + R

        # ---- 3. Leakage to China
        m = lv["enforcement"] ** (-q["enforcement_elasticity"]) * lv["leakage_multiplier"]
        X_T2 = m * (q["leakage_rate"] * (S_T2 - E) + q["lpp_leakage_rate"] * E)
        X_US = m * q["direct_leakage_rate"] * G_US
        X_raw = X_T2 + X_US
        room = np.maximum(0.0, D_CN - L)
        s_X = np.where(X_raw > room, room / X_raw, 1.0)
        X = s_X * X_raw
        I_US = G_US - s_X * X_US
        I_T2 = S_T2 - s_X * X_T2
        I_CNimp = L + X

        # ---- 4. China's domestic production
        stringency_boost = (1.0 + q["induced_substitution"] * lv["stringency"]) ** k
        y = q["cn_yield_max"] - (q["cn_yield_max"] - q["cn_yield_2025"]) * 2.0 ** (
            -k / q["cn_yield_halflife"])
        logic = q["cn_chips_2025"] * q["cn_chips_growth"] ** k * stringency_boost * y / q["cn_yield_2025"]
        hbm_in = q["cn_hbm_domestic_2025"] * q["cn_hbm_growth"] ** k
        e_CN = q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"] ** k
        hbm_per_chip = q["cn_hbm_per_chip"][:, 0]
        N_CN = np.empty_like(P)
        H = np.empty_like(P)
        H_prev = q["cn_hbm_stockpile"][:, 0]
        for t in range(T):
            avail = H_prev + hbm_in[:, t]
            n_cn = np.minimum(logic[:, t], avail / hbm_per_chip)
            H_prev = avail - hbm_per_chip * n_cn
            N_CN[:, t] = n_cn
            H[:, t] = H_prev
        Dom = N_CN * e_CN

        # ---- 5. Stocks, access, training runs
        keep = 1.0 - 1.0 / q["hardware_lifetime"][:, 0]
        K_US = np.empty_like(P)
        K_T2 = np.empty_like(P)
        K_CN = np.empty_like(P)
        ku, kt, kc = (q["us_stock_2024"][:, 0], q["t2_stock_2024"][:, 0],
                      q["cn_stock_2024"][:, 0])
        add_CN = I_CNimp + Dom
        for t in range(T):
            ku = keep * ku + I_US[:, t]
            kt = keep * kt + I_T2[:, t]
            kc = keep * kc + add_CN[:, t]
            K_US[:, t] = ku
            K_T2[:, t] = kt
            K_CN[:, t] = kc
        rho = q["cloud_access_share"] * (1.0 - lv["cloud_kyc"])
        Kuse_CN = K_CN + rho * K_T2
        # run(K, f) = f * K * 1e6 * mfu * 9.89e14 * run_days * 86400, left to right
        C_US = q["us_largest_share"] * K_US * 1e6 * q["mfu"] * 9.89e14 * q["run_days"] * 86400.0
        C_CN = q["cn_largest_share"] * Kuse_CN * 1e6 * q["mfu"] * 9.89e14 * q["run_days"] * 86400.0
        A = q["algo_progress"] ** k
        E_US = C_US * A
        E_CN = C_CN * A * q["cn_algo_factor"]
        ratio = E_US[:, 1:] / E_US[:, :-1]
        gamma = np.concatenate((ratio[:, :1], ratio), axis=1)
        gap = np.log(E_US / E_CN) / np.log(gamma)
        gap = np.where(gamma > 1.0, gap, np.nan)  # gamma <= 1 or NaN: NaN

        # ---- 6. Money
        revenue = p * (P - F) - lv["china_fee"] * p * L
        revenue_forgone = p * P - revenue
        price_CN = q["cn_chip_price_2025"] / e_CN
        denom = L + X + Dom
        cost_CN = np.where(
            denom == 0.0, price_CN,
            (L * p + X * p * (1.0 + q["smuggling_premium"]) + Dom * price_CN) / denom)
        cn_cost_multiplier = cost_CN / (p * q["cn_algo_factor"])

        # ---- 7. Outputs
        below = gap < 1.0  # NaN never counts, a negative gap does
        first = np.where(below.any(axis=1), start + np.argmax(below, axis=1),
                         end + 1).astype(np.float64)
        return {
            "us_stock": K_US, "t2_stock": K_T2, "cn_stock": K_CN, "cn_usable": Kuse_CN,
            "compute_ratio": K_US / Kuse_CN, "cn_legal_imports": L, "cn_smuggled": X,
            "cn_domestic": Dom, "cn_domestic_chips": N_CN, "cn_hbm_stock": H,
            "us_largest_run": C_US, "cn_largest_run": C_CN, "us_effective_run": E_US,
            "cn_effective_run": E_CN, "frontier_gap_years": gap, "revenue": revenue,
            "revenue_forgone": revenue_forgone, "cn_cost_multiplier": cn_cost_multiplier,
            "us_chips": P / e_US,
            "cum_smuggled": X.sum(axis=1),
            "cum_revenue_forgone": revenue_forgone.sum(axis=1),
            "first_year_gap_below_1": first,
        }


# --------------------------------------------------------------------------- version 2
# docs/model.md section 9.11: version 2's parameters and levers with their neutral values.
# None = "not sampled" (no capacity, no power bound, no power draw).
V2_PARAMETERS = {
    "trusted_leak_mult": 1.0, "trusted_us_operated": 0.0, "t2_switch_rate": 0.0,
    "t2_cn_aligned_2024": 0.0, "cn_export_share_max": 0.0, "cn_stack_cloud_access": 0.0,
    "cn_crowd_out": 0.0, "cn_mandate_share": 0.0, "cn_learning": 0.0, "rd_elasticity": 0.0,
    "cn_domestic_inference_mult": 1.0, "cn_inference_mult_2024": 1.0,
    "cn_domestic_share_2024": 0.0, "smuggling_capacity_2025": None,
    "smuggling_capacity_growth": 1.0, "us_power_2025": None, "us_power_growth": 1.0,
    "kw_per_h100e_2025": None, "energy_efficiency_growth": 1.0,
    "us_units_growth_halflife": INF, "cn_output_growth_halflife": INF,
}
assert len(PARAMETERS) + len(V2_PARAMETERS) == 62
V2_LEVERS = {
    "trusted_share": 0.0, "trusted_cap": INF, "uveu_share": 0.0, "cn_import_accept": 1.0,
    "legal_capacity_mult": 1.0, "legal_price_mult": 1.0, "legal_inference_mult": 1.0,
    "china_legal_share": INF, "cn_stack_deterrence": 0.0,
}
ALL_LEVERS = LEVERS + tuple(V2_LEVERS)
assert len(ALL_LEVERS) == 18

V2_PER_YEAR_OUTPUTS = (
    "us_controlled_stock", "us_controlled_ratio", "trusted_shipments", "us_stack_share",
    "cn_self_sufficiency", "cn_smuggled_share", "revenue_us", "revenue_tier2",
    "revenue_china", "fees_paid", "t2_cn_aligned", "cn_exports", "t2_cn_stock",
    "cn_inference_stock", "inference_ratio", "us_power",
)
OUTPUTS_V2 = PER_YEAR_OUTPUTS + V2_PER_YEAR_OUTPUTS + SCALAR_OUTPUTS


def evaluate_v2(params, levers, start, end, intermediates=None):
    """The compute_race model, version 2 (docs/model.md section 9, extending sections 2.1-2.6),
    vectorised over samples.

    params: {name: array (N,)}; the 41 version-1 parameters are required, a version-2
    parameter that is absent (or None) takes its neutral value of section 9.11.  levers:
    {lever: array (T,)}; the nine version-1 levers are required, an absent version-2 lever
    takes its neutral value.  Returns the 35 per-year outputs (N, T) and the 3 scalars (N,).

    Version 2 feeds back from one year to the next (R&D funding, Tier-2 alignment, learning,
    the power drawn by the US stock), so the whole year is evaluated inside the loop over
    years, in the order of section 9.1, on arrays over samples.  Where a neutral value makes
    version 2's expression equal to version 1's only up to rounding (supply, revenue,
    China's cost), version 1's expression is used, as section 9 requires (neutral
    values give version 1 bit for bit).  Points docs/model.md leaves open are marked
    "NOT SPECIFIED" below and listed in the module docstring.
    """
    if not end > start:
        raise ValueError("the horizon needs end > start")
    T = end - start + 1
    lv = {}
    for name in ALL_LEVERS:
        if name in levers:
            a = np.asarray(levers[name], dtype=np.float64)
        elif name in V2_LEVERS:
            a = np.full(T, V2_LEVERS[name])
        else:
            raise ValueError("lever %s is required" % name)
        if a.shape != (T,):
            raise ValueError("lever %s has shape %s, expected (%d,)" % (name, a.shape, T))
        lv[name] = [float(x) for x in a]
    n = None
    q = {}
    for name in PARAMETERS:
        q[name] = np.asarray(params[name], dtype=np.float64)
        n = q[name].shape[0]
    absent = set()
    for name, neutral in V2_PARAMETERS.items():
        value = params.get(name)
        if value is None:
            absent.add(name)
            value = neutral if neutral is not None else np.nan
        q[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    has_smuggling_capacity = "smuggling_capacity_2025" not in absent
    has_power_bound = "us_power_2025" not in absent
    has_power_draw = "kw_per_h100e_2025" not in absent
    # NOT SPECIFIED: us_power_2025 sampled without kw_per_h100e_2025 (the bound needs the
    # power per H100e). Read here as "no bound": Cap_US needs w(k).
    has_power_bound = has_power_bound and has_power_draw
    # Section 9.14: growth rates whose logarithm halves every h years.  Not sampled (h = inf):
    # tau(k) = k and version 1's g**k.
    units_slowing = "us_units_growth_halflife" not in absent
    cn_slowing = "cn_output_growth_halflife" not in absent

    inter = intermediates if intermediates is not None else None

    def rec(name, t, value):
        if inter is not None:
            inter.setdefault(name, np.empty((n, T)))[:, t] = value

    per_year = {name: np.empty((n, T)) for name in PER_YEAR_OUTPUTS + V2_PER_YEAR_OUTPUTS}
    C_US = per_year["us_largest_run"]
    C_CN = per_year["cn_largest_run"]

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        keep = 1.0 - 1.0 / q["hardware_lifetime"]
        g_P = q["us_units_growth"] * q["us_chip_perf_growth"]
        rd0 = q["rd_elasticity"] == 0.0  # neutral: version 1's supply expressions
        hbm_per_chip = q["cn_hbm_per_chip"]

        # state carried from one year to the next
        Lam = np.zeros(n)                       # Λ(k−1), then Λ(k)
        ell_sum = np.zeros(n)                   # ℓ(1) + … + ℓ(k), China's years of progress
        # τ_h(k) = 1 + d + … + d^(k−1), d = 2^(−1/h) (9.14): carried as a sum of powers of d
        d_U = 2.0 ** (-1.0 / q["us_units_growth_halflife"])
        d_C = 2.0 ** (-1.0 / q["cn_output_growth_halflife"])
        tau_U = np.zeros(n)
        tau_C = np.zeros(n)
        rho_rev_prev = np.ones(n)               # ρ_rev(−1) = 1
        H_prev = q["cn_hbm_stockpile"].copy()   # H(−1)
        # chips China made / could have made, cumulated; Y(−1) = Ŷ(−1) = cn_chips_2025, a
        # year's output of experience from before the start
        Y_prev = q["cn_chips_2025"].copy()
        Yhat_prev = q["cn_chips_2025"].copy()
        sigma_prev = q["t2_cn_aligned_2024"].copy()   # σ(−1)
        K_US = q["us_stock_2024"].copy()
        K_T2 = q["t2_stock_2024"].copy()
        K_CN = q["cn_stock_2024"].copy()
        K_T2us = np.zeros(n)
        K_T2cn = np.zeros(n)
        K_CNdom = q["cn_domestic_share_2024"] * q["cn_stock_2024"]
        Ki_CN = q["cn_inference_mult_2024"] * q["cn_stock_2024"]
        W_US = q["us_stock_2024"] * q["kw_per_h100e_2025"] * q["energy_efficiency_growth"]
        cum_X = np.zeros(n)
        cum_forgone = np.zeros(n)

        for t in range(T):
            k = float(t)
            china_legal_cap = lv["china_legal_cap"][t]
            tier2_country_cap = lv["tier2_country_cap"][t]
            tier2_exempt_capacity = lv["tier2_exempt_capacity"][t]
            lpp_threshold = lv["lpp_threshold"][t]
            enforcement = lv["enforcement"][t]
            leakage_multiplier = lv["leakage_multiplier"][t]
            cloud_kyc = lv["cloud_kyc"][t]
            stringency = lv["stringency"][t]
            china_fee = lv["china_fee"][t]
            trusted_share = lv["trusted_share"][t]
            trusted_cap = lv["trusted_cap"][t]
            uveu_share = lv["uveu_share"][t]
            accept = lv["cn_import_accept"][t]
            c_L = lv["legal_capacity_mult"][t]
            legal_price_mult = lv["legal_price_mult"][t]
            legal_inference_mult = lv["legal_inference_mult"][t]
            china_legal_share = lv["china_legal_share"][t]
            deterrence = lv["cn_stack_deterrence"][t]

            # ---- 1. US supply with last year's R&D funding (9.2)
            if t > 0:
                Lam = Lam + rho_rev_prev ** q["rd_elasticity"]   # Λ(k) = Λ(k−1) + λ(k)
                tau_U = tau_U + d_U ** (k - 1.0)                 # τ(k) = τ(k−1) + d^(k−1)
                tau_C = tau_C + d_C ** (k - 1.0)
            units_years = tau_U if units_slowing else k
            P = np.where(rd0 & (not units_slowing), q["us_supply_2025"] * g_P ** k,
                         q["us_supply_2025"] * q["us_units_growth"] ** units_years
                         * q["us_chip_perf_growth"] ** Lam)
            e_US = np.where(rd0, q["us_chip_perf_2025"] * q["us_chip_perf_growth"] ** k,
                            q["us_chip_perf_2025"] * q["us_chip_perf_growth"] ** Lam)
            p = np.where(rd0, q["us_price_2025"] / q["price_performance_growth"] ** k,
                         q["us_price_2025"] / q["price_performance_growth"] ** Lam)

            # ---- 2. Demands, legal sales to China (2.1, 9.3)
            D_CN = q["china_demand_share"] * P
            D_T2 = q["tier2_demand_share"] * P
            D_US = P - D_CN - D_T2
            L = np.minimum(accept * D_CN / c_L, china_legal_cap)
            if not math.isinf(china_legal_share):
                # NOT SPECIFIED: a finite china_legal_share with D_US < 0 (demand shares
                # summing to more than 1) would give a negative cap; the formula is used as
                # written.  china_legal_share = inf is "no cap" even when D_US <= 0 (where
                # inf · D_US would be NaN or −inf).
                L = np.minimum(L, china_legal_share * D_US)
            cL_L = c_L * L

            # ---- 3. China's domestic capacity, with learning (2.4, 9.4), growth that slows (9.14)
            cn_years = tau_C if cn_slowing else k
            stringency_boost = (1.0 + q["induced_substitution"] * stringency) ** k
            y = q["cn_yield_max"] - (q["cn_yield_max"] - q["cn_yield_2025"]) * 2.0 ** (
                -k / q["cn_yield_halflife"])
            logic = (q["cn_chips_2025"] * q["cn_chips_growth"] ** cn_years * stringency_boost * y
                     / q["cn_yield_2025"])
            hbm_in = q["cn_hbm_domestic_2025"] * q["cn_hbm_growth"] ** cn_years
            avail = H_prev + hbm_in
            N_CN = np.minimum(logic, avail / hbm_per_chip)
            # NOT SPECIFIED: Ŷ(k−1) = 0 (cn_chips_2025 = 0 and no capacity yet): ℓ = 1.
            ell = np.where(Yhat_prev == 0.0, 1.0, (Y_prev / Yhat_prev) ** q["cn_learning"])
            # learning acts on the rate of progress: e_CN(k) = e_CN(2025)·g^(ℓ(1) + … + ℓ(k))
            if t > 0:
                ell_sum = ell_sum + ell
            e_CN = np.where(q["cn_learning"] == 0.0,
                            q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"] ** k,
                            q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"] ** ell_sum)
            Dom_cap = N_CN * e_CN

            # ---- 4. China's own buyers, exports, domestic additions (9.4)
            Dem_home = np.maximum(q["cn_mandate_share"] * Dom_cap,
                                  Dom_cap - q["cn_crowd_out"] * L)
            Slack = Dom_cap - Dem_home
            D_T2cn = sigma_prev * (1.0 - trusted_share) * D_T2
            # exports from the capacity China's buyers leave and a share of what they take
            Exp = np.minimum(D_T2cn, Slack + q["cn_export_share_max"] * Dem_home)
            Dom_home = np.minimum(Dem_home, Dom_cap - Exp)
            # chips made = capacity less the idle part.  NOT SPECIFIED: e_CN = 0 (only with
            # cn_chips_2025 = 0): the idle part 0/0 is read as 0.
            idle = Dom_cap - Dom_home - Exp
            N_made = N_CN - np.where(idle == 0.0, 0.0, idle / e_CN)
            H = avail - hbm_per_chip * N_made
            Y_prev = Y_prev + N_made
            Yhat_prev = Yhat_prev + N_CN
            H_prev = H

            # ---- 5. Tier 2: trusted channel and the rest (9.5); blocked demand (2.2)
            lpp_share = q["tier2_lpp_share"] * min(1.0, lpp_threshold / 1700.0) ** q["lpp_elasticity"]
            D_tr = trusted_share * D_T2
            D_rt = D_T2 - D_tr - Exp
            E = lpp_share * D_rt
            if math.isinf(tier2_country_cap) and tier2_country_cap > 0:
                S_rt = D_rt  # no cap: Q = inf whatever the count
            else:
                Q = q["tier2_capped_countries"] * tier2_country_cap + tier2_exempt_capacity
                S_rt = E + np.minimum(D_rt - E, Q)
            S_tr = np.minimum(D_tr, trusted_cap + uveu_share * np.maximum(0.0, D_US))
            S_T2 = S_tr + S_rt
            U = (D_T2 - S_T2) + (D_CN - cL_L)
            R = q["reallocation_rate"] * U
            F = U - R
            G_wanted = D_US + R
            us_demand_t2 = D_tr + D_rt
            b = np.where(us_demand_t2 == 0.0, 0.0, (us_demand_t2 - S_T2) / us_demand_t2)

            # ---- 6. The US power bound (9.7)
            w = q["kw_per_h100e_2025"] / q["energy_efficiency_growth"] ** k
            if has_power_bound:
                Pow = q["us_power_2025"] * q["us_power_growth"] ** k
                Cap_US = np.maximum(0.0, Pow - keep * W_US) / w
                G_US = np.minimum(G_wanted, Cap_US)
                F = F + (G_wanted - G_US)
            else:
                G_US = G_wanted

            # ---- 7. Leakage, with the network's capacity (2.3, 9.6)
            m = enforcement ** (-q["enforcement_elasticity"]) * leakage_multiplier
            X_tr = m * q["trusted_leak_mult"] * q["leakage_rate"] * S_tr
            X_T2 = m * (q["leakage_rate"] * (S_rt - E) + q["lpp_leakage_rate"] * E) + X_tr
            X_US = m * q["direct_leakage_rate"] * G_US
            X_raw = X_T2 + X_US
            room = np.maximum(0.0, D_CN - cL_L)
            s_room = np.where(X_raw > room, room / X_raw, 1.0)
            if has_smuggling_capacity:
                Xcap = q["smuggling_capacity_2025"] * q["smuggling_capacity_growth"] ** k * m
                s_X = np.where(X_raw == 0.0, s_room, np.minimum(s_room, Xcap / X_raw))
            else:
                Xcap = np.full(n, INF)
                s_X = s_room
            X = s_X * X_raw

            # ---- 8. Stocks, usable compute (2.5, 9.8)
            I_US = G_US - s_X * X_US
            I_T2 = S_T2 - s_X * X_T2
            K_US = keep * K_US + I_US
            K_T2 = keep * K_T2 + I_T2
            K_CN = keep * K_CN + L + X + Dom_home
            K_T2us = keep * K_T2us + q["trusted_us_operated"] * (S_tr - s_X * X_tr)
            K_T2cn = keep * K_T2cn + Exp
            K_CNdom = keep * K_CNdom + Dom_home
            Ki_CN = (keep * Ki_CN + legal_inference_mult * L + X
                     + q["cn_domestic_inference_mult"] * Dom_home)
            if has_power_draw:
                W_US = keep * W_US + I_US * w
            rho = q["cloud_access_share"] * (1.0 - cloud_kyc)
            Kuse_CN = (K_CN + rho * (K_T2 - K_T2us) + rho * q["trusted_leak_mult"] * K_T2us
                       + q["cn_stack_cloud_access"] * K_T2cn)
            C_US[:, t] = (q["us_largest_share"] * K_US * 1e6 * q["mfu"] * 9.89e14
                          * q["run_days"] * 86400.0)
            C_CN[:, t] = (q["cn_largest_share"] * Kuse_CN * 1e6 * q["mfu"] * 9.89e14
                          * q["run_days"] * 86400.0)

            # ---- 9. Money (2.6, 9.9); this year's R&D funding for next year (9.2)
            if c_L == 1.0 and legal_price_mult == 1.0:
                revenue = p * (P - F) - china_fee * p * L
            else:
                # summed from sales (9.9), so that no sales give exactly 0
                revenue = p * (G_US + S_T2) + legal_price_mult * p * L * (1.0 - china_fee)
            revenue_forgone = p * P - revenue
            revenue_china = legal_price_mult * p * L
            price_CN = q["cn_chip_price_2025"] / e_CN
            denom = L + X + Dom_home
            if legal_price_mult == 1.0:
                num = L * p + X * p * (1.0 + q["smuggling_premium"]) + Dom_home * price_CN
            else:
                num = (legal_price_mult * p * L + p * (1.0 + q["smuggling_premium"]) * X
                       + price_CN * Dom_home)
            cost_CN = np.where(denom == 0.0, price_CN, num / denom)
            rho_rev_prev = np.minimum(1.0, np.maximum(0.0, revenue / (p * P)))

            # ---- 10. Tier-2 alignment for next year (9.5)
            sigma = sigma_prev + (1.0 - sigma_prev) * q["t2_switch_rate"] * b * (1.0 - deterrence)

            cum_X = cum_X + X
            cum_forgone = cum_forgone + revenue_forgone
            for name, value in (
                    ("us_stock", K_US), ("t2_stock", K_T2), ("cn_stock", K_CN),
                    ("cn_usable", Kuse_CN), ("compute_ratio", K_US / Kuse_CN),
                    ("cn_legal_imports", L), ("cn_smuggled", X),
                    # NOT SPECIFIED: which of Dom_cap, Dom_home + Exp, Dom_home is
                    # cn_domestic in version 2 (and N_CN or N_made cn_domestic_chips).
                    # Read: cn_domestic = Dom_home, China's domestic chips added to its own
                    # stock (the term of K_CN and of cn_self_sufficiency); cn_domestic_chips
                    # = N_made, every chip made, exports included (what draws HBM).
                    ("cn_domestic", Dom_home), ("cn_domestic_chips", N_made),
                    ("cn_hbm_stock", H), ("revenue", revenue),
                    ("revenue_forgone", revenue_forgone),
                    ("cn_cost_multiplier", cost_CN / (p * q["cn_algo_factor"])),
                    ("us_chips", P / e_US),
                    ("us_controlled_stock", K_US + K_T2us),
                    ("us_controlled_ratio", (K_US + K_T2us) / Kuse_CN),
                    ("trusted_shipments", S_tr),
                    ("us_stack_share", (K_US + K_T2 + K_CN - K_CNdom)
                     / (K_US + K_T2 + K_CN + K_T2cn)),
                    ("cn_self_sufficiency", Dom_home / denom),
                    ("cn_smuggled_share", X / denom),
                    ("revenue_us", p * G_US), ("revenue_tier2", p * S_T2),
                    ("revenue_china", revenue_china), ("fees_paid", china_fee * revenue_china),
                    # NOT SPECIFIED: σ(k) (computed at the end of year k, used in k+1) or
                    # σ(k−1) (used in year k).  Read: σ(k), like the stocks, end of year.
                    ("t2_cn_aligned", sigma), ("cn_exports", Exp), ("t2_cn_stock", K_T2cn),
                    ("cn_inference_stock", Ki_CN),
                    ("inference_ratio", K_US / (Kuse_CN - K_CN + Ki_CN)),
                    ("us_power", W_US if has_power_draw else np.full(n, np.nan))):
                per_year[name][:, t] = value
            for name, value in (
                    ("P", P), ("Lambda", Lam), ("p", p), ("D_CN", D_CN), ("D_T2", D_T2),
                    ("D_US", D_US), ("N_CN", N_CN), ("ell", ell), ("ell_sum", ell_sum),
                    ("tau_U", units_years), ("tau_C", cn_years), ("e_CN", e_CN),
                    ("Dom_cap", Dom_cap), ("Dem_home", Dem_home), ("D_T2cn", D_T2cn),
                    ("Dom_home", Dom_home), ("D_tr", D_tr), ("D_rt", D_rt), ("E", E),
                    ("S_rt", S_rt), ("U", U), ("F", F), ("G_US", G_US), ("b", b),
                    ("X_raw", X_raw), ("room", room), ("Xcap", Xcap), ("s_X", s_X),
                    ("I_US", I_US), ("I_T2", I_T2), ("K_T2us", K_T2us),
                    ("K_CNdom", K_CNdom), ("rho_rev", rho_rev_prev)):
                rec(name, t, value)
            sigma_prev = sigma

        # ---- runs and the gap (2.5)
        A = q["algo_progress"][:, None] ** np.arange(T, dtype=np.float64)[None, :]
        E_US = C_US * A
        E_CN = C_CN * A * q["cn_algo_factor"][:, None]
        ratio = E_US[:, 1:] / E_US[:, :-1]
        gamma = np.concatenate((ratio[:, :1], ratio), axis=1)
        gap = np.log(E_US / E_CN) / np.log(gamma)
        gap = np.where(gamma > 1.0, gap, np.nan)  # gamma <= 1 or NaN: NaN
        per_year["us_effective_run"] = E_US
        per_year["cn_effective_run"] = E_CN
        per_year["frontier_gap_years"] = gap
        below = gap < 1.0  # NaN never counts, a negative gap does
        first = np.where(below.any(axis=1), start + np.argmax(below, axis=1),
                         end + 1).astype(np.float64)
    out = dict(per_year)
    out["cum_smuggled"] = cum_X
    out["cum_revenue_forgone"] = cum_forgone
    out["first_year_gap_below_1"] = first
    return out


# --------------------------------------------------------------------------- summaries
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _summarise_2d(a, levels):
    """Summary of each column of a (N, C) array, excluding non-finite values."""
    n, c = a.shape
    a = np.ascontiguousarray(a.T)  # (C, N): each column contiguous, faster reductions
    finite = np.isfinite(a)
    n_finite = finite.sum(axis=1)
    res = {
        "n_finite": n_finite.astype(np.uint64),
        "n_non_finite": (n - n_finite).astype(np.uint64),
    }
    if n_finite.min() == n:  # common case: every value finite, whole-array reductions
        res["mean"] = a.mean(axis=1)
        res["std"] = a.std(axis=1, ddof=1) if n >= 2 else np.full(c, np.nan)
        res["min"] = a.min(axis=1)
        res["max"] = a.max(axis=1)
        res["quantiles"] = np.quantile(a, levels, axis=1, method="lower").T
        return res
    mean = np.full(c, np.nan)
    std = np.full(c, np.nan)
    lo = np.full(c, np.nan)
    hi = np.full(c, np.nan)
    qs = np.full((c, len(levels)), np.nan)
    for j in range(c):
        v = a[j, finite[j]]
        if v.size:
            mean[j] = v.mean()
            lo[j] = v.min()
            hi[j] = v.max()
            qs[j] = np.quantile(v, levels, method="lower")
        if v.size >= 2:
            std[j] = v.std(ddof=1)
    res.update(mean=mean, std=std, min=lo, max=hi, quantiles=qs)
    return res


def summarise(outputs, levels=QUANTILES):
    """Per output column: mean, std (ddof=1), min, max, quantiles ("lower"), counts.

    Non-finite values are excluded and counted.  Returns {output: {stat: array}}; a
    per-year output gives arrays over years ((T,), quantiles (T, Q)), a scalar output
    0-d values (quantiles (Q,)).
    """
    levels = np.asarray(levels, dtype=np.float64)
    out = {}
    for name, a in outputs.items():
        if a.ndim == 1:
            s = _summarise_2d(a[:, None], levels)
            out[name] = {key: v[0] for key, v in s.items()}
        else:
            out[name] = _summarise_2d(a, levels)
    return out


# --------------------------------------------------------------------------- bench
def bench_once(n, policy, start, end, seed, chunk):
    """Sampling + model + summaries for n samples; returns (seconds, summaries)."""
    levers = policy_levers(policy, start, end)
    T = end - start + 1
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    # Outputs must all be kept for exact quantiles; the model runs in chunks so that its
    # temporaries stay small, writing into the preallocated full-size arrays.
    full = {name: np.empty((n, T)) for name in PER_YEAR_OUTPUTS}
    full.update({name: np.empty(n) for name in SCALAR_OUTPUTS})
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        params = sample_defaults(hi - lo, rng)
        res = evaluate(params, levers, start, end)
        for name, a in res.items():
            full[name][lo:hi] = a
    summaries = summarise(full)
    return time.perf_counter() - t0, summaries


def cmd_bench(args):
    if args.policy not in POLICIES:
        print("numpy_reference: unknown policy %r (known: %s)" % (
            args.policy, ", ".join(POLICIES)), file=sys.stderr)
        return 2
    for r in range(args.repeat):
        secs, summ = bench_once(args.samples, args.policy, args.start, args.end,
                                args.seed + r, args.chunk)
        med = summ["compute_ratio"]["quantiles"][2, 2]
        print("numpy: %d samples in %.3f s (%.0f samples/s)  [compute_ratio %d median %.4g]"
              % (args.samples, secs, args.samples / secs, args.start + 2, med), flush=True)
    return 0


# --------------------------------------------------------------------------- check
def _lever_values(values):
    """A lever's per-year list from /config_resolved: numbers, or "inf" strings."""
    return np.asarray([float(v) for v in values], dtype=np.float64)  # float("inf") works


def compare(ours, theirs, rtol, atol=0.0):
    """(max relative difference over finite pairs, number of non-finite mismatches,
    number of finite pairs beyond both rtol and atol, index of the worst pair)."""
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    if ours.shape != theirs.shape:
        raise ValueError("shape %s vs %s" % (ours.shape, theirs.shape))
    fo = np.isfinite(ours)
    ft = np.isfinite(theirs)
    # non-finite positions must match, and so must the kind (NaN, +inf, -inf)
    nf_mismatch = int(np.count_nonzero(fo != ft))
    both_nf = ~fo & ~ft
    kind_o = np.where(np.isnan(ours), 0, np.sign(ours))
    kind_t = np.where(np.isnan(theirs), 0, np.sign(theirs))
    nf_mismatch += int(np.count_nonzero(both_nf & (kind_o != kind_t)))
    both = fo & ft
    scale = np.maximum(np.abs(ours), np.abs(theirs))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(both & (scale > 0), np.abs(ours - theirs) / scale, 0.0)
    worst = np.unravel_index(int(np.argmax(rel)), rel.shape) if rel.size else None
    with np.errstate(invalid="ignore"):
        beyond = (rel > rtol) & ~(np.abs(ours - theirs) <= atol)
    return float(rel.max()) if rel.size else 0.0, nf_mismatch, int(
        np.count_nonzero(beyond)), worst


def cmd_check(args):
    try:
        import h5py
    except ImportError:
        print("numpy_reference: check needs h5py (Debian: python3-h5py)", file=sys.stderr)
        return 2
    try:
        f = h5py.File(args.input, "r")
    except OSError as exc:
        print("numpy_reference: %s: %s" % (args.input, exc), file=sys.stderr)
        return 2
    with f:
        cfg = json.loads(f["config_resolved"][()])
        model = cfg["model"]
        start, end = int(model["start_year"]), int(model["end_year"])
        by_year = model["policy_levers_by_year"]
        if args.policy not in by_year:
            print("numpy_reference: %s: no policy %r (has: %s)" % (
                args.input, args.policy, ", ".join(sorted(by_year))), file=sys.stderr)
            return 2
        unknown = sorted(set(by_year[args.policy]) - set(ALL_LEVERS))
        if unknown:
            print("numpy_reference: %s: levers this reference does not know: %s" % (
                args.input, ", ".join(unknown)), file=sys.stderr)
            return 2
        # A lever missing from the file takes its neutral value (section 9.11).
        levers = {name: _lever_values(v) for name, v in by_year[args.policy].items()}
        if "inputs" not in f or "policies/%s/outputs" % args.policy not in f:
            print("numpy_reference: %s: not a raw result file (no /inputs or "
                  "/policies/%s/outputs)" % (args.input, args.policy), file=sys.stderr)
            return 2
        known = set(PARAMETERS) | set(V2_PARAMETERS)
        unknown = sorted(set(f["inputs"]) - known)
        if unknown:
            print("numpy_reference: %s: inputs this reference does not know: %s" % (
                args.input, ", ".join(unknown)), file=sys.stderr)
            return 2
        # A version-2 parameter missing from /inputs was not sampled: neutral (9.11).
        params = {name: f["inputs"][name][()] for name in f["inputs"]}
        group = f["policies"][args.policy]["outputs"]
        stored = {name: group[name][()] for name in group}
    missing = sorted(set(OUTPUTS_V2) - set(stored))
    extra = sorted(set(stored) - set(OUTPUTS_V2))
    n = len(params[PARAMETERS[0]])
    ours = evaluate_v2(params, levers, start, end)
    failed = bool(missing or extra)
    if missing:
        print("FAIL: outputs missing from the file: %s" % ", ".join(missing))
    if extra:
        print("FAIL: outputs in the file this reference does not compute: %s" % ", ".join(extra))
    print("check %s, policy %s: %d samples, %d-%d, rtol %g, atol %g" % (
        args.input, args.policy, n, start, end, args.rtol, args.atol))
    print("%-24s %14s %10s %12s %8s  %s" % ("output", "max rel diff", "non-fin", "> rtol",
                                             "by atol", "worst at"))
    overall = overall_big = 0.0
    for name in OUTPUTS_V2:
        if name not in stored:
            continue
        mine, rtol = ours[name], args.rtol
        if stored[name].dtype == np.float32:  # output.precision = "float32"
            with np.errstate(over="ignore"):  # beyond float32's range: inf, as stored
                mine = mine.astype(np.float32).astype(np.float64)
            rtol = max(rtol, 2.0 ** -23)
            print("(%s stored as float32: ours rounded to float32, rtol %g)" % (name, rtol))
        rel, nf_bad, n_bad, worst = compare(mine, stored[name].astype(np.float64), rtol,
                                            args.atol)
        # beyond rtol but accepted by atol (cancellation near zero: say so, not hide it)
        n_by_atol = compare(mine, stored[name].astype(np.float64), rtol)[2] - n_bad
        overall = max(overall, rel)
        if n_by_atol:
            # the largest relative difference among the values rtol alone accepts or rejects
            theirs = stored[name].astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                diff = np.abs(mine - theirs)
                r = diff / np.maximum(np.abs(mine), np.abs(theirs))
                only_atol = (r > rtol) & (diff <= args.atol)
            rel_big = compare(np.where(only_atol, 0.0, mine), np.where(only_atol, 0.0, theirs),
                              rtol)[0]
        else:
            rel_big = rel
        overall_big = max(overall_big, rel_big)
        bad = nf_bad > 0 or n_bad > 0
        failed |= bad
        where = ""
        if worst is not None and rel > 0:
            w = tuple(int(i) for i in worst)
            where = "sample %d%s: ours %.17g, file %.17g" % (
                w[0], (", year %d" % (start + w[1])) if len(w) > 1 else "",
                mine[w], stored[name][w])
        print("%-24s %14.3e %10d %12d %8d  %s%s" % (name, rel, nf_bad, n_bad, n_by_atol,
                                                      where, "  FAIL" if bad else ""))
    print("policy %s: max relative difference %.3e over all outputs (%.3e without the "
          "values only atol %g accepted): %s" % (args.policy, overall, overall_big, args.atol,
                                                 "FAIL" if failed else "ok"))
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench", help="time sampling + model + summaries, one thread")
    b.add_argument("--samples", type=int, required=True)
    b.add_argument("--policy", default="diffusion_rule")
    b.add_argument("--repeat", type=int, default=1)
    b.add_argument("--seed", type=int, default=20250113)
    b.add_argument("--chunk", type=int, default=16384,
                   help="samples per model evaluation (default 16384)")
    b.add_argument("--start", type=int, default=2025)
    b.add_argument("--end", type=int, default=2035)
    c = sub.add_parser("check", help="compare with a chiprace raw result file")
    c.add_argument("--input", required=True)
    c.add_argument("--policy", required=True)
    c.add_argument("--rtol", type=float, default=1e-10)
    c.add_argument("--atol", type=float, default=0.0,
                   help="also accept |difference| <= atol (default 0: relative test only; "
                        "near-zero frontier_gap_years and cn_hbm_stock come from cancellation "
                        "and may need e.g. 1e-12)")
    args = ap.parse_args(argv)
    if args.cmd == "bench":
        if args.samples < 2 or args.repeat < 1 or args.chunk < 1:
            ap.error("--samples >= 2, --repeat >= 1, --chunk >= 1")
        return cmd_bench(args)
    return cmd_check(args)


if __name__ == "__main__":
    sys.exit(main())
