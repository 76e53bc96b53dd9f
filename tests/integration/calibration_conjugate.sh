# Calibration against answers known in closed form (issue 18, acceptance 1):
#  1. the conjugate case: normal priors on the inputs of the `linear` model, a normal
#     observation of its output; the posterior of y and of each input is normal, and the file's
#     weighted mean and variance must lie within 4 standard errors of it at N = 2^16;
#  2. an interval target with tolerance 0 (ABC rejection): weights are 0 or 1, the posterior is
#     the prior truncated to the interval, and the posterior summaries are those of the
#     accepted rows;
#  3. raw mode: /calibration/weight is exp(-z^2/2) of the stored rows, and the diagnostics and
#     posterior moments are those of the stored weights.
source "$(dirname "$0")/lib.sh"

N=65536 # 2^16
cat >"$WORK/conjugate.toml" <<EOF
[experiment]
name = "conjugate"
model = "linear"
samples = $N
seed = 20260105
design = "mc"
block_size = 1000

[model]
coefficients = [1.0, 0.5]
intercept = 0.25

[parameters]
x1 = { dist = "normal", mean = 1.0, sd = 1.0 }
x2 = { dist = "normal", mean = -2.0, sd = 2.0 }

[output]
store = "raw"

[calibration]
min_ess = 100

[[calibration.targets]]
name = "y_obs"
output = "y"
observation = "normal"
mean = 1.5
sd = 1.0
source = "a made-up observation, for the test"
EOF

cat >"$WORK/rejection.toml" <<EOF
[experiment]
name = "rejection"
model = "linear"
samples = $N
seed = 77
design = "mc"
block_size = 1000

[model]
coefficients = [1.0]

[parameters]
x1 = { dist = "normal", mean = 0.0, sd = 1.0 }

[output]
store = "raw"

[calibration]

[[calibration.targets]]
output = "y"
observation = "interval"
low = -0.5
high = 1.5
tolerance = 0
EOF

for case in conjugate rejection; do
    chiprace_mpi 2 1 run "$WORK/$case.toml" -o "$WORK/$case.h5" 2>"$WORK/log" \
        || { cat "$WORK/log"; fail "$case run"; }
done

"$PYTHON" - "$WORK/conjugate.h5" "$WORK/rejection.h5" "$N" <<'PY'
import math
import sys

import h5py
import numpy as np

conjugate, rejection, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
failures = []


def check(ok, message):
    print(("ok: " if ok else "FAIL: ") + message)
    if not ok:
        failures.append(message)


def scalar(f, path):
    return float(f[path][()])


def within_4se(what, estimate, exact, se):
    z = (estimate - exact) / se
    check(abs(z) <= 4.0, f"{what}: {estimate:.6f} vs exact {exact:.6f}, {z:+.2f} SE (SE {se:.2e})")


# ---- 1. the conjugate case ------------------------------------------------------------------
# y = b + a1 x1 + a2 x2 with x_i ~ N(m_i, s_i^2) independent, observed as y_obs with a normal
# error of sd sigma. y's prior is N(mu, tau^2), mu = b + sum a_i m_i, tau^2 = sum a_i^2 s_i^2.
# Prior times likelihood is normal: y's posterior has precision 1/tau^2 + 1/sigma^2 and mean
# v (mu/tau^2 + y_obs/sigma^2). (x_i, y) are jointly normal with Cov(x_i, y) = a_i s_i^2, so
# E[x_i | y] = m_i + k_i (y - mu) and Var[x_i | y] = s_i^2 - a_i k_i s_i^2 with
# k_i = a_i s_i^2 / tau^2; the likelihood depends on x only through y, so x_i's posterior has
# mean m_i + k_i (ybar - mu) and variance s_i^2 - a_i k_i s_i^2 + k_i^2 v (total variance).
b, a, m, s = 0.25, [1.0, 0.5], [1.0, -2.0], [1.0, 2.0]
y_obs, sigma = 1.5, 1.0
mu = b + sum(ai * mi for ai, mi in zip(a, m))
tau2 = sum(ai * ai * si * si for ai, si in zip(a, s))
v = 1.0 / (1.0 / tau2 + 1.0 / sigma**2)
ybar = v * (mu / tau2 + y_obs / sigma**2)
exact = {"y": (ybar, v)}
for i in range(2):
    k = a[i] * s[i] ** 2 / tau2
    exact[f"x{i + 1}"] = (m[i] + k * (ybar - mu), s[i] ** 2 - a[i] * k * s[i] ** 2 + k * k * v)

# Standard errors from the Kish ESS. The posterior mean is the self-normalised estimate
# sum w_i x_i / sum w_i; with the weights held fixed its variance is
# sum w_i^2 Var(x) / (sum w_i)^2 = Var(x) / ESS, ESS = (sum w)^2 / sum w^2: SE(mean) =
# sd_post / sqrt(ESS). The variance of a normal sample's variance is 2 sigma^4 / n; with n
# replaced by the ESS, SE(var) = var_post sqrt(2 / ESS). (ESS is the usual approximation of
# the weighted estimator's variance, not an exact formula; the check uses 4 SE.)
with h5py.File(conjugate, "r") as f:
    ess = scalar(f, "/calibration/diagnostics/ess")
    print(f"conjugate: N = {N}, ESS = {ess:.1f} ({ess / N:.3f} of N)")
    # For these numbers the ESS fraction is (E w)^2 / E w^2 = 0.606 in expectation.
    check(0.55 * N < ess < 0.65 * N, f"ESS {ess:.1f} near its expectation 0.606 N")
    for name, (mean, var) in exact.items():
        group = "/posterior/y" if name == "y" else f"/calibration/inputs/posterior/{name}"
        got_mean = scalar(f, f"{group}/mean")
        got_var = scalar(f, f"{group}/std") ** 2
        within_4se(f"posterior mean of {name}", got_mean, mean, math.sqrt(var / ess))
        within_4se(f"posterior variance of {name}", got_var, var, var * math.sqrt(2.0 / ess))
    # The prior summaries of the inputs are those of N unweighted draws.
    for i in range(2):
        group = f"/calibration/inputs/prior/x{i + 1}"
        within_4se(f"prior mean of x{i + 1}", scalar(f, f"{group}/mean"), m[i], s[i] / math.sqrt(N))
        within_4se(f"prior variance of x{i + 1}", scalar(f, f"{group}/std") ** 2, s[i] ** 2,
                   s[i] ** 2 * math.sqrt(2.0 / N))
        check(int(f[f"{group}/n_finite"][()]) == N, f"prior n_finite of x{i + 1} is N")
    # The unweighted summary of y is the prior's, untouched by calibration.
    within_4se("prior mean of y (/summary)", scalar(f, "/summary/y/mean"), mu, math.sqrt(tau2 / N))

    # ---- 3. raw mode: the weights are those of the stored rows --------------------------------
    x1, x2 = f["/inputs/x1"][()], f["/inputs/x2"][()]
    y = f["/outputs/y"][()]
    # The model sums from the intercept in input order, without contraction: the same doubles.
    check(np.array_equal(y, (b + a[0] * x1) + a[1] * x2), "stored y = b + a1 x1 + a2 x2 bit for bit")
    w = f["/calibration/weight"][()]
    check(w.shape == (N,) and w.dtype == np.float64, f"/calibration/weight is ({N},) float64")
    z = (y - y_obs) / sigma
    expected = np.exp(-0.5 * z * z)
    rel = np.max(np.abs(w - expected) / expected)
    check(rel <= 1e-12, f"weight = exp(-z^2/2) of the stored rows (largest relative difference {rel:.1e})")
    sw, sw2 = w.sum(), (w * w).sum()
    d = "/calibration/diagnostics"
    for key, value in [("sum_weights", sw), ("sum_weights_squared", sw2), ("ess", sw * sw / sw2),
                       ("ess_fraction", sw * sw / sw2 / N)]:
        got = scalar(f, f"{d}/{key}")
        check(abs(got - value) <= 1e-12 * abs(value), f"{key} = {got!r}, from the stored weights {value!r}")
    check(scalar(f, f"{d}/max_weight") == w.max(), "max_weight is the largest stored weight")
    check(int(f[f"{d}/n_positive"][()]) == int((w > 0).sum()), "n_positive counts the weights > 0")
    check(np.allclose(f[f"{d}/target_ess"][()], [sw * sw / sw2], rtol=1e-12, atol=0),
          "one target: its ESS alone is the ESS")
    check(int(f[f"{d}/posterior_written"][()]) == 1, "posterior_written = 1")
    # The weighted moments with reliability weights, from the stored rows.
    for name, col, group in [("y", y, "/posterior/y"), ("x1", x1, "/calibration/inputs/posterior/x1"),
                             ("x2", x2, "/calibration/inputs/posterior/x2")]:
        mean = (w * col).sum() / sw
        std = math.sqrt((w * (col - mean) ** 2).sum() / (sw - sw2 / sw))
        got_mean, got_std = scalar(f, f"{group}/mean"), scalar(f, f"{group}/std")
        check(abs(got_mean - mean) <= 1e-12 * max(1.0, abs(mean)),
              f"posterior mean of {name} {got_mean!r} = that of the stored rows {mean!r}")
        check(abs(got_std - std) <= 1e-12 * std,
              f"posterior std of {name} {got_std!r} = that of the stored rows {std!r}")
        check(scalar(f, f"{group}/min") == col.min() and scalar(f, f"{group}/max") == col.max(),
              f"posterior min/max of {name}: every weight is > 0, so those of every row")
    # What the file says of the target.
    text = lambda path: [x.decode() if isinstance(x, bytes) else x for x in f[path][()]]
    check(text("/calibration/target") == ["y_obs"], "target name y_obs")
    check(text("/calibration/output") == ["y"], "target output y")
    check(text("/calibration/observation") == ["normal"], "observation normal")
    check(text("/calibration/source") == ["a made-up observation, for the test"], "source recorded")
    check(f["/calibration/year"][()].tolist() == [-1], "year -1 for a scalar output")
    p = f["/calibration/observation_parameters"][()]
    check(p.shape == (1, 3) and p[0, 0] == 1.5 and p[0, 1] == 1.0 and math.isnan(p[0, 2]),
          f"observation parameters (1.5, 1.0, NaN): {p.tolist()}")
    check(float(f["/calibration"].attrs["min_ess"]) == 100.0, "min_ess attribute")
    check(int(f["/calibration"].attrs["n_targets"]) == 1, "n_targets attribute 1")
    check(f["/calibration"].attrs["on_low_ess"] in ("warn", b"warn"), "on_low_ess attribute warn")

# ---- 2. an interval target with tolerance 0: ABC rejection -----------------------------------
# x1 ~ N(0, 1), y = x1, accepted when -0.5 <= y <= 1.5: the posterior is the standard normal
# truncated to [lo, hi]: mean (phi(lo) - phi(hi)) / Z, variance
# 1 + (lo phi(lo) - hi phi(hi)) / Z - mean^2, Z = Phi(hi) - Phi(lo).
lo, hi = -0.5, 1.5
phi = lambda t: math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
Phi = lambda t: 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))
Z = Phi(hi) - Phi(lo)
t_mean = (phi(lo) - phi(hi)) / Z
t_var = 1.0 + (lo * phi(lo) - hi * phi(hi)) / Z - t_mean**2
with h5py.File(rejection, "r") as f:
    x = f["/inputs/x1"][()]
    inside = (lo <= x) & (x <= hi)
    n_in = int(inside.sum())
    w = f["/calibration/weight"][()]
    check(np.array_equal(w, inside.astype(np.float64)), "weights are 1 inside the interval, 0 outside")
    ess = scalar(f, "/calibration/diagnostics/ess")
    # Weights of 0 and 1: (sum w)^2 / sum w^2 = n_in exactly.
    check(ess == n_in, f"ESS {ess} = the {n_in} accepted samples")
    check(int(f["/calibration/diagnostics/n_positive"][()]) == n_in, "n_positive = accepted samples")
    print(f"rejection: {n_in} of {N} accepted (expected {Z * N:.0f})")
    for name, group in [("y", "/posterior/y"), ("x1", "/calibration/inputs/posterior/x1")]:
        got_mean, got_std = scalar(f, f"{group}/mean"), scalar(f, f"{group}/std")
        within_4se(f"truncated-normal mean of {name}", got_mean, t_mean, math.sqrt(t_var / n_in))
        within_4se(f"truncated-normal variance of {name}", got_std**2, t_var, t_var * math.sqrt(2.0 / n_in))
        acc = x[inside]
        check(abs(got_mean - acc.mean()) <= 1e-12, f"{name}: posterior mean = mean of the accepted rows")
        check(abs(got_std - acc.std(ddof=1)) <= 1e-12 * acc.std(ddof=1),
              f"{name}: posterior std = sample std of the accepted rows")
        check(scalar(f, f"{group}/min") == acc.min() and scalar(f, f"{group}/max") == acc.max(),
              f"{name}: posterior min/max = those of the accepted rows")
        check(int(f[f"{group}/n_finite"][()]) == n_in, f"{name}: posterior n_finite = accepted rows")
        check(int(f[f"{group}/n_non_finite"][()]) == 0, f"{name}: posterior n_non_finite = 0")
        # Quantiles: the lower quantiles of the accepted rows, within the sketch's bound.
        levels = f["/quantile_level"][()]
        q = f[f"{group}/quantiles"]
        bound = float(q.attrs["relative_error_bound"])
        want = np.quantile(acc, levels, method="lower")
        err = np.abs(q[()] - want) - bound * np.abs(want)
        check(bool(np.all(err <= 1e-15)),
              f"{name}: posterior quantiles {np.round(q[()], 5).tolist()} = the accepted rows' "
              f"{np.round(want, 5).tolist()} within {bound}")
    # And the prior summary of y is that of every row.
    check(int(f["/summary/y/n_finite"][()]) == N, "prior n_finite = N")
    check(abs(scalar(f, "/summary/y/mean") - x.mean()) <= 1e-12, "prior mean = mean of every row")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
PY
