#!/usr/bin/python3
"""Fan chart of the US-to-China compute ratio over the years, one panel per policy: median,
25-75% and 5-95% of the futures, read from the summaries' quantiles.

    /usr/bin/python3 analysis/fig_fan_chart.py [results/policy_comparison.h5] [--out docs/figures]
"""

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import figstyle as fs
from chiprace_results import open_result

OUTPUT = "compute_ratio"
LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


def main():
    args = fs.arg_parser(__doc__.splitlines()[0], "policy_comparison.h5").parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        years = r.years
        policies = fs.order_policies(r)
        reference = r.reference if r.reference in policies else None
        q = {p: {lv: r.quantile(r.policy(p), OUTPUT, lv) for lv in LEVELS} for p in policies}
        bound = r.summary(r.policy(policies[0]), OUTPUT).relative_error_bound
        source = fs.source_line(r)

    ncols = 3 if len(policies) > 4 else min(2, len(policies))
    nrows = -(-len(policies) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(fs.FULL_WIDTH, 2.05 * nrows + 1.25),
                             sharex=True, sharey=True, squeeze=False)
    rows = []
    for i, p in enumerate(policies):
        ax = axes[i // ncols][i % ncols]
        c = fs.policy_colour(p, i)
        ax.fill_between(years, q[p][0.05], q[p][0.95], color=c, alpha=0.18, lw=0)
        ax.fill_between(years, q[p][0.25], q[p][0.75], color=c, alpha=0.38, lw=0)
        ax.plot(years, q[p][0.5], color=c, lw=1.8)
        ax.axhline(1.0, color="#888888", lw=0.7, zorder=0)
        if reference and p != reference:
            ax.plot(years, q[reference][0.5], color="#555555", lw=1.0, ls=(0, (4, 2)))
        ax.set_title(fs.policy_label(p), color=c if c != "#000000" else "black")
        for t, year in enumerate(years):
            for lv in LEVELS:
                rows.append((p, int(year), lv, q[p][lv][t]))
    for j in range(len(policies), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)

    ax0 = axes[0][0]
    ax0.set_yscale("log")
    ax0.yaxis.set_major_locator(
        mticker.FixedLocator([0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]))
    ax0.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax0.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax0.set_xticks(years[::2])
    for row in axes:
        row[0].set_ylabel("US ÷ China compute (ratio)")
    for ax in axes[-1]:
        ax.set_xlabel("year (end of year)")

    fig.suptitle("US lead in AI compute over China (US ÷ China), per export-control policy",
                 x=0.012, ha="left", fontweight="bold")
    # Neutral swatches: the legend explains the bands of every panel, whatever its colour.
    handles = [Line2D([], [], color="#444444", lw=1.8, label="median"),
               Patch(color="#444444", alpha=0.45, lw=0, label="25-75% of futures"),
               Patch(color="#444444", alpha=0.18, lw=0, label="5-95% of futures")]
    if reference:
        handles.append(Line2D([], [], color="#555555", lw=1.0, ls=(0, (4, 2)),
                              label=f"median under the {fs.policy_label(reference)}"))
    handles.append(Line2D([], [], color="#888888", lw=0.7, label="parity (1)"))
    fig.legend(handles=handles, loc="upper left", ncol=5, frameon=False,
               bbox_to_anchor=(0.005, 0.955), handlelength=1.8, columnspacing=1.2)
    caption = (
        f"Ratio of the installed AI compute of the US and its Tier-1 allies to the compute China "
        f"can use (its own stock plus rented Tier-2 cloud), in H100-equivalents, end of each year; "
        f"log scale. Each panel is one policy applied to the same futures (common random numbers); "
        f"bands are quantiles across futures, not confidence intervals. Panels run from the "
        f"loosest to the tightest policy by the 2030 median. Quantiles from chiprace's streaming "
        f"sketch (relative error at most {bound:.2%}). {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.94), h_pad=1.0, w_pad=0.8)
    fs.save(fig, args.out, "fan_chart", ["policy", "year", "quantile_level", OUTPUT], rows)


if __name__ == "__main__":
    fs.run(main)
