#!/usr/bin/python3
"""Morris screening: mu* (importance) against sigma (non-linearity and interactions) of every
parameter, for each analysed output in one year, per policy and for the paired policy effect.

    /usr/bin/python3 analysis/fig_morris.py [results/screening.h5] [--year 2030] [--label 5] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

OUTPUT_LABELS = {
    "compute_ratio": ("US ÷ China compute", "ratio"),
    "frontier_gap_years": ("frontier gap", "years"),
}
UP, DOWN, OTHER = "#D55E00", "#0072B2", "#BBBBBB"


def place_labels(ax, xs, ys, names, x_text):
    """Labels in a column at x_text, in the order of their points' heights and spread so that
    none overlaps another, each joined to its point by a thin line."""
    y_lo, y_hi = ax.get_ylim()
    gap = (y_hi - y_lo) * 0.085
    order = np.argsort(ys, kind="stable")
    pos = np.array([ys[i] for i in order], dtype=float)
    pos = np.clip(pos, y_lo + gap / 2, None)
    for k in range(1, len(pos)):
        pos[k] = max(pos[k], pos[k - 1] + gap)
    overflow = pos[-1] - (y_hi - gap / 2) if len(pos) else 0
    if overflow > 0:
        pos -= overflow
        for k in range(len(pos) - 2, -1, -1):
            pos[k] = min(pos[k], pos[k + 1] - gap)
    for k, i in enumerate(order):
        ax.annotate(names[i], (xs[i], ys[i]), xytext=(x_text, pos[k]), textcoords="data",
                    fontsize=6.8, va="center", ha="left",
                    arrowprops=dict(arrowstyle="-", color="#999999", lw=0.5,
                                    shrinkA=0, shrinkB=3))


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "screening.h5")
    p.add_argument("--year", type=int, default=2030, help="analysed year (default 2030)")
    p.add_argument("--label", type=int, default=5, help="parameters labelled per panel (default 5)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        if r.design != "morris":
            raise ResultFileError(f"{r.path}: design {r.design!r} has no Morris screening; run an "
                                  f"experiment with design = \"morris\"")
        groups = r.groups
        outputs = sorted(r.h5[groups[0]]["sensitivity"])
        panels = {(g, o): r.sensitivity(g, o).at_year(args.year) for g in groups for o in outputs}
        first = r.sensitivity(groups[0], outputs[0])
        level, replicates = first.confidence_level, first.bootstrap_replicates
        params = r.parameters
        design = r.design_attrs
        source = fs.source_line(r, futures_word="runs")

    fig, axes = plt.subplots(len(groups), len(outputs),
                             figsize=(fs.FULL_WIDTH, 2.45 * len(groups) + 1.35), squeeze=False)
    rows = []
    for gi, g in enumerate(groups):
        for oi, o in enumerate(outputs):
            s = panels[g, o]
            ax = axes[gi][oi]
            mu_star, sigma, mu = s["mu_star"], s["sigma"], s["mu"]
            top = np.argsort(-mu_star, kind="stable")[:args.label]
            rest = np.setdiff1d(np.arange(len(params)), top)
            ax.scatter(mu_star[rest], sigma[rest], s=9, color=OTHER, zorder=2, lw=0)
            for i in top:
                up = mu[i] > 0
                ax.errorbar(mu_star[i], sigma[i],
                            xerr=[[mu_star[i] - s["mu_star_low"][i]],
                                  [s["mu_star_high"][i] - mu_star[i]]],
                            fmt="^" if up else "v", color=UP if up else DOWN, ms=5,
                            elinewidth=0.8, capsize=1.5, zorder=3)
            x_max = float(np.max(s["mu_star_high"])) * 1.05
            x_end = x_max * 1.75          # the right part of the panel holds the labels
            ax.set_xlim(0, x_end)
            ax.set_ylim(0, float(np.max(sigma)) * 1.12)
            ax.plot([0, x_end], [0, x_end], color="#888888", lw=0.7, ls=(0, (4, 2)), zorder=1)
            place_labels(ax, mu_star[top], sigma[top], [params[i] for i in top], x_max * 1.08)
            label, units = OUTPUT_LABELS.get(o, (o, ""))
            ax.set_title(f"{fs.group_label(g)}: {label}", fontsize=8.5)
            ax.set_xlabel(f"μ* ({units})" if units else "μ*")
            ax.set_ylabel(f"σ ({units})" if units else "σ")
            for i in np.argsort(-mu_star, kind="stable"):
                rows.append((g, o, args.year, params[i], mu_star[i], s["mu_star_low"][i],
                             s["mu_star_high"][i], sigma[i], mu[i], int(i in top)))

    fig.suptitle(f"Screening the 41 uncertain parameters: Morris elementary effects, {args.year}",
                 x=0.012, ha="left", fontweight="bold")
    handles = [
        plt.Line2D([], [], ls="none", marker="^", color=UP, ms=5, label="raises the output (μ > 0)"),
        plt.Line2D([], [], ls="none", marker="v", color=DOWN, ms=5, label="lowers it (μ < 0)"),
        plt.Line2D([], [], ls="none", marker="o", color=OTHER, ms=3.5, label="other parameters"),
        plt.Line2D([], [], color="#888888", lw=0.7, ls=(0, (4, 2)), label="σ = μ*"),
        plt.Line2D([], [], color="#222222", lw=0.8, marker="|", ms=5,
                   label=f"{level:.0%} bootstrap interval of μ*"),
    ]
    fig.legend(handles=handles, loc="upper left", ncol=5, frameon=False,
               bbox_to_anchor=(0.005, 0.965), handlelength=1.4, columnspacing=1.0)
    caption = (
        f"Each point is one parameter. μ*: mean absolute elementary effect, the change in the "
        f"output per unit change of the parameter's quantile (0 to 1 spans its whole prior; each "
        f"Morris step moves it by {design.get('delta', 0.5):g}): its importance. σ: the standard "
        f"deviation of the effects (non-linearity or interactions; near or above the dashed line "
        f"the effect depends strongly on the other parameters). The {args.label} largest μ* are labelled, marker showing the "
        f"direction of μ. A row 'A − B' screens the paired policy effect. "
        f"{int(design.get('trajectories', 0)):,} trajectories, {design.get('levels', '?')} levels, "
        f"{replicates} bootstrap replicates. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.945), h_pad=1.0, w_pad=1.5)
    fs.save(fig, args.out, "morris_screening",
            ["group", "output", "year", "parameter", "mu_star", "mu_star_low", "mu_star_high",
             "sigma", "mu", "labelled"], rows)


if __name__ == "__main__":
    fs.run(main)
