#!/usr/bin/python3
"""Independent reference implementation of the `compute_race` model (versions 1 and 2).

Version 1 was written from the model's equations alone (now docs/model.md sections 2-5),
version 2 from docs/model.md section 9 alone.  No C++ source or header of the model
(src/model/compute_race.cpp, include/chiprace/model/compute_race.hpp) was read while writing
it; it exists so that the C++ implementation can be checked against it sample by sample.
Version 2 follows section 9 as revised: exports from the capacity China's buyers leave and a
share of what they take (9.4), learning that acts on the rate of China's progress (9.4),
revenue summed from sales (9.9), and growth that slows (9.14).

Plain Python 3, standard library only (`math`, `json`).  Python floats throughout;
powers are written x**k, logs math.log, the yield curve 2.0**(-k/h), exactly as in the
documentation.  Operations are evaluated in the order they are written there; each year in
the order of docs/model.md section 9.1.  Where a neutral version-2 value makes version 2's
expression equal version 1's only up to rounding (supply with rd_elasticity = 0, revenue and
China's cost with legal_capacity_mult = legal_price_mult = 1), version 1's expression is
evaluated, so the version-1 cases give the numbers the version-1
reference gave, bit for bit.

Running this file writes tests/data/compute_race_hand_values.json (relative to the
repository's tests/ directory) with a fixed parameter vector, start 2025, end 2027, and
for each case the per-year lever values used, every output of docs/model.md sections 5 and
9.10 and (for debugging a mismatch) the intermediate quantities.  In the JSON, NaN is
written as the string "nan" and +/-infinity as "inf"/"-inf".  The five version-1 cases have
no version-2 parameter or lever (neutral values); each version-2 case lists the version-2
parameters it sets and all 18 levers.

Points where the documentation is silent and a choice was made here (marked
"NOT SPECIFIED" in the code):
  * E_CN = 0 (so E_US/E_CN is infinite): gap = +inf if gamma > 1 (NaN stays NaN).
  * X_raw = 0: s_X = 1 (the "X_raw > room" test is false), X = 0.
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

# docs/model.md section 9.11: version 2's parameters and levers, with their neutral values
# (None: "not sampled", no smuggling capacity, no power bound, no power draw).
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
V2_LEVERS = {
    "trusted_share": 0.0, "trusted_cap": INF, "uveu_share": 0.0, "cn_import_accept": 1.0,
    "legal_capacity_mult": 1.0, "legal_price_mult": 1.0, "legal_inference_mult": 1.0,
    "china_legal_share": INF, "cn_stack_deterrence": 0.0,
}
ALL_LEVERS = LEVERS + tuple(V2_LEVERS)


def _div(a, b):
    """a / b with IEEE semantics (Python raises on a zero divisor)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


# docs/model.md section 3.2, the policies of the flagship experiment (version 1's levers).
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

V1_PER_YEAR_OUTPUTS = (
    "us_stock", "t2_stock", "cn_stock", "cn_usable", "compute_ratio",
    "cn_legal_imports", "cn_smuggled", "cn_domestic", "cn_domestic_chips",
    "cn_hbm_stock", "us_largest_run", "cn_largest_run", "us_effective_run",
    "cn_effective_run", "frontier_gap_years", "revenue", "revenue_forgone",
    "cn_cost_multiplier", "us_chips",
)
# docs/model.md section 9.10, after version 1's.
V2_PER_YEAR_OUTPUTS = (
    "us_controlled_stock", "us_controlled_ratio", "trusted_shipments", "us_stack_share",
    "cn_self_sufficiency", "cn_smuggled_share", "revenue_us", "revenue_tier2",
    "revenue_china", "fees_paid", "t2_cn_aligned", "cn_exports", "t2_cn_stock",
    "cn_inference_stock", "inference_ratio", "us_power",
)
PER_YEAR_OUTPUTS = V1_PER_YEAR_OUTPUTS + V2_PER_YEAR_OUTPUTS
SCALAR_OUTPUTS = ("cum_smuggled", "cum_revenue_forgone", "first_year_gap_below_1")


def lever_by_year(value, start, end):
    """Per-year values (list over start..end) of a lever given as in docs/model.md section 3.2.

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
    """{lever: [value for each year start..end]} for a policy dict: the nine levers of
    version 1 (required) and the version-2 levers it sets."""
    missing = [name for name in LEVERS if name not in policy]
    if missing:
        raise KeyError("policy lacks levers: %s" % ", ".join(missing))
    unknown = [name for name in policy if name not in ALL_LEVERS]
    if unknown:
        raise KeyError("unknown levers: %s" % ", ".join(unknown))
    return {name: lever_by_year(policy[name], start, end)
            for name in ALL_LEVERS if name in policy}


def evaluate(params, levers_by_year, start, end, intermediates=None):
    """Evaluate the compute_race model, version 2 (docs/model.md section 9, which extends
    sections 2.1-2.6, version 1).

    params: {parameter name: float}.  The 41 parameters of version 1 are required; a
        version-2 parameter that is absent (or None) takes its neutral value (section 9.11).
    levers_by_year: {lever name: list of per-year values over start..end}; a policy as
        written in section 3.2 (numbers / step dicts) is also accepted and expanded.  The
        nine levers of version 1 are required; an absent version-2 lever is neutral.
    Returns {output: list over years} for the per-year outputs (version 1's 19, then the
    16 of section 9.10) and {output: float} for the three scalars.  If `intermediates` is
    a dict, it is filled with per-year lists of internal quantities.

    The year follows the order of section 9.1.  Where a neutral value makes version 2's
    expression equal version 1's only up to rounding, version 1's expression is evaluated
    (section 9: neutral values give version 1 bit for bit), so the version-1 cases give
    the same numbers as the version-1 reference did.
    """
    if not end > start:
        raise ValueError("the horizon needs end > start")
    n = end - start + 1
    lv = {}
    for name in ALL_LEVERS:
        if name in levers_by_year:
            v = levers_by_year[name]
        elif name in V2_LEVERS:
            v = V2_LEVERS[name]
        else:
            raise KeyError("lever %s is required" % name)
        if isinstance(v, (list, tuple)):
            if len(v) != n:
                raise ValueError("lever %s has %d values, expected %d" % (name, len(v), n))
            lv[name] = [float(x) for x in v]
        else:
            lv[name] = lever_by_year(v, start, end)

    q = dict(params)
    absent = set()
    for name, neutral in V2_PARAMETERS.items():
        if q.get(name) is None:
            absent.add(name)
            q[name] = neutral
    has_smuggling_capacity = "smuggling_capacity_2025" not in absent
    has_power_draw = "kw_per_h100e_2025" not in absent
    # NOT SPECIFIED: us_power_2025 sampled without kw_per_h100e_2025; read as "no bound"
    # (Cap_US needs the power per H100e w(k)).
    has_power_bound = "us_power_2025" not in absent and has_power_draw
    # Section 9.14: a growth rate whose logarithm halves every h years.  Not sampled (h = inf):
    # tau(k) = k, and version 1's g**k is evaluated.
    units_slowing = "us_units_growth_halflife" not in absent
    cn_slowing = "cn_output_growth_halflife" not in absent

    def years_of_growth(halflife, k):
        """tau_h(k) = 1 + d + ... + d**(k-1), d = 2**(-1/h); tau_h(0) = 0."""
        d = 2.0**(-1.0 / halflife)
        return math.fsum(d**j for j in range(k))

    out = {name: [] for name in PER_YEAR_OUTPUTS}
    inter = {} if intermediates is None else intermediates

    def rec(name, value):
        inter.setdefault(name, []).append(value)

    # Section 2.1
    g_P = q["us_units_growth"] * q["us_chip_perf_growth"]
    # Section 2.5 constants
    delta = 1.0 / q["hardware_lifetime"]

    K_US_prev = q["us_stock_2024"]
    K_T2_prev = q["t2_stock_2024"]
    K_CN_prev = q["cn_stock_2024"]
    H_prev = q["cn_hbm_stockpile"]
    # Section 9 state
    Lam = 0.0                                   # Λ(k), years of R&D-funded progress
    ell_sum = 0.0                               # ℓ(1) + … + ℓ(k), years of China's progress
    rho_rev_prev = 1.0                          # ρ_rev(−1) = 1
    Y_prev = q["cn_chips_2025"]                 # chips China made, Y(k−1); Y(−1) = a year's output
    Yhat_prev = q["cn_chips_2025"]              # chips China could have made, Ŷ(k−1)
    sigma_prev = q["t2_cn_aligned_2024"]        # σ(−1)
    K_T2us_prev = 0.0
    K_T2cn_prev = 0.0
    K_CNdom_prev = q["cn_domestic_share_2024"] * q["cn_stock_2024"]
    Ki_CN_prev = q["cn_inference_mult_2024"] * q["cn_stock_2024"]
    if has_power_draw:
        W_US_prev = q["us_stock_2024"] * q["kw_per_h100e_2025"] * q["energy_efficiency_growth"]
    else:
        W_US_prev = NAN

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
        trusted_share = lv["trusted_share"][k]
        trusted_cap = lv["trusted_cap"][k]
        uveu_share = lv["uveu_share"][k]
        cn_import_accept = lv["cn_import_accept"][k]
        c_L = lv["legal_capacity_mult"][k]
        legal_price_mult = lv["legal_price_mult"][k]
        legal_inference_mult = lv["legal_inference_mult"][k]
        china_legal_share = lv["china_legal_share"][k]
        cn_stack_deterrence = lv["cn_stack_deterrence"][k]

        # ---- 1. US supply, with last year's R&D funding (9.2)
        if k >= 1:
            Lam += rho_rev_prev**q["rd_elasticity"]      # λ(k) = ρ_rev(k−1)^rd_elasticity
        # (9.14) years of unit growth at 2025's rate
        tau_U = years_of_growth(q["us_units_growth_halflife"], k) if units_slowing else k
        if q["rd_elasticity"] == 0:
            # neutral: Λ(k) = k, version 1's expressions (2.1)
            e_US = q["us_chip_perf_2025"] * q["us_chip_perf_growth"]**k
            p = q["us_price_2025"] / q["price_performance_growth"]**k
        else:
            e_US = q["us_chip_perf_2025"] * q["us_chip_perf_growth"]**Lam
            p = q["us_price_2025"] / q["price_performance_growth"]**Lam
        if q["rd_elasticity"] == 0 and not units_slowing:
            P = q["us_supply_2025"] * g_P**k
        else:
            P = q["us_supply_2025"] * q["us_units_growth"]**tau_U * q["us_chip_perf_growth"]**Lam

        # ---- 2. Demands, legal sales to China (2.1, 9.3)
        D_CN = q["china_demand_share"] * P
        D_T2 = q["tier2_demand_share"] * P
        D_US = P - D_CN - D_T2
        L = min(cn_import_accept * D_CN / c_L, china_legal_cap)
        if not math.isinf(china_legal_share):
            # NOT SPECIFIED: china_legal_share · D_US with D_US < 0 is used as written;
            # china_legal_share = inf means no cap even when D_US <= 0.
            L = min(L, china_legal_share * D_US)
        cL_L = c_L * L

        # ---- 3. China's domestic capacity, with learning (2.4, 9.4) and growth that slows (9.14)
        tau_C = years_of_growth(q["cn_output_growth_halflife"], k) if cn_slowing else k
        stringency_boost = (1.0 + q["induced_substitution"] * stringency)**k
        y = q["cn_yield_max"] - (q["cn_yield_max"] - q["cn_yield_2025"]) * 2.0**(-k / q["cn_yield_halflife"])
        logic = q["cn_chips_2025"] * q["cn_chips_growth"]**tau_C * stringency_boost * y / q["cn_yield_2025"]
        hbm_in = q["cn_hbm_domestic_2025"] * q["cn_hbm_growth"]**tau_C
        avail = H_prev + hbm_in
        hbm_bound = avail / q["cn_hbm_per_chip"]
        N_CN = min(logic, hbm_bound)
        if Yhat_prev == 0:
            ell = 1.0  # NOT SPECIFIED: Ŷ(k−1) = 0 (cn_chips_2025 = 0): no learning effect
        else:
            ell = (Y_prev / Yhat_prev)**q["cn_learning"]
        # learning acts on the rate of progress: e_CN(k) = e_CN(2025)·g^(ℓ(1) + … + ℓ(k))
        if k >= 1:
            ell_sum += ell
        if q["cn_learning"] == 0:
            e_CN = q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"]**k   # version 1 (2.4)
        else:
            e_CN = q["cn_chip_perf_2025"] * q["cn_chip_perf_growth"]**ell_sum
        Dom_cap = N_CN * e_CN

        # ---- 4. China's own buyers, exports to aligned Tier-2 demand (9.4)
        Dem_home = max(q["cn_mandate_share"] * Dom_cap, Dom_cap - q["cn_crowd_out"] * L)
        Slack = Dom_cap - Dem_home
        D_T2cn = sigma_prev * (1.0 - trusted_share) * D_T2
        # exports from the capacity China's buyers leave and a share of what they take
        Exp = min(D_T2cn, Slack + q["cn_export_share_max"] * Dem_home)
        Dom_home = min(Dem_home, Dom_cap - Exp)
        idle = Dom_cap - Dom_home - Exp
        # chips made: capacity less the idle part.  NOT SPECIFIED: e_CN = 0 (only with
        # cn_chips_2025 = 0): the idle part 0/0 is read as 0.
        N_made = N_CN - (0.0 if idle == 0 else idle / e_CN)
        H = avail - q["cn_hbm_per_chip"] * N_made

        # ---- 5. Tier 2: the trusted channel and the rest (9.5); blocked demand (2.2)
        lpp_share = q["tier2_lpp_share"] * min(1.0, lpp_threshold / 1700.0)**q["lpp_elasticity"]
        D_tr = trusted_share * D_T2
        D_rt = D_T2 - D_tr - Exp
        E = lpp_share * D_rt
        if math.isinf(tier2_country_cap) and tier2_country_cap > 0:
            Q = INF  # no cap: Q = inf whatever tier2_capped_countries is
        else:
            Q = q["tier2_capped_countries"] * tier2_country_cap + tier2_exempt_capacity
        if math.isinf(Q) and Q > 0:
            S_rt = D_rt
        else:
            S_rt = E + min(D_rt - E, Q)
        S_tr = min(D_tr, trusted_cap + uveu_share * max(0.0, D_US))
        S_T2 = S_tr + S_rt
        U = (D_T2 - S_T2) + (D_CN - cL_L)
        R = q["reallocation_rate"] * U
        F = U - R
        G_US = D_US + R
        wanted_T2 = D_tr + D_rt
        b = 0.0 if wanted_T2 == 0 else (wanted_T2 - S_T2) / wanted_T2

        # ---- 6. The US power bound (9.7)
        if has_power_draw:
            w = q["kw_per_h100e_2025"] / q["energy_efficiency_growth"]**k
        else:
            w = NAN
        Cap_US = INF
        if has_power_bound:
            Pow = q["us_power_2025"] * q["us_power_growth"]**k
            Cap_US = max(0.0, Pow - (1.0 - delta) * W_US_prev) / w
            if G_US > Cap_US:
                F = F + (G_US - Cap_US)   # the excess is not sold
                G_US = Cap_US

        # ---- 7. Leakage, with the smuggling network's capacity (2.3, 9.6)
        m = enforcement**(-q["enforcement_elasticity"]) * leakage_multiplier
        X_tr = m * q["trusted_leak_mult"] * q["leakage_rate"] * S_tr
        X_T2 = m * (q["leakage_rate"] * (S_rt - E) + q["lpp_leakage_rate"] * E) + X_tr
        X_US = m * q["direct_leakage_rate"] * G_US
        X_raw = X_T2 + X_US
        room = max(0.0, D_CN - cL_L)
        s_room = room / X_raw if X_raw > room else 1.0  # NOT SPECIFIED (v1) for X_raw=0: 1
        if has_smuggling_capacity:
            Xcap = q["smuggling_capacity_2025"] * q["smuggling_capacity_growth"]**k * m
            s_X = s_room if X_raw == 0 else min(s_room, Xcap / X_raw)
        else:
            Xcap = INF
            s_X = s_room
        X = s_X * X_raw
        I_US = G_US - s_X * X_US
        I_T2 = S_T2 - s_X * X_T2
        I_CNimp = L + X

        total = I_US + I_T2 + cL_L + X + F
        assert abs(P - total) <= 1e-12 * abs(P), (
            "conservation violated in %d: P=%r, I_US+I_T2+c_L*L+X+F=%r" % (year, P, total))

        # ---- 8. Stocks, compute by who controls it, runs (2.5, 9.8)
        K_US = (1.0 - delta) * K_US_prev + I_US
        K_T2 = (1.0 - delta) * K_T2_prev + I_T2
        K_CN = (1.0 - delta) * K_CN_prev + I_CNimp + Dom_home
        K_T2us = (1.0 - delta) * K_T2us_prev + q["trusted_us_operated"] * (S_tr - s_X * X_tr)
        K_T2cn = (1.0 - delta) * K_T2cn_prev + Exp
        K_CNdom = (1.0 - delta) * K_CNdom_prev + Dom_home
        Ki_CN = ((1.0 - delta) * Ki_CN_prev + legal_inference_mult * L + X
                 + q["cn_domestic_inference_mult"] * Dom_home)
        W_US = (1.0 - delta) * W_US_prev + I_US * w if has_power_draw else NAN
        rho = q["cloud_access_share"] * (1.0 - cloud_kyc)
        Kuse_CN = (K_CN + rho * (K_T2 - K_T2us) + rho * q["trusted_leak_mult"] * K_T2us
                   + q["cn_stack_cloud_access"] * K_T2cn)

        def run(K, f):
            return f * K * 1e6 * q["mfu"] * 9.89e14 * q["run_days"] * 86400

        C_US = run(K_US, q["us_largest_share"])
        C_CN = run(Kuse_CN, q["cn_largest_share"])
        A = q["algo_progress"]**k
        E_US = C_US * A
        E_CN = C_CN * A * q["cn_algo_factor"]
        E_US_list.append(E_US)
        E_CN_list.append(E_CN)

        # ---- 9. Money (2.6, 9.9)
        if c_L == 1.0 and legal_price_mult == 1.0:
            revenue = p * (P - F) - china_fee * p * L           # version 1
        else:
            # summed from sales (9.9): no sales give exactly 0
            revenue = p * (G_US + S_T2) + legal_price_mult * p * L * (1.0 - china_fee)
        revenue_forgone = p * P - revenue
        revenue_us = p * G_US
        revenue_tier2 = p * S_T2
        revenue_china = legal_price_mult * p * L
        fees_paid = china_fee * revenue_china
        price_CN = _div(q["cn_chip_price_2025"], e_CN)
        denom = L + X + Dom_home
        if denom == 0:
            cost_CN = price_CN
        elif legal_price_mult == 1.0:
            cost_CN = (L * p + X * p * (1 + q["smuggling_premium"]) + Dom_home * price_CN) / denom
        else:
            cost_CN = (legal_price_mult * p * L + p * (1 + q["smuggling_premium"]) * X
                       + price_CN * Dom_home) / denom
        cn_cost_multiplier = _div(cost_CN, p * q["cn_algo_factor"])
        # this year's R&D funding, for next year's supply (9.2)
        rho_rev = min(1.0, max(0.0, _div(revenue, p * P)))

        # ---- 10. Tier-2 alignment for next year (9.5)
        sigma = sigma_prev + (1.0 - sigma_prev) * q["t2_switch_rate"] * b * (1.0 - cn_stack_deterrence)

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
        # NOT SPECIFIED: cn_domestic / cn_domestic_chips in version 2 (Dom_cap and N_CN,
        # what China could make; Dom_home + Exp and N_made, what it made; or Dom_home, what
        # it added at home).  Read: cn_domestic = Dom_home (the term of K_CN and of
        # cn_self_sufficiency), cn_domestic_chips = N_made (every chip made, exports too).
        out["cn_domestic"].append(Dom_home)
        out["cn_domestic_chips"].append(N_made)
        out["cn_hbm_stock"].append(H)
        out["us_largest_run"].append(C_US)
        out["cn_largest_run"].append(C_CN)
        out["us_effective_run"].append(E_US)
        out["cn_effective_run"].append(E_CN)
        out["revenue"].append(revenue)
        out["revenue_forgone"].append(revenue_forgone)
        out["cn_cost_multiplier"].append(cn_cost_multiplier)
        out["us_chips"].append(P / e_US)
        out["us_controlled_stock"].append(K_US + K_T2us)
        out["us_controlled_ratio"].append(_div(K_US + K_T2us, Kuse_CN))
        out["trusted_shipments"].append(S_tr)
        out["us_stack_share"].append(
            _div(K_US + K_T2 + K_CN - K_CNdom, K_US + K_T2 + K_CN + K_T2cn))
        out["cn_self_sufficiency"].append(_div(Dom_home, denom))
        out["cn_smuggled_share"].append(_div(X, denom))
        out["revenue_us"].append(revenue_us)
        out["revenue_tier2"].append(revenue_tier2)
        out["revenue_china"].append(revenue_china)
        out["fees_paid"].append(fees_paid)
        # NOT SPECIFIED: σ(k) (end of year k, used in year k+1) or σ(k−1) (used in year k);
        # read: σ(k), an end-of-year value like the stocks.
        out["t2_cn_aligned"].append(sigma)
        out["cn_exports"].append(Exp)
        out["t2_cn_stock"].append(K_T2cn)
        out["cn_inference_stock"].append(Ki_CN)
        out["inference_ratio"].append(_div(K_US, Kuse_CN - K_CN + Ki_CN))
        out["us_power"].append(W_US)

        for name, value in (
            ("P", P), ("e_US", e_US), ("p", p), ("D_CN", D_CN), ("D_T2", D_T2),
            ("D_US", D_US), ("L", L), ("lpp_share", lpp_share), ("E", E), ("Q", Q),
            ("S_T2", S_T2), ("U", U), ("R", R), ("F", F), ("G_US", G_US), ("m", m),
            ("X_T2", X_T2), ("X_US", X_US), ("X_raw", X_raw), ("room", room),
            ("s_X", s_X), ("X", X), ("I_US", I_US), ("I_T2", I_T2),
            ("I_CNimp", I_CNimp), ("stringency_boost", stringency_boost), ("y", y),
            ("logic", logic), ("hbm_in", hbm_in), ("avail", avail),
            ("hbm_bound_chips", hbm_bound), ("hbm_binds", hbm_bound < logic),
            ("N_CN", N_CN), ("H", H), ("e_CN", e_CN), ("Dom", Dom_cap), ("rho", rho),
            ("A", A), ("price_CN", price_CN), ("cost_CN", cost_CN),
        ):
            rec(name, value)
        for name, value in (
            ("Lambda", Lam), ("ell", ell), ("ell_sum", ell_sum), ("tau_U", tau_U),
            ("tau_C", tau_C), ("Dem_home", Dem_home), ("Slack", Slack),
            ("D_T2cn", D_T2cn), ("Exp", Exp), ("Dom_home", Dom_home),
            ("N_made", N_made), ("D_tr", D_tr), ("D_rt", D_rt), ("S_tr", S_tr),
            ("S_rt", S_rt), ("b", b), ("Cap_US", Cap_US), ("X_tr", X_tr),
            ("s_room", s_room), ("Xcap", Xcap), ("K_T2us", K_T2us),
            ("K_CNdom", K_CNdom), ("rho_rev", rho_rev), ("sigma", sigma),
        ):
            rec(name, value)

        K_US_prev, K_T2_prev, K_CN_prev, H_prev = K_US, K_T2, K_CN, H
        K_T2us_prev, K_T2cn_prev, K_CNdom_prev, Ki_CN_prev = K_T2us, K_T2cn, K_CNdom, Ki_CN
        W_US_prev = W_US
        Y_prev += N_made
        Yhat_prev += N_CN
        rho_rev_prev = rho_rev
        sigma_prev = sigma

    # gamma and gap (section 2.5)
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

# (case name, policy name, parameter overrides, lever overrides, purpose).  The first five
# are version 1's (no version-2 parameter or lever: neutral values); their numbers are those
# the version-1 reference wrote.  The others switch on the mechanisms of section 9.
ALL_ON_PARAMS = {
    "trusted_leak_mult": 0.3, "trusted_us_operated": 0.7, "t2_switch_rate": 0.4,
    "t2_cn_aligned_2024": 0.1, "cn_export_share_max": 0.2, "cn_stack_cloud_access": 0.5,
    "cn_crowd_out": 0.8, "cn_mandate_share": 0.3, "cn_learning": 0.5, "rd_elasticity": 1.5,
    "cn_domestic_inference_mult": 1.4, "cn_inference_mult_2024": 1.1,
    "cn_domestic_share_2024": 0.25, "smuggling_capacity_2025": 0.15,
    "smuggling_capacity_growth": 1.3, "us_power_2025": 14.0, "us_power_growth": 1.25,
    "kw_per_h100e_2025": 1.4, "energy_efficiency_growth": 1.3,
    "us_units_growth_halflife": 2.0, "cn_output_growth_halflife": 3.0,
}
ALL_ON_LEVERS = {
    "china_legal_cap": 0.8, "trusted_share": 0.35, "trusted_cap": 0.25, "uveu_share": 0.02,
    "cn_import_accept": 0.7, "legal_capacity_mult": 1.6, "legal_price_mult": 1.3,
    "legal_inference_mult": 1.8, "china_legal_share": 0.06, "cn_stack_deterrence": 0.25,
}
CASES = (
    ("diffusion_rule", "diffusion_rule", {}, {}, "base parameters, diffusion_rule"),
    ("rescission_deals", "rescission_deals", {}, {},
     "base parameters, rescission_deals (step levers, no Tier-2 cap)"),
    ("hbm_bound", "diffusion_rule",
     {"cn_hbm_stockpile": 0.5, "cn_hbm_domestic_2025": 0.1, "cn_chips_2025": 0.9}, {},
     "HBM bound on N_CN binds"),
    ("smuggling_capped", "nvidia",
     {"china_demand_share": 0.02, "leakage_rate": 0.6, "direct_leakage_rate": 0.2}, {},
     "room binds (room = 0 since L = D_CN): s_X = 0"),
    ("smuggling_partial", "nvidia",
     {"china_demand_share": 0.08, "leakage_rate": 0.6, "direct_leakage_rate": 0.2}, {},
     "extra case: room binds with 0 < s_X < 1"),
    ("v2_trusted_channel", "diffusion_rule",
     {"trusted_leak_mult": 0.3, "trusted_us_operated": 0.7},
     {"trusted_share": 0.4, "trusted_cap": {2025: 0.1, 2026: 0.3}, "uveu_share": 0.01},
     "9.5, 9.6, 9.8: trusted Tier-2 channel (its cap binds in 2025, not after), lower "
     "leakage, US-operated Tier-2 compute"),
    ("v2_alignment_exports", "diffusion_rule",
     {"t2_switch_rate": 0.5, "t2_cn_aligned_2024": 0.1, "cn_export_share_max": 0.3,
      "cn_stack_cloud_access": 0.5},
     {"cn_stack_deterrence": 0.2},
     "9.4, 9.5: blocked Tier-2 demand turns to Chinese chips, China exports to it"),
    ("v2_crowd_out_learning", "nvidia",
     {"cn_crowd_out": 0.2, "cn_mandate_share": 0.2, "cn_learning": 0.7,
      "cn_domestic_inference_mult": 1.4, "cn_inference_mult_2024": 1.2,
      "cn_domestic_share_2024": 0.3},
     {"legal_inference_mult": 1.5},
     "9.4, 9.8: legal imports crowd out China's chips, learning slows, inference stock"),
    ("v2_rd_funding", "anthropic", {"rd_elasticity": 1.5},
     {"china_legal_cap": {2025: 0.0, 2026: 0.5}},
     "9.2: revenue lost to controls slows US performance and price-performance"),
    ("v2_chip_class_acceptance", "nvidia", {},
     {"cn_import_accept": {2025: 1.0, 2026: 0.3}, "legal_capacity_mult": 1.6,
      "legal_price_mult": 1.3, "legal_inference_mult": 1.8,
      "china_legal_share": {2025: 0.06, 2026: INF}},
     "9.3, 9.9: compliant chips cost more capacity and money; the share of D_US (2025), "
     "acceptance (2026), the legal cap (2027) bind in turn"),
    ("v2_smuggling_capacity", "diffusion_rule",
     {"smuggling_capacity_2025": 0.2, "smuggling_capacity_growth": 1.1}, {},
     "9.6: the smuggling network's capacity binds"),
    ("v2_power_bound", "diffusion_rule",
     {"us_power_2025": 12.0, "us_power_growth": 1.2, "kw_per_h100e_2025": 1.4,
      "energy_efficiency_growth": 1.3}, {},
     "9.7: the US power bound binds; us_power"),
    ("v2_growth_slows", "diffusion_rule",
     {"us_units_growth_halflife": 1.5, "cn_output_growth_halflife": 2.5}, {},
     "9.14: the log growth rates of US units and of China's logic and HBM output halve "
     "every 1.5 and 2.5 years (R&D funding off: supply with g^k for performance)"),
    ("v2_no_sales", "anthropic",
     {"china_demand_share": 0.13, "tier2_demand_share": 0.16, "rd_elasticity": 0.1,
      "us_power_2025": 1e-3, "us_power_growth": 1.2, "kw_per_h100e_2025": 1.4,
      "energy_efficiency_growth": 1.3},
     {"tier2_country_cap": 0.0, "tier2_exempt_capacity": 0.0, "lpp_threshold": 0.0,
      "legal_capacity_mult": 1.6, "legal_price_mult": 1.3},
     "9.9, 9.2: nothing sold (no legal sales, Tier 2 closed, a power bound near zero): revenue "
     "summed from sales is exactly 0, so no rounding residue of p·(P − F − c_L·L) (3e-14 in "
     "2025 with these parameters) funds R&D"),
    ("v2_all_at_once", "nvidia", ALL_ON_PARAMS, ALL_ON_LEVERS,
     "every version-2 mechanism at once"),
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
    for name, policy_name, overrides, lever_overrides, purpose in CASES:
        params = dict(BASE_PARAMS)
        params.update(overrides)
        policy = dict(POLICIES[policy_name])
        policy.update(lever_overrides)
        if any(p in V2_PARAMETERS for p in overrides) or lever_overrides:
            # a version-2 case lists all 18 levers, neutral ones included
            policy = dict(V2_LEVERS, **policy)
        levers = policy_by_year(policy, START, END)
        inter = {}
        outputs = evaluate(params, levers, START, END, intermediates=inter)
        cases[name] = {
            "policy": policy_name,
            "purpose": purpose,
            "param_overrides": overrides,
            "lever_overrides": lever_overrides,
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
        "model_version": 2,
        "source": ("tests/reference/compute_race_reference.py, written from the model's "
                   "equations alone (docs/model.md sections 2 and 9)"),
        "notes": ("NaN is written as the string \"nan\", infinity as \"inf\". Per-year "
                  "outputs are lists over years start..end. first_year_gap_below_1 is "
                  "end+1 when no year's gap is < 1 (right-censored). 'intermediates' are "
                  "internal quantities for debugging, not model outputs. A case without a "
                  "version-2 parameter or lever gives them their neutral values "
                  "(docs/model.md section 9.11); a version-2 case lists all 18 levers."),
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
