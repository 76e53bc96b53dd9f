#!/usr/bin/python3
"""Sobol' first-order and total indices with their bootstrap intervals, for each analysed
output in one year, per policy and for the paired policy effect: the parameters with the
largest total index.

    /usr/bin/python3 analysis/fig_sobol.py [results/sensitivity.h5] [--year 2030] [--top 8] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

OUTPUT_LABELS = {
    "compute_ratio": "US ÷ China compute",
    "frontier_gap_years": "frontier gap (years)",
}
S1_COLOUR, ST_COLOUR = "#0072B2", "#E69F00"


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "sensitivity.h5")
    p.add_argument("--year", type=int, default=2030, help="analysed year (default 2030)")
    p.add_argument("--top", type=int, default=8, help="parameters shown per panel (default 8)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        if r.design != "saltelli":
            raise ResultFileError(f"{r.path}: design {r.design!r} has no Sobol' indices; run an "
                                  f"experiment with design = \"saltelli\"")
        groups = r.groups
        first = r.h5[groups[0]]["sensitivity"]
        outputs = sorted(first)
        panels = {(g, o): r.sensitivity(g, o) for g in groups for o in outputs}
        params = r.parameters
        s0 = panels[groups[0], outputs[0]]
        level, replicates = s0.confidence_level, s0.bootstrap_replicates
        n_base = int(np.max(s0.at_year(args.year)["n_base"]))
        base = r.design_attrs.get("base_kind", r.design_attrs.get("base", ""))
        source = fs.source_line(r, futures_word="runs")

    fig, axes = plt.subplots(len(groups), len(outputs),
                             figsize=(fs.FULL_WIDTH, 2.35 * len(groups) + 1.3), squeeze=False)
    rows = []
    x_max = 0.0
    for gi, g in enumerate(groups):
        for oi, o in enumerate(outputs):
            s = panels[g, o].at_year(args.year)
            top = np.argsort(-s["ST"], kind="stable")[:args.top]
            y = np.arange(len(top))[::-1]
            ax = axes[gi][oi]
            for k, (name, colour, dy) in enumerate((("S1", S1_COLOUR, 0.19),
                                                    ("ST", ST_COLOUR, -0.19))):
                est = s[name][top]
                err = np.vstack([est - s[name + "_low"][top], s[name + "_high"][top] - est])
                ax.barh(y + dy, est, height=0.36, color=colour,
                        label="first order S1" if name == "S1" else "total ST")
                ax.errorbar(est, y + dy, xerr=np.clip(err, 0, None), fmt="none", ecolor="#222222",
                            elinewidth=0.8, capsize=1.8)
                x_max = max(x_max, float(np.max(s[name + "_high"][top])))
            ax.set_yticks(y, [params[i] for i in top], fontsize=7)
            ax.axvline(0, color="#444444", lw=0.6)
            ax.grid(axis="y", visible=False)
            ax.set_title(f"{fs.group_label(g)}: {OUTPUT_LABELS.get(o, o)}", fontsize=8.5)
            for rank, i in enumerate(top, start=1):
                rows.append((g, o, args.year, rank, params[i],
                             s["S1"][i], s["S1_low"][i], s["S1_high"][i],
                             s["ST"][i], s["ST_low"][i], s["ST_high"][i]))
    for row in axes:
        for ax in row:
            ax.set_xlim(min(0.0, ax.get_xlim()[0]), x_max * 1.05)
    for ax in axes[-1]:
        ax.set_xlabel("Sobol' index (share of variance)")

    fig.suptitle(f"Which uncertainties drive the race? Sobol' indices, {args.year}",
                 x=0.012, ha="left", fontweight="bold")
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="#222222", lw=0.8, marker="|", markersize=5))
    labels.append(f"{level:.0%} bootstrap interval")
    fig.legend(handles, labels, loc="upper left", ncol=3, frameon=False,
               bbox_to_anchor=(0.005, 0.965))
    caption = (
        f"First-order index S1: share of the output's variance across futures explained by one "
        f"parameter alone; total index ST: including its interactions with the others. Top "
        f"{args.top} of {len(params)} parameters by ST in each panel (parameter names as in "
        f"experiments/priors/default.toml). A row 'A − B' analyses the paired policy effect, "
        f"the difference between two policies on the same future. Intervals: percentile bootstrap over base points "
        f"({replicates} Poisson replicates); with a scrambled Sobol' base they are conservative. "
        f"Estimators: Saltelli (2010) for S1, Jansen (1999) for ST, {n_base:,} base points"
        + (f" ({base} base)" if base else "") + f". {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.945), h_pad=1.2, w_pad=1.0)
    fs.save(fig, args.out, "sobol_indices",
            ["group", "output", "year", "rank", "parameter", "S1", "S1_low", "S1_high",
             "ST", "ST_low", "ST_high"], rows)


if __name__ == "__main__":
    fs.run(main)
