#!/usr/bin/python3
"""Independent reference implementation of the `compute_race` model (version 1).

Written from /work/shared/MODEL.md alone (sections 1-8: equations, policy levers,
outputs).  No C++ source or header of the project was read while writing it; it exists
so that the C++ implementation can be checked against it sample by sample.

Plain Python 3, standard library only (`math`, `json`).  Python floats throughout;
powers are written x**k, logs math.log, the yield curve 2.0**(-k/h), exactly as in
MODEL.md.  Operations are evaluated in the order they are written in MODEL.md.

Running this file writes tests/data/compute_race_hand_values.json (relative to the
repository's tests/ directory) with a fixed parameter vector, start 2025, end 2027, and
for each case the per-year lever values used, every output of MODEL.md section 7 and
(for debugging a mismatch) the intermediate quantities.  In the JSON, NaN is written as
the string "nan" and +/-infinity as "inf"/"-inf".

Points where MODEL.md is silent and a choice was made here (marked "NOT SPECIFIED" in
the code):
  * E_CN = 0 (so E_US/E_CN is infinite): gap = +inf if gamma > 1 (NaN stays NaN).
  * X_raw = 0: s_X = 1 (the "X_raw > room" test is false), X = 0.
"""

import json
import math
import os

INF = float("inf")
NAN = float("nan")

LEVERS = (
    "china_legal_cap",
    "tier2_country_cap",
    "tier2_exempt_capacity",
    "lpp_threshold",
    "enforcement",
    "leakage_multiplier",
    "cloud_kyc",
    "stringency",
    "china_fee",
)

# MODEL.md section 8, "Policies of the default experiment".
POLICIES = {
    "pre_diffusion": {
        "china_legal_cap": 0.15, "tier2_country_cap": INF, "tier2_exempt_capacity": 0.0,
        "lpp_threshold": 1700.0, "enforcement": 1.0, "leakage_multiplier": 1.0,
        "cloud_kyc": 0.0, "stringency": 0.6, "china_fee": 0.0,
    },
    "diffusion_rule": {
        "china_legal_cap": 0.15, "tier2_country_cap": 0.0166, "tier2_exempt_capacity": 0.5,
        "lpp_threshold": 1700.0, "enforcement": 1.0, "leakage_multiplier": 1.0,
        "cloud_kyc": 0.3, "stringency": 0.8, "china_fee": 0.0,
    },
    "anthropic": {
        "china_legal_cap": 0.0, "tier2_country_cap": 0.0333, "tier2_exempt_capacity": 0.5,
        "lpp_threshold": 500.0, "enforcement": 1.6, "leakage_multiplier": 1.0,
        "cloud_kyc": 0.5, "stringency": 1.0, "china_fee": 0.0,
    },
    "nvidia": {
        "china_legal_cap": 1.0, "tier2_country_cap": INF, "tier2_exempt_capacity": 0.0,
        "lpp_threshold": 1700.0, "enforcement": 1.0, "leakage_multiplier": 1.0,
        "cloud_kyc": 0.0, "stringency": 0.3, "china_fee": 0.15,
    },
    "rescission_deals": {
        "china_legal_cap": {2025: 0.08, 2026: 1.0}, "tier2_country_cap": INF,
        "tier2_exempt_capacity": 0.0, "lpp_threshold": 1700.0, "enforcement": 1.23,
        "leakage_multiplier": 1.0, "cloud_kyc": 0.0, "stringency": 0.6,
        "china_fee": {2025: 0.15, 2026: 0.25},
    },
    "tight_enforcement": {
        "china_legal_cap": 0.0, "tier2_country_cap": 0.0333, "tier2_exempt_capacity": 0.5,
        "lpp_threshold": 500.0, "enforcement": 3.0, "leakage_multiplier": 0.2,
        "cloud_kyc": 0.8, "stringency": 1.0, "china_fee": 0.0,
    },
}

PER_YEAR_OUTPUTS = (
    "us_stock", "t2_stock", "cn_stock", "cn_usable", "compute_ratio",
    "cn_legal_imports", "cn_smuggled", "cn_domestic", "cn_domestic_chips",
    "cn_hbm_stock", "us_largest_run", "cn_largest_run", "us_effective_run",
    "cn_effective_run", "frontier_gap_years", "revenue", "revenue_forgone",
    "cn_cost_multiplier", "us_chips",
)
SCALAR_OUTPUTS = ("cum_smuggled", "cum_revenue_forgone", "first_year_gap_below_1")


def lever_by_year(value, start, end):
    """Per-year values (list over start..end) of a lever given as in MODEL.md section 8.

    `value` is a number (incl. float('inf')) or a {year: value} step dict: a value holds
    until the next key; years before the first key take the first key's value.  Keys
    may be ints or strings of ints (as after a JSON round trip).
    """
    if isinstance(value, dict):
        steps = sorted((int(y), float(v)) for y, v in value.items())
        if not steps:
            raise ValueError("empty step dict")
        out = []
        for year in range(start, end + 1):
            current = steps[0][1]
            for y, v in steps:
                if y <= year:
                    current = v
                else:
                    break
            out.append(current)
        return out
    v = float(value)
    return [v] * (end - start + 1)


def policy_by_year(policy, start, end):
    """{lever: [value for each year start..end]} for a policy dict (all nine levers)."""
    missing = [name for name in LEVERS if name not in policy]
    if missing:
        raise KeyError("policy lacks levers: %s" % ", ".join(missing))
    return {name: lever_by_year(policy[name], start, end) for name in LEVERS}


def evaluate(params, levers_by_year, start, end, intermediates=None):
    """Evaluate the compute_race model (MODEL.md sections 1-7).

    params: {parameter name: float}.
    levers_by_year: {lever name: list of per-year values over start..end}; a policy as
        written in section 8 (numbers / step dicts) is also accepted and expanded.
    Returns {output: list over years} for the per-year outputs of section 7 (incl.
    us_chips) and {output: float} for the three scalars.  If `intermediates` is a dict,
    it is filled with per-year lists of internal quantities.
    """
    if not end > start:
        raise ValueError("the horizon needs end > start")
    n = end - start + 1
    lv = {}
    for name in LEVERS:
        v = levers_by_year[name]
        if isinstance(v, (list, tuple)):
            if len(v) != n:
                raise ValueError("lever %s has %d values, expected %d" % (name, len(v), n))
            lv[name] = [float(x) for x in v]
        else:
            lv[name] = lever_by_year(v, start, end)

    q = params
    out = {name: [] for name in PER_YEAR_OUTPUTS}
    inter = {} if intermediates is None else intermediates

    def rec(name, value):
        inter.setdefault(name, []).append(value)

    # Section 1
    g_P = q["us_units_growth"] * q["us_chip_perf_growth"]
    # Section 5 constants
    delta = 1.0 / q["hardware_lifetime"]

    K_US_prev = q["us_stock_2024"]
    K_T2_prev = q["t2_stock_2024"]
    K_CN_prev = q["cn_stock_2024"]
    H_prev = q["cn_hbm_stockpile"]

    E_US_list = []
    E_CN_list = []
    cum_smuggled = 0.0
    cum_revenue_forgone = 0.0

    for k in range(n):
        year = start + k
        china_legal_cap = lv["china_legal_cap"][k]
        tier2_country_cap = lv["tier2_country_cap"][k]
        tier2_exempt_capacity = lv["tier2_exempt_capacity"][k]
        lpp_threshold = lv["lpp_threshold"][k]
        enforcement = lv["enforcement"][k]
        leakage_multiplier = lv["leakage_multiplier"][k]
        cloud_kyc = lv["cloud_kyc"][k]
        stringency = lv["stringency"][k]
        china_fee = lv["china_fee"][k]

        # ---- 1. Supply of US-designed accelerators
        P = q["us_supply_2025"] * g_P**k
        e_US = q["us_chip_perf_2025"] * q["us_chip_perf_growth"]**k
        p = q["us_price_2025"] / q["price_performance_growth"]**k
        D_CN = q["china_demand_share"] * P
        D_T2 = q["tier2_demand_share"] * P
        D_US = P - D_CN - D_T2

        # ---- 2. What may be sold where
        L = min(D_CN, china_legal_cap)
        lpp_share = q["tier2_lpp_share"] * min(1.0, lpp_threshold / 1700.0)**q["lpp_elasticity"]
        E = lpp_share * D_T2
        if math.isinf(tier2_country_cap) and tier2_country_cap > 0:
            Q = INF  # no cap: Q = inf whatever tier2_capped_countries is
        else:
            Q = q["tier2_capped_countries"] * tier2_country_cap + tier2_exempt_capacity
        if math.isinf(Q) and Q > 0:
            S_T2 = D_T2
        else:
            S_T2 = E + min(D_T2 - E, Q)
        U = (D_T2 - S_T2) + (D_CN - L)
        R = q["reallocation_rate"] * U
        F = U - R
        G_US = D_US + R

        # ---- 3. Leakage to China
        m = enforcement**(-q["enforcement_elasticity"]) * leakage_multiplier
        X_T2 = m * (q["leakage_rate"] * (S_T2 - E) + q["lpp_leakage_rate"] * E)
        X_US = m * q["direct_leakage_rate"] * G_US
        X_raw = X_T2 + X_US
        room = max(0.0, D_CN - L)
        s_X = room / X_raw if X_raw > room else 1.0  # NOT SPECIFIED for X_raw=0: s_X=1
        X = s_X * X_raw
        I_US = G_US - s_X * X_US
        I_T2 = S_T2 - s_X * X_T2
        I_CNimp = L + X

        total = I_US + I_T2 + I_CNimp + F
        assert abs(P - total) <= 1e-12 * abs(P), (
            "conservation violated in %d: P=%r, I_US+I_T2+I_CNimp+F=%r" % (year, P, total))

        # ---- 4. China's domestic production
        stringency_boost = (1.0 + q["induced_substitution"] * stringency)**k
        y = q["cn_yield_max"] - (q["cn_yield_max"] - q["cn_yield_2025"]) * 2.0**(-k / q["cn_yield_halflife"])
        logic = q["cn_chips_2025"] * q["cn_chips_growth"]**k * stringency_boost * y / q["cn_yield_2025"]
        hbm_in = q["cn_hbm_domestic_2025"] * q["cn_hbm_growth"]**k
        avail = H_prev + hbm_in
        hbm_bound = avail / q["cn_hbm_per_chip"]
        N_CN = min(logic, hbm_bound)
        H = avail - q["cn_hbm_per_chip"] * N_CN
        e_CN = q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"]**k
        Dom = N_CN * e_CN

        # ---- 5. Stocks, access, training runs
        K_US = (1.0 - delta) * K_US_prev + I_US
        K_T2 = (1.0 - delta) * K_T2_prev + I_T2
        K_CN = (1.0 - delta) * K_CN_prev + I_CNimp + Dom
        rho = q["cloud_access_share"] * (1.0 - cloud_kyc)
        Kuse_CN = K_CN + rho * K_T2

        def run(K, f):
            return f * K * 1e6 * q["mfu"] * 9.89e14 * q["run_days"] * 86400

        C_US = run(K_US, q["us_largest_share"])
        C_CN = run(Kuse_CN, q["cn_largest_share"])
        A = q["algo_progress"]**k
        E_US = C_US * A
        E_CN = C_CN * A * q["cn_algo_factor"]
        E_US_list.append(E_US)
        E_CN_list.append(E_CN)

        # ---- 6. Money
        revenue = p * (P - F) - china_fee * p * L
        revenue_forgone = p * P - revenue
        price_CN = q["cn_chip_price_2025"] / e_CN
        denom = L + X + Dom
        if denom == 0:
            cost_CN = price_CN
        else:
            cost_CN = (L * p + X * p * (1 + q["smuggling_premium"]) + Dom * price_CN) / denom
        cn_cost_multiplier = cost_CN / (p * q["cn_algo_factor"])

        cum_smuggled += X
        cum_revenue_forgone += revenue_forgone

        # ---- outputs (gap filled in after the loop: gamma(0) needs E_US(1))
        out["us_stock"].append(K_US)
        out["t2_stock"].append(K_T2)
        out["cn_stock"].append(K_CN)
        out["cn_usable"].append(Kuse_CN)
        out["compute_ratio"].append(K_US / Kuse_CN)
        out["cn_legal_imports"].append(L)
        out["cn_smuggled"].append(X)
        out["cn_domestic"].append(Dom)
        out["cn_domestic_chips"].append(N_CN)
        out["cn_hbm_stock"].append(H)
        out["us_largest_run"].append(C_US)
        out["cn_largest_run"].append(C_CN)
        out["us_effective_run"].append(E_US)
        out["cn_effective_run"].append(E_CN)
        out["revenue"].append(revenue)
        out["revenue_forgone"].append(revenue_forgone)
        out["cn_cost_multiplier"].append(cn_cost_multiplier)
        out["us_chips"].append(P / e_US)

        for name, value in (
            ("P", P), ("e_US", e_US), ("p", p), ("D_CN", D_CN), ("D_T2", D_T2),
            ("D_US", D_US), ("L", L), ("lpp_share", lpp_share), ("E", E), ("Q", Q),
            ("S_T2", S_T2), ("U", U), ("R", R), ("F", F), ("G_US", G_US), ("m", m),
            ("X_T2", X_T2), ("X_US", X_US), ("X_raw", X_raw), ("room", room),
            ("s_X", s_X), ("X", X), ("I_US", I_US), ("I_T2", I_T2),
            ("I_CNimp", I_CNimp), ("stringency_boost", stringency_boost), ("y", y),
            ("logic", logic), ("hbm_in", hbm_in), ("avail", avail),
            ("hbm_bound_chips", hbm_bound), ("hbm_binds", hbm_bound < logic),
            ("N_CN", N_CN), ("H", H), ("e_CN", e_CN), ("Dom", Dom), ("rho", rho),
            ("A", A), ("price_CN", price_CN), ("cost_CN", cost_CN),
        ):
            rec(name, value)

        K_US_prev, K_T2_prev, K_CN_prev, H_prev = K_US, K_T2, K_CN, H

    # gamma and gap (section 5)
    first_year_gap_below_1 = float(end + 1)
    for k in range(n):
        if k == 0:
            gamma = E_US_list[1] / E_US_list[0]
        else:
            gamma = E_US_list[k] / E_US_list[k - 1]
        if gamma <= 1 or math.isnan(gamma):
            gap = NAN
        elif E_CN_list[k] == 0:
            gap = INF  # NOT SPECIFIED: E_US/E_CN infinite
        else:
            gap = math.log(E_US_list[k] / E_CN_list[k]) / math.log(gamma)
        rec("gamma", gamma)
        out["frontier_gap_years"].append(gap)
        if first_year_gap_below_1 == end + 1 and not math.isnan(gap) and gap < 1:
            first_year_gap_below_1 = float(start + k)

    out["cum_smuggled"] = cum_smuggled
    out["cum_revenue_forgone"] = cum_revenue_forgone
    out["first_year_gap_below_1"] = first_year_gap_below_1
    return out


# --------------------------------------------------------------------------- hand values

BASE_PARAMS = {
    "us_supply_2025": 13.5, "us_units_growth": 1.35, "us_chip_perf_growth": 1.32,
    "us_chip_perf_2025": 1.9, "us_price_2025": 18.0, "price_performance_growth": 1.32,
    "china_demand_share": 0.15, "tier2_demand_share": 0.16, "tier2_capped_countries": 20.0,
    "tier2_lpp_share": 0.21, "lpp_elasticity": 0.75, "reallocation_rate": 0.72,
    "leakage_rate": 0.12, "lpp_leakage_rate": 0.26, "direct_leakage_rate": 0.022,
    "enforcement_elasticity": 0.6, "cloud_access_share": 0.063, "smuggling_premium": 0.6,
    "cn_chips_2025": 0.42, "cn_chips_growth": 1.66, "induced_substitution": 0.15,
    "cn_yield_2025": 0.39, "cn_yield_max": 0.69, "cn_yield_halflife": 2.5,
    "cn_hbm_stockpile": 10.5, "cn_hbm_domestic_2025": 0.45, "cn_hbm_growth": 1.97,
    "cn_hbm_per_chip": 8.0, "cn_chip_perf_2025": 0.6, "cn_chip_perf_growth": 1.26,
    "cn_chip_price_2025": 20.0, "hardware_lifetime": 4.67, "us_stock_2024": 5.1,
    "t2_stock_2024": 0.49, "cn_stock_2024": 0.95, "us_largest_share": 0.0168,
    "cn_largest_share": 0.0225, "mfu": 0.347, "run_days": 120.0, "algo_progress": 3.1,
    "cn_algo_factor": 1.02,
}

START, END = 2025, 2027

# (case name, policy name, parameter overrides, purpose)
CASES = (
    ("diffusion_rule", "diffusion_rule", {}, "base parameters, diffusion_rule"),
    ("rescission_deals", "rescission_deals", {},
     "base parameters, rescission_deals (step levers, no Tier-2 cap)"),
    ("hbm_bound", "diffusion_rule",
     {"cn_hbm_stockpile": 0.5, "cn_hbm_domestic_2025": 0.1, "cn_chips_2025": 0.9},
     "HBM bound on N_CN binds"),
    ("smuggling_capped", "nvidia",
     {"china_demand_share": 0.02, "leakage_rate": 0.6, "direct_leakage_rate": 0.2},
     "room binds (room = 0 since L = D_CN): s_X = 0"),
    ("smuggling_partial", "nvidia",
     {"china_demand_share": 0.08, "leakage_rate": 0.6, "direct_leakage_rate": 0.2},
     "extra case: room binds with 0 < s_X < 1"),
)


def _json_safe(x):
    """Replace NaN by "nan" and +/-inf by "inf"/"-inf", recursively; bools kept."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    return x


def _fmt(v):
    if isinstance(v, bool):
        return "T" if v else "F"
    return "%.6g" % v


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data_dir = os.path.join(os.path.dirname(here), "data")
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(data_dir, "compute_race_hand_values.json")

    years = list(range(START, END + 1))
    cases = {}
    for name, policy_name, overrides, purpose in CASES:
        params = dict(BASE_PARAMS)
        params.update(overrides)
        levers = policy_by_year(POLICIES[policy_name], START, END)
        inter = {}
        outputs = evaluate(params, levers, START, END, intermediates=inter)
        cases[name] = {
            "policy": policy_name,
            "purpose": purpose,
            "param_overrides": overrides,
            "params": params,
            "levers": levers,
            "outputs": outputs,
            "intermediates": inter,
        }

        print("== %s (policy %s)" % (name, policy_name))
        rows = (
            ("cn_legal_imports", outputs["cn_legal_imports"]),
            ("room", inter["room"]), ("X_raw", inter["X_raw"]), ("s_X", inter["s_X"]),
            ("cn_smuggled", outputs["cn_smuggled"]),
            ("logic", inter["logic"]), ("hbm_bound_chips", inter["hbm_bound_chips"]),
            ("hbm_binds", inter["hbm_binds"]),
            ("cn_domestic_chips", outputs["cn_domestic_chips"]),
            ("cn_hbm_stock", outputs["cn_hbm_stock"]),
            ("us_stock", outputs["us_stock"]), ("cn_usable", outputs["cn_usable"]),
            ("compute_ratio", outputs["compute_ratio"]),
            ("frontier_gap_years", outputs["frontier_gap_years"]),
            ("revenue", outputs["revenue"]),
            ("cn_cost_multiplier", outputs["cn_cost_multiplier"]),
        )
        print("  %-20s %s" % ("year", " ".join("%12d" % y for y in years)))
        for label, vals in rows:
            print("  %-20s %s" % (label, " ".join("%12s" % _fmt(v) for v in vals)))
        print("  cum_smuggled=%s cum_revenue_forgone=%s first_year_gap_below_1=%s" % (
            _fmt(outputs["cum_smuggled"]), _fmt(outputs["cum_revenue_forgone"]),
            _fmt(outputs["first_year_gap_below_1"])))

    doc = {
        "model": "compute_race",
        "model_version": 1,
        "source": "tests/reference/compute_race_reference.py, written from MODEL.md alone",
        "notes": ("NaN is written as the string \"nan\", infinity as \"inf\". Per-year "
                  "outputs are lists over years start..end. first_year_gap_below_1 is "
                  "end+1 when no year's gap is < 1 (right-censored). 'intermediates' are "
                  "internal quantities for debugging, not model outputs."),
        "params": BASE_PARAMS,
        "start": START,
        "end": END,
        "years": years,
        "per_year_outputs": list(PER_YEAR_OUTPUTS),
        "scalar_outputs": list(SCALAR_OUTPUTS),
        "cases": cases,
    }
    with open(path, "w") as fh:
        json.dump(_json_safe(doc), fh, indent=1, allow_nan=False)
        fh.write("\n")
    print("wrote %s" % path)


if __name__ == "__main__":
    main()
