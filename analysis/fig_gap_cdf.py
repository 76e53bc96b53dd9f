#!/usr/bin/python3
"""Distribution (CDF) of the frontier gap in 2027 and 2030, per policy.

Reads per-sample rows when the file has them, otherwise the stored quantiles, which must be
dense (experiments/policy_distributions.toml stores 105 levels from 0.1% to 99.9%).

    /usr/bin/python3 analysis/fig_gap_cdf.py [results/policy_distributions.h5] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

OUTPUT = "frontier_gap_years"
YEARS = (2027, 2030)
THRESHOLD = 1.0          # years: "China less than a year behind"
MIN_LEVELS = 19          # fewer stored quantiles than this draw no honest curve
RAW_LEVELS = np.array(fs.DENSE_LEVELS)


def cdf_points(r, policy, year):
    """(levels, values, how): points of the CDF, from rows if stored, else from quantiles."""
    group = r.policy(policy)
    if r.has_raw(group):
        x = r.raw(group, OUTPUT, year)
        x = x[np.isfinite(x)]
        return RAW_LEVELS, np.quantile(x, RAW_LEVELS, method="lower"), "rows"
    levels = r.quantile_levels
    if len(levels) < MIN_LEVELS:
        raise ResultFileError(
            f"{r.path}: only {len(levels)} quantile levels and no per-sample rows; a CDF needs "
            f"dense quantiles (run experiments/policy_distributions.toml) or store = \"raw\"")
    return levels, r.summary(group, OUTPUT).quantiles[r.year_index(year)], "quantiles"


def share_below(r, policy, year, levels, values, how):
    """Share of futures with a gap below THRESHOLD: exact from rows, else read off the CDF by
    linear interpolation between stored quantiles."""
    if how == "rows":
        x = r.raw(r.policy(policy), OUTPUT, year)
        x = x[np.isfinite(x)]
        return float(np.mean(x < THRESHOLD))
    return float(np.interp(THRESHOLD, values, levels))


def main():
    args = fs.arg_parser(__doc__.splitlines()[0], "policy_distributions.h5").parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        policies = fs.order_policies(r)
        curves = {}
        how = None
        for p in policies:
            for y in YEARS:
                levels, values, how = cdf_points(r, p, y)
                curves[p, y] = (levels, values, share_below(r, p, y, levels, values, how))
        n_levels = len(r.quantile_levels)
        bound = r.summary(r.policy(policies[0]), OUTPUT).relative_error_bound
        non_finite = sum(int(r.summary(r.policy(p), OUTPUT).n_non_finite[r.year_index(y)])
                         for p in policies for y in YEARS)
        source = fs.source_line(r)

    fig, axes = plt.subplots(1, len(YEARS), figsize=(fs.FULL_WIDTH, 4.5), sharey=True,
                             sharex=True)
    rows = []
    # The far tail (the last 0.5% of futures) would stretch the axis for no information.
    x_hi = max(np.interp(0.995, curves[k][0], curves[k][1]) for k in curves)
    x_lo = min(curves[k][1][0] for k in curves)
    for ax, year in zip(axes, YEARS):
        for i, p in enumerate(policies):
            levels, values, share = curves[p, year]
            ax.plot(values, levels, color=fs.policy_colour(p, i), ls=fs.policy_linestyle(p))
            rows += [(p, year, "quantile", float(lv), float(v)) for lv, v in zip(levels, values)]
            rows.append((p, year, f"share below {THRESHOLD:g} year", share, THRESHOLD))
        ax.axvline(THRESHOLD, color="#555555", lw=0.8, ls=":", zorder=0)
        ax.text(THRESHOLD, 1.01, f" {THRESHOLD:g} year", color="#555555", fontsize=7,
                ha="left", va="bottom", transform=ax.get_xaxis_transform())
        ax.set_title(f"end of {year}", pad=12)
        ax.set_xlabel("frontier gap (years China trails the US)")
        ax.set_xlim(min(0.0, x_lo), x_hi)
        ax.set_ylim(0, 1)
    handles = [plt.Line2D([], [], color=fs.policy_colour(p, i), ls=fs.policy_linestyle(p),
                          label=f"{fs.policy_label(p)}: "
                                + " / ".join(f"{curves[p, y][2]:.0%}" for y in YEARS))
               for i, p in enumerate(policies)]
    legend_title = ("policy: share of futures with China less than "
                    f"{THRESHOLD:g} year behind in " + " / ".join(str(y) for y in YEARS))
    axes[0].set_ylabel("cumulative share of futures")
    axes[0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))

    fig.suptitle("How far behind is China's frontier? Distribution of the frontier gap",
                 x=0.012, ha="left", fontweight="bold")
    if how == "rows":
        method = (f"Curves join {len(RAW_LEVELS)} exact sample quantiles (levels "
                  f"{RAW_LEVELS[0]:g} to {RAW_LEVELS[-1]:g}) of the per-sample rows; shares below "
                  f"1 year counted from the rows.")
    else:
        levels = curves[policies[0], YEARS[0]][0]
        method = (f"Curves join the {n_levels} stored quantiles (levels {levels[0]:g} to "
                  f"{levels[-1]:g}) of chiprace's streaming sketch, each within {bound:.2%} of the "
                  f"exact sample quantile; shares below 1 year are interpolated between them "
                  f"(within about 1 percentage point).")
    caption = (
        f"Share of futures in which China's largest effective training run (compute × algorithmic "
        f"efficiency) trails the US's by at most the gap on the x-axis; left of the dotted line, "
        f"China is less than a year behind. Same futures for every policy. {method} "
        + (f"{non_finite} non-finite gaps left out. " if non_finite else "") + source)
    bottom = fs.add_caption(fig, caption)
    fig.legend(handles=handles, title=legend_title, loc="lower left", ncol=3,
               bbox_to_anchor=(0.01, bottom), frameon=False, handlelength=2.8,
               columnspacing=1.0, title_fontsize=7.5, alignment="left")
    legend_height = 5 * 7.5 * 1.35 / 72 / fig.get_figheight()
    fig.tight_layout(rect=(0, bottom + legend_height, 1, 0.97), w_pad=1.5)
    fs.save(fig, args.out, "gap_cdf",
            ["policy", "year", "kind", "cumulative_share", OUTPUT], rows)


if __name__ == "__main__":
    fs.run(main)
