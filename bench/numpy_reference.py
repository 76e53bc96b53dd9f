#!/usr/bin/python3
"""Vectorised NumPy implementation of the `compute_race` model (version 1).

Written from /work/shared/MODEL.md (sections 1-9), independently of the C++ sources;
tests/reference/compute_race_reference.py (a scalar reference, also written from MODEL.md)
was read only to cross-check the equations.  Every function works on arrays over samples:
parameters are arrays of shape (N,), levers arrays of shape (T,), per-year outputs arrays of
shape (N, T).  Standard library + Debian's numpy only (h5py for `check`); no scipy.

Two uses:

  numpy_reference.py bench --samples N [--policy diffusion_rule] [--repeat R] [--chunk C]
      Times sampling (MODEL.md section 9 defaults) + the model + summaries (mean, std,
      min, max, quantiles 0.05..0.95 "lower", non-finite counts per output column): the
      same end-to-end work as `chiprace run` in summary mode for one policy, 2025-2035,
      single thread.  Prints one line per repeat:
        numpy: N samples in S s (R samples/s)

  numpy_reference.py check --input FILE.h5 --policy P [--rtol 1e-10]
      Re-evaluates the model on the exact inputs of a chiprace raw result file with the
      policy's levers from its /config_resolved, compares every output of
      /policies/P/outputs and reports the largest relative difference per output
      (|a - b| / max(|a|, |b|)).  NaN (and +/-inf) positions must match exactly.  Exit
      status 1 if any output differs by more than rtol (and --atol, default 0) or a
      non-finite position differs, 2 on a usage / file error.

Choices where MODEL.md is silent (same as the scalar reference):
  * X_raw = 0: s_X = 1 (the test "X_raw > room" is false), X = 0.
  * E_CN = 0 with gamma > 1: gap = +inf (NaN when gamma <= 1 or NaN).
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

# --------------------------------------------------------------------------- section 9
Z95 = 1.6448536269514722

# (name, kind, args) in MODEL.md section 9 order: 41 parameters.
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
    """Draw n samples of the 41 default parameters (MODEL.md section 9).

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


# --------------------------------------------------------------------------- section 8
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
    """A lever of section 8 (number or {year: value} steps) as a float array over years."""
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


# --------------------------------------------------------------------------- sections 1-7
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
    """The compute_race model, MODEL.md sections 1-7, vectorised over samples.

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
        levers = {name: _lever_values(by_year[args.policy][name]) for name in LEVERS}
        if "inputs" not in f or "policies/%s/outputs" % args.policy not in f:
            print("numpy_reference: %s: not a raw result file (no /inputs or "
                  "/policies/%s/outputs)" % (args.input, args.policy), file=sys.stderr)
            return 2
        params = {name: f["inputs"][name][()] for name in PARAMETERS}
        stored = {name: f["policies"][args.policy]["outputs"][name][()] for name in OUTPUTS}
    n = len(params[PARAMETERS[0]])
    ours = evaluate(params, levers, start, end)
    failed = False
    print("check %s, policy %s: %d samples, %d-%d, rtol %g, atol %g" % (
        args.input, args.policy, n, start, end, args.rtol, args.atol))
    print("%-24s %14s %10s %12s  %s" % ("output", "max rel diff", "non-fin", "> rtol", "worst at"))
    overall = 0.0
    for name in OUTPUTS:
        mine, rtol = ours[name], args.rtol
        if stored[name].dtype == np.float32:  # output.precision = "float32"
            with np.errstate(over="ignore"):  # beyond float32's range: inf, as stored
                mine = mine.astype(np.float32).astype(np.float64)
            rtol = max(rtol, 2.0 ** -23)
            print("(%s stored as float32: ours rounded to float32, rtol %g)" % (name, rtol))
        rel, nf_bad, n_bad, worst = compare(mine, stored[name].astype(np.float64), rtol,
                                            args.atol)
        overall = max(overall, rel)
        bad = nf_bad > 0 or n_bad > 0
        failed |= bad
        where = ""
        if worst is not None and rel > 0:
            w = tuple(int(i) for i in worst)
            where = "sample %d%s: ours %.17g, file %.17g" % (
                w[0], (", year %d" % (start + w[1])) if len(w) > 1 else "",
                mine[w], stored[name][w])
        print("%-24s %14.3e %10d %12d  %s%s" % (name, rel, nf_bad, n_bad, where,
                                                 "  FAIL" if bad else ""))
    print("policy %s: max relative difference %.3e over all outputs: %s" % (
        args.policy, overall, "FAIL" if failed else "ok"))
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
