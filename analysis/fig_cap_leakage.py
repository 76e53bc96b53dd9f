#!/usr/bin/python3
"""Heat map of P(frontier gap < 1 year) in 2030 over Tier-2 country caps (one policy each) and
leakage rates (the grid design's cells), from the per-sample rows of a grid run.

    /usr/bin/python3 analysis/fig_cap_leakage.py [results/cap_leakage_grid.h5] [--out docs/figures]
"""

import math
import re

import numpy as np
import matplotlib.pyplot as plt

import figstyle as fs
from chiprace_results import open_result, ResultFileError

OUTPUT = "frontier_gap_years"
LEVER = "tier2_country_cap"
YEAR = 2030
THRESHOLD = 1.0


def cap_label(cap, policy):
    """The cap in H100e per country per year (the lever is in millions)."""
    text = "no cap" if math.isinf(cap) else f"{cap * 1e6:,.0f}"
    return f"{text} ({fs.policy_short(policy)})" if policy in fs.POLICY_STYLE else text


def prior_note(r, param):
    """The swept parameter's prior as the experiment states it, with its median and 90% range
    for a beta prior (from a fixed-seed sample: numpy has no beta quantile function)."""
    spec = next(p for p in r.config_resolved["parameters"] if p["name"] == param)
    dist = spec["distribution"]
    m = re.fullmatch(r"beta\(alpha=([0-9.eE+-]+), beta=([0-9.eE+-]+)\)", dist)
    if not m:
        return f"its prior: {dist}"
    draws = np.random.default_rng(20250113).beta(float(m[1]), float(m[2]), 400_000)
    q05, q50, q95 = np.quantile(draws, [0.05, 0.5, 0.95])
    return f"its prior, {dist}, has median {q50:.2f} and 90% range {q05:.2f}-{q95:.2f}"


def reference_caps(r):
    """Country caps of the flagship's named policies as the experiment defines them (not
    necessarily run), e.g. 'Diffusion Rule (Jan 2025) 16,600'."""
    defined = r.config_resolved.get("policies", {})
    notes = []
    for name in ("diffusion_rule", "anthropic"):
        cap = defined.get(name, {}).get(LEVER)
        if isinstance(cap, (int, float)):
            notes.append(f"{fs.policy_label(name)}: {cap * 1e6:,.0f}")
    return "; ".join(notes)


def main():
    args = fs.arg_parser(__doc__.splitlines()[0], "cap_leakage_grid.h5").parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        axes_ = r.grid_axes
        if len(axes_) != 1:
            raise ResultFileError(f"{r.path}: expected a grid over one parameter, found "
                                  f"{', '.join(a for a, _ in axes_)}")
        param, values = axes_[0]
        cells = r.design_role("cell")
        t = r.year_index(YEAR)
        caps = {p: float(r.policy_levers(p)[LEVER][t]) for p in r.policies}
        policies = sorted(r.policies, key=lambda p: (caps[p], p))
        share = np.full((len(policies), len(values)), np.nan)
        n_used = np.zeros((len(policies), len(values)), dtype=np.int64)
        for i, p in enumerate(policies):
            gap = r.raw(r.policy(p), OUTPUT, YEAR)
            for k in range(len(values)):
                g = gap[cells == k]
                g = g[np.isfinite(g)]
                n_used[i, k] = g.size
                share[i, k] = np.mean(g < THRESHOLD) if g.size else np.nan
        n_runs = int(np.bincount(cells).min())
        prior = prior_note(r, param)
        caps_note = reference_caps(r)
        description = next(p["description"] for p in r.config_resolved["parameters"]
                           if p["name"] == param)
        precision = r.config_resolved["output"].get("precision", "float64")
        source = fs.source_line(r)

    fig, ax = plt.subplots(figsize=(fs.FULL_WIDTH, 5.0))
    lo = math.floor(np.nanmin(share) * 20) / 20
    hi = math.ceil(np.nanmax(share) * 20) / 20
    im = ax.imshow(share, origin="lower", aspect="auto", cmap="YlOrRd", vmin=lo, vmax=hi,
                   interpolation="nearest")
    rows = []
    for i, p in enumerate(policies):
        for k, v in enumerate(values):
            rgba = im.cmap(im.norm(share[i, k]))
            dark = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.55
            ax.text(k, i, f"{share[i, k]:.0%}", ha="center", va="center", fontsize=7.5,
                    color="white" if dark else "black")
            rows.append((p, caps[p], float(v), int(n_used[i, k]), share[i, k]))
    ax.set_xticks(range(len(values)), [f"{v:g}" for v in values])
    ax.set_yticks(range(len(policies)), [cap_label(caps[p], p) for p in policies])
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    ax.set_xlabel(f"{param}: {description}" if description else param)
    ax.set_ylabel("Tier-2 country cap (H100e per country per year)")
    bar = fig.colorbar(im, ax=ax, fraction=0.045, pad=0.02)
    bar.set_label(f"share of futures with China < {THRESHOLD:g} year behind in {YEAR}")
    bar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))

    fig.suptitle(f"Tier-2 caps against leakage: how often China is within a year of the "
                 f"frontier in {YEAR}", x=0.012, ha="left", fontweight="bold")
    worst_se = float(np.nanmax(np.sqrt(share * (1 - share) / np.maximum(n_used, 1))))
    caption = (
        f"Each cell: share of futures whose frontier gap in {YEAR} is below {THRESHOLD:g} year, "
        f"for one Tier-2 country cap (rows; every other lever as in the Diffusion Rule"
        + (f"; caps for reference: {caps_note}" if caps_note else "") +
        f") and one fixed {param} (columns; {prior}). Other parameters drawn from the "
        f"default priors: {n_runs:,} futures per column, the same futures for every row; "
        f"columns meet different futures, so part of the variation across a row is sampling "
        f"noise (binomial standard error at most {worst_se * 100:.1f} percentage points). Grid "
        f"design, rows stored in {precision}. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.96))
    fs.save(fig, args.out, "cap_leakage_heatmap",
            ["policy", LEVER, param, "n_futures", f"p_gap_below_{THRESHOLD:g}_{YEAR}"], rows)


if __name__ == "__main__":
    fs.run(main)
