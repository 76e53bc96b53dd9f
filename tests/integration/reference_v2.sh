# compute_race version 2 against the independent NumPy implementation bench/numpy_reference.py
# (written from docs/model.md alone), sample by sample (issue 15): a raw run of 3,000 futures x
# 6 policies in which every version-2 mechanism is active, with priors wide enough that each
# bound binds in some futures and not in others, and policies that include the stress cases
# (no legal sales, inf caps, every Tier-2 country trusted, China accepting nothing, a compliant
# chip costing 6.7x the capacity, deterrence 1, leakage switched off; a power bound near zero
# comes from the prior of us_power_2025). Every output of every policy must agree within a
# relative 1e-10, non-finite values at the same positions; a difference below 1e-9 in the
# output's own unit (M H100e, M stacks, B$, a share, years) is accepted too, because values that
# are zero up to cancellation (HBM left when HBM binds, avail − 8·N; smuggling when legal sales
# fill China's demand, D_CN − c_L·L) come out as ±1e-15 … 1e-11 with either sign (the "by atol"
# column of the check says how many). Then the same check on the flagship as it is
# (experiments/policy_comparison.toml) and on version 1's (experiments/model_v1.toml, every
# version-2 parameter and lever neutral).
source "$(dirname "$0")/lib.sh"

check_all() { # FILE POLICY...: numpy_reference.py check for each policy
    local file=$1 p
    shift
    for p in "$@"; do
        "$PYTHON" "$SOURCE_DIR/bench/numpy_reference.py" check --input "$file" --policy "$p" \
            --rtol 1e-10 --atol 1e-9 >"$WORK/check-$p.txt" || {
            cat "$WORK/check-$p.txt" >&2
            fail "$file, policy $p: compute_race differs from bench/numpy_reference.py"
        }
        tail -n 1 "$WORK/check-$p.txt"
    done
}

cat >"$WORK/v2.toml" <<EOF
[experiment]
name = "reference_v2"
model = "compute_race"
samples = 3000
seed = 15015
design = "mc"
include = ["$SOURCE_DIR/experiments/priors/default.toml"]

[model]
start_year = 2025
end_year = 2035

[parameters]
trusted_leak_mult = { dist = "uniform", low = 0, high = 1 }
trusted_us_operated = { dist = "uniform", low = 0, high = 1 }
t2_switch_rate = { dist = "uniform", low = 0, high = 1 }
t2_cn_aligned_2024 = { dist = "uniform", low = 0, high = 0.5 }
cn_export_share_max = { dist = "uniform", low = 0, high = 1 }
cn_stack_cloud_access = { dist = "uniform", low = 0, high = 1 }
cn_crowd_out = { dist = "uniform", low = 0, high = 3 }
cn_mandate_share = { dist = "uniform", low = 0, high = 0.6 }
cn_learning = { dist = "uniform", low = 0, high = 2 }
rd_elasticity = { dist = "uniform", low = 0, high = 3 }
cn_domestic_inference_mult = { dist = "uniform", low = 0.5, high = 2 }
cn_inference_mult_2024 = { dist = "uniform", low = 0.5, high = 2 }
cn_domestic_share_2024 = { dist = "uniform", low = 0, high = 1 }
smuggling_capacity_2025 = { dist = "lognormal", p05 = 0.02, p95 = 5 }
smuggling_capacity_growth = { dist = "uniform", low = 0.8, high = 1.6 }
us_power_2025 = { dist = "lognormal", p05 = 0.05, p95 = 80 }
us_power_growth = { dist = "uniform", low = 1.0, high = 1.6 }
kw_per_h100e_2025 = { dist = "uniform", low = 0.7, high = 2.0 }
energy_efficiency_growth = { dist = "uniform", low = 1.0, high = 1.5 }
us_units_growth_halflife = { dist = "uniform", low = 0.5, high = 12 }
cn_output_growth_halflife = { dist = "uniform", low = 0.5, high = 12 }

# Nothing legal to China, nothing to Tier 2 but the trusted channel, which is all of it.
[policies.closed]
china_legal_cap = 0
tier2_country_cap = 0
tier2_exempt_capacity = 0
lpp_threshold = 0
enforcement = 3.0
leakage_multiplier = 1.0
cloud_kyc = 1
stringency = 1
china_fee = 0
trusted_share = 1
trusted_cap = { 2025 = 0.2, 2029 = inf }
uveu_share = 0.05
cn_import_accept = 0
cn_stack_deterrence = 1

# Every cap infinite: China buys its whole demand, Tier 2 everything it wants.
[policies.open]
china_legal_cap = inf
tier2_country_cap = inf
tier2_exempt_capacity = inf
lpp_threshold = inf
enforcement = 0.5
leakage_multiplier = 1.0
cloud_kyc = 0
stringency = 0
china_fee = 0.3
trusted_share = 0.5
trusted_cap = inf
china_legal_share = inf

# Compliant chips that take 6.7x the capacity per training H100e, at a higher price.
[policies.compliant_chips]
china_legal_cap = 2.0
tier2_country_cap = 0.05
tier2_exempt_capacity = 0.3
lpp_threshold = 1000
enforcement = 1.0
leakage_multiplier = 1.5
cloud_kyc = 0.2
stringency = 0.5
china_fee = 0.25
legal_capacity_mult = 6.7
legal_price_mult = 2.5
legal_inference_mult = 3.0
cn_import_accept = { 2025 = 1, 2028 = 0.4 }
china_legal_share = 0.1

# The diffusion rule with a trusted channel, and leakage switched off from 2031.
[policies.diffusion_trusted]
china_legal_cap = 0.15
tier2_country_cap = 0.0166
tier2_exempt_capacity = 0.5
lpp_threshold = 1700
enforcement = { 2025 = 1.0, 2028 = 2.0 }
leakage_multiplier = { 2025 = 1.0, 2031 = 0 }
cloud_kyc = 0.3
stringency = 0.8
china_fee = 0
trusted_share = 0.3
trusted_cap = 0.5
uveu_share = 0.02
cn_stack_deterrence = 0.3

# Nvidia's policy, but China accepts no US chips.
[policies.nvidia_refused]
china_legal_cap = 1.0
tier2_country_cap = inf
tier2_exempt_capacity = 0
lpp_threshold = 1700
enforcement = 1.0
leakage_multiplier = 1.0
cloud_kyc = 0
stringency = 0.3
china_fee = 0.15
trusted_share = 0.2
cn_import_accept = 0
legal_price_mult = 0.8

# Anthropic's policy; every Tier-2 country trusted, the trusted channel nearly closed. (Not
# closed: with a near-zero power bound nothing would be sold at all, revenue would be the
# rounding noise of p·(P − F), and rd_elasticity near 0 turns that noise into R&D progress.)
[policies.anthropic_trusted_closed]
china_legal_cap = 0
tier2_country_cap = 0.0333
tier2_exempt_capacity = 0.5
lpp_threshold = 500
enforcement = 1.6
leakage_multiplier = 1.0
cloud_kyc = 0.5
stringency = 1.0
china_fee = 0
trusted_share = 1
trusted_cap = 0.2
cn_stack_deterrence = { 2025 = 0, 2030 = 1 }
EOF
policies=(closed open compliant_chips diffusion_trusted nvidia_refused anthropic_trusted_closed)

"$CHIPRACE" run "$WORK/v2.toml" --set output.store=raw -o "$WORK/v2.h5" -q ||
    fail "chiprace run of the version-2 experiment failed"
check_all "$WORK/v2.h5" "${policies[@]}"

# The run must exercise what it claims to: each mechanism binds in some futures and not in
# others, or is visibly on, under at least one policy.
"$PYTHON" - "$WORK/v2.h5" <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    out = {p: f["policies"][p]["outputs"] for p in f["policies"]}
    inp = f["inputs"]
    def o(p, name):
        return out[p][name][()]
    n = inp["us_power_2025"].shape[0]
    claims = {
        # smuggling's network capacity binds in some futures, not in others
        "capacity binds": lambda: (lambda x, cap: 0 < np.mean(np.isclose(x, cap)) < 1)(
            o("diffusion_trusted", "cn_smuggled")[:, 0],
            inp["smuggling_capacity_2025"][()]),
        # the power bound stops US sales in some futures (tiny power) and not in others
        "US sales stopped by power": lambda: np.any(o("open", "revenue_us")[:, 5] == 0)
            and np.any(o("open", "revenue_us")[:, 5] > 0),
        "trusted shipments, the only Tier-2 route": lambda: np.all(
            o("closed", "trusted_shipments") > 0),
        "no legal sales when China accepts none": lambda: np.all(
            o("nvidia_refused", "cn_legal_imports") == 0),
        "China exports to aligned Tier 2": lambda: np.any(o("diffusion_trusted", "cn_exports") > 0),
        "alignment stays when deterrence is 1 and every country is trusted": lambda: np.all(
            np.diff(o("anthropic_trusted_closed", "t2_cn_aligned")[:, 5:], axis=1) == 0),
        "zero smuggling once leakage is off": lambda: np.all(
            o("diffusion_trusted", "cn_smuggled")[:, 6:] == 0),
        "us_power is finite": lambda: np.all(np.isfinite(o("open", "us_power"))),
    }
    bad = [name for name, test in claims.items() if not test()]
    if bad:
        sys.exit("the version-2 run does not exercise: " + ", ".join(bad))
PY

# The flagship as it is (experiments/policy_comparison.toml, its version-2 levers on the default
# priors), 3,000 futures.
"$CHIPRACE" run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 3000 \
    --set output.store=raw -o "$WORK/flagship.h5" -q || fail "chiprace run of the flagship failed"
check_all "$WORK/flagship.h5" pre_diffusion diffusion_rule anthropic nvidia rescission_deals \
    tight_enforcement

# Version 1's flagship (every version-2 parameter and lever neutral), 3,000 futures.
"$CHIPRACE" run "$SOURCE_DIR/experiments/model_v1.toml" --samples 3000 \
    --set output.store=raw -o "$WORK/v1.h5" -q || fail "chiprace run of model_v1.toml failed"
check_all "$WORK/v1.h5" pre_diffusion diffusion_rule anthropic nvidia rescission_deals \
    tight_enforcement
echo "reference_v2: OK"
