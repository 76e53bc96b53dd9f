#!/usr/bin/python3
"""Distribution of a paired policy effect: policy minus reference on the same future, for one
output in one year (default: anthropic - diffusion_rule on compute_ratio in 2030).

Reads the two policies' per-sample rows when stored (the effect is their row-by-row
difference), otherwise the contrast's stored quantiles, which must be dense
(experiments/policy_distributions.toml).

    /usr/bin/python3 analysis/fig_paired_effect.py [results/policy_distributions.h5] [--policy anthropic]
        [--reference diffusion_rule] [--output compute_ratio] [--year 2030] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

MIN_LEVELS = 19
# Histogram edges: 5% of the futures per bin in the body, finer in the tails. Narrower bins in
# the body would show the sketch's bucket grid (quantiles within 0.2%) as spikes, not the data.
BIN_LEVELS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.04) + tuple(
    k / 100 for k in range(5, 100, 5)) + (0.96, 0.97, 0.98, 0.99, 0.995, 0.9975, 0.999)
OUTPUT_LABELS = {"compute_ratio": "US ÷ China compute ratio",
                 "frontier_gap_years": "frontier gap"}


def effect_quantiles(r, policy, reference, output, year):
    """(levels, values, mean, n, how) of the paired difference policy - reference."""
    a, b = r.policy(policy), r.policy(reference)
    if r.has_raw(a) and r.has_raw(b):
        d = r.raw(a, output, year) - r.raw(b, output, year)
        d = d[np.isfinite(d)]
        levels = np.array(fs.DENSE_LEVELS)
        return levels, np.quantile(d, levels, method="lower"), float(np.mean(d)), d.size, "rows"
    group = r.contrast(policy, reference)
    levels = r.quantile_levels
    if len(levels) < MIN_LEVELS:
        raise ResultFileError(
            f"{r.path}: only {len(levels)} quantile levels of {group} and no per-sample rows; the "
            f"distribution needs dense quantiles (run experiments/policy_distributions.toml) or "
            f"store = \"raw\"")
    s = r.summary(group, output)
    t = r.year_index(year)
    return levels, s.quantiles[t], float(s.mean[t]), int(s.n_finite[t]), "quantiles"


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "policy_distributions.h5")
    p.add_argument("--policy", default="anthropic")
    p.add_argument("--reference", default=None, help="default: the file's reference policy")
    p.add_argument("--output", default="compute_ratio")
    p.add_argument("--year", type=int, default=2030)
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        reference = args.reference or r.reference
        if reference is None:
            raise ResultFileError(f"{r.path}: no reference policy; give --reference")
        levels, values, mean, n, how = effect_quantiles(r, args.policy, reference, args.output,
                                                        args.year)
        units = r.units(r.policy(args.policy), args.output)
        bound = r.summary(r.policy(args.policy), args.output).relative_error_bound
        source = fs.source_line(r)

    # Equal-probability histogram: between consecutive quantiles lies a known share of the
    # futures, so its height there is that share over the width.
    q = {lv: float(values[np.argmin(np.abs(levels - lv))]) for lv in (0.05, 0.5, 0.95)}
    keep = np.array([np.any(np.abs(np.array(BIN_LEVELS) - lv) < 1e-12) for lv in levels])
    if keep.sum() >= MIN_LEVELS:
        levels, values = levels[keep], values[keep]
    widths = np.diff(values)
    density = np.diff(levels) / np.where(widths > 0, widths, np.nan)
    share_positive = 1.0 - float(np.interp(0.0, values, levels)) if values[0] < 0 else 1.0

    fig, ax = plt.subplots(figsize=(fs.FULL_WIDTH, 4.2))
    colour = fs.policy_colour(args.policy)
    ax.stairs(np.nan_to_num(density), values, fill=True, color=colour, alpha=0.35, lw=0)
    ax.stairs(np.nan_to_num(density), values, color=colour, lw=1.0)
    ax.axvline(0, color="#222222", lw=1.0)
    ax.axvline(q[0.5], color="#222222", lw=1.2, ls="-",)
    ax.axvline(mean, color="#222222", lw=1.0, ls=":")
    for lv in (0.05, 0.95):
        ax.axvline(q[lv], color="#666666", lw=0.9, ls=(0, (4, 2)))
    top = float(np.nanmax(density))
    ax.set_ylim(0, top * 1.22)
    notes = [(q[0.05], "5%"), (q[0.5], f"median {q[0.5]:.3g}"), (mean, f"mean {mean:.3g}"),
             (q[0.95], "95%")]
    for k, (x, text) in enumerate(notes):
        ax.text(x, top * (1.17 if k % 2 == 0 else 1.08), f" {text}", fontsize=7.5, ha="left",
                va="center", color="#222222")
    label = OUTPUT_LABELS.get(args.output, args.output)
    # The note goes on the side of the plot away from the bulk of the distribution.
    right = q[0.5] < 0.5 * (values[0] + values[-1])
    ax.text(0.99 if right else 0.01, 0.6, f"effect > 0 in {share_positive:.1%} of futures\n"
            f"(the {label} is larger under {fs.policy_short(args.policy)})",
            transform=ax.transAxes, ha="right" if right else "left", va="center", fontsize=8,
            bbox=dict(boxstyle="square,pad=0.2", fc="white", ec="none", alpha=0.85))
    ax.set_xlabel(f"paired effect on the {label} in {args.year}: {fs.policy_short(args.policy)} "
                  f"− {fs.policy_short(reference)}" + ("" if units == "1" else f" ({units})"))
    ax.set_ylabel("share of futures per unit of effect")
    ax.set_xlim(values[0], values[-1])

    fig.suptitle(f"{fs.policy_label(args.policy)} against the {fs.policy_short(reference)}: "
                 f"the effect, future by future",
                 x=0.012, ha="left", fontweight="bold")
    if how == "rows":
        method = (f"Computed from the per-sample rows of both policies ({n:,} futures); each bin "
                  f"lies between two exact sample quantiles")
    else:
        method = (f"Read from the contrast's stored quantiles (streaming sketch, each within "
                  f"{bound:.2%}; {n:,} futures); each bin lies between two of them")
    method += (" and holds the futures between their levels: 5% per bin in the body, 1% or less "
               "in the tails")
    caption = (
        f"For each future, the {label} in {args.year} under {fs.policy_label(args.policy)} minus "
        f"its value under the {fs.policy_label(reference)} (common random numbers: both policies "
        f"meet the same future). {method}. Shown from the {levels[0]:.1%} to the "
        f"{levels[-1]:.1%} quantile; the share above 0 is interpolated between quantiles. "
        f"{source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.96))
    rows = [("bin", float(levels[j]), float(levels[j + 1]), float(values[j]),
             float(values[j + 1]), float(density[j]) if np.isfinite(density[j]) else "")
            for j in range(len(widths))]
    rows += [("quantile", lv, lv, q[lv], q[lv], "") for lv in (0.05, 0.5, 0.95)]
    rows += [("mean", "", "", mean, mean, ""),
             ("share_above_0", share_positive, "", 0.0, "", "")]
    fs.save(fig, args.out, "paired_effect",
            ["kind", "level_from", "level_to", "effect_from", "effect_to", "density"], rows)


if __name__ == "__main__":
    fs.run(main)
