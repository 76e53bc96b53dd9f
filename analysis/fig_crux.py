#!/usr/bin/python3
"""The debate's crux: under which beliefs does each side win? P(anthropic's value > nvidia's) on
the same futures, for the US / China compute ratio and the US stack's share, over a grid of two
beliefs (the grid design's cells), from the per-sample rows of experiments/crux.toml.

    /usr/bin/python3 analysis/fig_crux.py [results/crux.h5] [--out docs/figures]
"""

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

A, B = "anthropic", "nvidia"
MEASURES = (("compute_ratio", "US ÷ China compute ratio"),
            ("us_stack_share", "US stack's share of the world's compute"))
YEARS = (2030, 2035)


def cell_statistics(r, output, year, cells, n_cells):
    """Per cell: futures, P(a > b), the median of a / b and of a − b, over the futures where
    both are finite."""
    a = r.raw(r.policy(A), output, year).astype(np.float64)
    b = r.raw(r.policy(B), output, year).astype(np.float64)
    stats = []
    for k in range(n_cells):
        x, y = a[cells == k], b[cells == k]
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if not x.size:
            stats.append((0, np.nan, np.nan, np.nan))
            continue
        stats.append((int(x.size), float(np.mean(x > y)), float(np.median(x / y)),
                      float(np.median(x - y))))
    return stats


def main():
    args = fs.arg_parser(__doc__.splitlines()[0], "crux.h5").parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        axes_ = r.grid_axes
        if len(axes_) != 2:
            raise ResultFileError(f"{r.path}: expected a grid over two parameters, found "
                                  f"{', '.join(a for a, _ in axes_)}")
        for p in (A, B):
            if p not in r.policies:
                raise ResultFileError(f"{r.path}: no policy {p!r} (policies: "
                                      f"{', '.join(r.policies)})")
        (row_param, row_values), (col_param, col_values) = axes_
        cells = r.design_role("cell")
        n_cells = len(row_values) * len(col_values)
        panels = {(out, year): cell_statistics(r, out, year, cells, n_cells)
                  for out, _ in MEASURES for year in YEARS}
        priors = {p["name"]: p["distribution"] for p in r.config_resolved["parameters"]}
        source = fs.source_line(r)
        n_per_cell = int(np.bincount(cells).min())

    fig, axes = plt.subplots(len(MEASURES), len(YEARS), figsize=(fs.FULL_WIDTH, 6.6),
                             sharex=True, sharey=True)
    rows = []
    im = None
    for i, (out, label) in enumerate(MEASURES):
        for j, year in enumerate(YEARS):
            ax = axes[i, j]
            stats = panels[(out, year)]
            p = np.array([s[1] for s in stats]).reshape(len(row_values), len(col_values))
            # Blue where anthropic's proposal wins, orange where nvidia's position does.
            im = ax.imshow(p, origin="lower", aspect="auto", cmap="PuOr", vmin=0.0, vmax=1.0,
                           interpolation="nearest")
            for k, (n, prob, ratio, difference) in enumerate(stats):
                ri, ci = divmod(k, len(col_values))
                dark = abs(prob - 0.5) > 0.35
                # A ratio reads as a multiple, a share as a difference in percentage points.
                size = f"×{ratio:.2g}" if out == "compute_ratio" else f"{difference * 100:+.2g} pp"
                ax.text(ci, ri, f"{prob:.0%}\n{size}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
                rows.append((out, year, float(row_values[ri]), float(col_values[ci]), n, prob,
                             ratio, difference))
            ax.set_xticks(range(len(col_values)), [f"{v:g}" for v in col_values])
            ax.set_yticks(range(len(row_values)), [f"{v:g}" for v in row_values])
            ax.grid(False)
            ax.set_title(f"{label}, {year}", fontsize=8.5)
            if i == len(MEASURES) - 1:
                ax.set_xlabel(col_param)
            if j == 0:
                ax.set_ylabel(row_param)
    bar = fig.colorbar(im, ax=axes, fraction=0.04, pad=0.02)
    bar.set_label(f"P({fs.policy_label(A)} > {fs.policy_label(B)}), same futures")
    bar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.suptitle("Who wins, on which measure: Anthropic's proposal against Nvidia's position",
                 x=0.012, ha="left", fontweight="bold")
    low = min(s[1] for k in panels if k[0] == "compute_ratio" for s in panels[k])
    high = max(s[1] for k in panels if k[0] == "us_stack_share" for s in panels[k])
    caption = (
        f"Each cell: share of futures in which {A}'s value is higher than {B}'s (the colour and "
        f"the percentage) and the median over futures of {A}'s compute ratio ÷ {B}'s (×) or "
        f"of {A}'s US-stack share − {B}'s (pp, percentage points), for one fixed "
        f"{row_param} (rows; default prior {priors.get(row_param, '?')}) and {col_param} "
        f"(columns; default prior {priors.get(col_param, '?')}); every other parameter drawn "
        f"from the default priors, {n_per_cell:,} futures per cell, both policies on the same "
        f"futures. Over the whole grid {A} has the higher compute ratio in at least "
        f"{low:.0%} of futures and {B} the higher US-stack share in at least {1 - high:.0%}: "
        f"the sides win on different measures, whatever these beliefs. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.subplots_adjust(left=0.09, right=0.86, top=0.9, bottom=bottom + 0.07, hspace=0.3,
                        wspace=0.08)
    fs.save(fig, args.out, "crux",
            ["output", "year", row_param, col_param, "n_futures", "p_anthropic_ahead",
             "median_ratio", "median_difference"], rows)


if __name__ == "__main__":
    fs.run(main)
