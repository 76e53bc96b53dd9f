#!/usr/bin/python3
"""China's new AI compute by source (legal imports, smuggling, domestic production) over the
years, one panel per policy: median and 25-75% of the futures for each source.

    /usr/bin/python3 analysis/fig_china_sources.py [results/policy_comparison.h5] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import figstyle as fs
from chiprace_results import open_result

# (output, label, colour): Paul Tol's "bright" colours, kept apart from the policy colours
# because here colour means the source.
SOURCES = (
    ("cn_domestic", "domestic production", "#228833"),
    ("cn_smuggled", "smuggled", "#CC3311"),
    ("cn_legal_imports", "legal imports", "#4477AA"),
)
LEVELS = (0.25, 0.5, 0.75)


def main():
    args = fs.arg_parser(__doc__.splitlines()[0], "policy_comparison.h5").parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        years = r.years
        policies = fs.order_policies(r)
        q = {(p, o): {lv: r.quantile(r.policy(p), o, lv) for lv in LEVELS}
             for p in policies for o, _, _ in SOURCES}
        units = r.units(r.policy(policies[0]), SOURCES[0][0])
        # How skewed the growing sources are in the last year: mean over median (the caption
        # quotes the range; the means go into the CSV with the quantiles).
        last_mean = {(p, o): float(r.mean(r.policy(p), o)[-1])
                     for p in policies for o in ("cn_domestic", "cn_smuggled")}
        skew = [last_mean[k] / q[k][0.5][-1] for k in last_mean if q[k][0.5][-1] > 0]
        source = fs.source_line(r)

    ncols = 3 if len(policies) > 4 else min(2, len(policies))
    nrows = -(-len(policies) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(fs.FULL_WIDTH, 2.1 * nrows + 1.35),
                             sharex=True, sharey=True, squeeze=False)
    rows = []
    positive = [v for d in q.values() for lv in LEVELS for v in d[lv] if v > 0]
    lo, hi = min(positive), max(positive)
    for i, p in enumerate(policies):
        ax = axes[i // ncols][i % ncols]
        for o, label, c in SOURCES:
            med = q[p, o][0.5]
            if np.all(q[p, o][0.75] <= 0):
                # Nothing to draw on a log axis: say so rather than leave a silent gap.
                ax.text(0.04, 0.96, f"no {label}", transform=ax.transAxes, color=c, fontsize=7.5,
                        ha="left", va="top")
            else:
                ax.fill_between(years, q[p, o][0.25], q[p, o][0.75], color=c, alpha=0.22, lw=0)
                ax.plot(years, med, color=c, lw=1.6)
            for t, year in enumerate(years):
                for lv in LEVELS:
                    rows.append((p, int(year), o, lv, q[p, o][lv][t]))
        ax.set_title(fs.policy_label(p))
    rows += [(p, int(years[-1]), o, "mean", m) for (p, o), m in last_mean.items()]
    for j in range(len(policies), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)

    ax0 = axes[0][0]
    ax0.set_yscale("log")
    ax0.set_ylim(lo / 1.6, hi * 1.6)
    ax0.yaxis.set_major_locator(mticker.LogLocator(base=10, numticks=12))
    ax0.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax0.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax0.set_xticks(years[::2])
    for row in axes:
        row[0].set_ylabel(f"new compute ({units})")
    for ax in axes[-1]:
        ax.set_xlabel("year")

    fig.suptitle("Where China's new AI compute comes from, per export-control policy",
                 x=0.012, ha="left", fontweight="bold")
    handles = [Line2D([], [], color=c, lw=1.6, label=f"{label}: median") for _, label, c in SOURCES]
    handles.append(Patch(color="#777777", alpha=0.3, lw=0, label="25-75% of futures"))
    fig.legend(handles=handles, loc="upper left", ncol=4, frameon=False,
               bbox_to_anchor=(0.005, 0.955), handlelength=1.8, columnspacing=1.2)
    caption = (
        f"Accelerators added to China's stock each year, in millions of H100-equivalents per year "
        f"(log scale): bought legally from US designers, smuggled (diverted from Tier-2 and US "
        f"buyers), and produced domestically (Huawei Ascend class, in delivered H100e). Medians "
        f"and interquartile ranges across futures; the sources' medians do not add up to the "
        f"median total. The distributions are right-skewed (growth rates compound): in "
        f"{int(years[-1])} the mean of smuggled and of domestic compute is {min(skew):.1f} to "
        f"{max(skew):.1f} times the median. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.94), h_pad=1.0, w_pad=0.8)
    fs.save(fig, args.out, "china_sources",
            ["policy", "year", "output", "quantile_level", "value"], rows)


if __name__ == "__main__":
    fs.run(main)
