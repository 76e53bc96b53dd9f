#!/usr/bin/python3
"""Which policy holds up across futures: regret and satisficing per policy and objective, and
P(row better than column) on the same futures, from /robustness of a run with [robustness].

    /usr/bin/python3 analysis/fig_robustness.py [results/policy_comparison.h5] [--order NAME] [--out docs/figures]
"""

import math

import numpy as np
import matplotlib.pyplot as plt
from matplotlib import colors

import figstyle as fs
from chiprace_results import open_result, ResultFileError

# What an objective's output means to a reader of a policy brief (the file's name otherwise).
OUTPUT_LABEL = {
    "frontier_gap_years": "US lead in years",
    "us_stack_share": "US stack's share",
    "revenue": "US chip revenue",
    "compute_ratio": "US ÷ China compute",
}
# Darker is worse within each column of the table; the light end stays light enough for black
# text, the dark end dark enough for white.
TABLE_CMAP = plt.get_cmap("Oranges")
TABLE_RANGE = (0.04, 0.8)


def amount(x, units):
    """A regret or threshold in the output's units, short: '0.42 yr', '3.1 pp', '12 B$/yr'."""
    if not math.isfinite(x):
        return "n/a"
    if units == "1":                      # a share: its differences read as percentage points
        x, suffix = x * 100, " pp"
    elif units == "years":
        suffix = " yr"
    else:
        suffix = f" {units}"
    a = abs(x)
    if a == 0:
        return "0" + suffix
    if a < 0.005:                         # would print as 0.00: say that it is not quite 0
        return "< 0.01" + suffix
    return (f"{x:.0f}" if a >= 100 else f"{x:.1f}" if a >= 10 else f"{x:.2f}") + suffix


def threshold_text(t, units, better):
    sign = "≥" if better == "higher" else "≤"
    if units == "1":
        return f"{sign} {t * 100:g}%"
    return f"{sign} {t:g}{' yr' if units == 'years' else ' ' + units}"


def share_text(share, low, high):
    return f"{share:.1%}\n{low * 100:.1f}-{high * 100:.1f}%"


def objective_title(o):
    label = OUTPUT_LABEL.get(o.output, o.output)
    when = f", {o.year}" if o.year is not None else ""
    return f"{label}{when}\n({o.better} is better)"


def badness(values, higher_is_worse):
    """0 (best in the column) to 1 (worst), for the colour; NaN stays NaN."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if finite.size == 0 or finite.max() == finite.min():
        return np.where(np.isfinite(v), 0.0, np.nan)
    b = (v - finite.min()) / (finite.max() - finite.min())
    return b if higher_is_worse else 1.0 - b


def draw_table(ax, objectives, order, ranks, columns):
    """One row per policy (in `order`, labelled with its rank in `ranks`), one column per entry
    of `columns`: (objective index, header, values per policy, cell texts per policy, higher is
    worse)."""
    n_rows, n_cols = len(order), len(columns)
    rgba = np.ones((n_rows, n_cols, 4))
    dark = np.zeros((n_rows, n_cols), dtype=bool)
    lo, hi = TABLE_RANGE
    for j, (_, _, values, _, higher_is_worse) in enumerate(columns):
        b = badness([values[p] for p in order], higher_is_worse)
        for i in range(n_rows):
            if np.isfinite(b[i]):
                rgba[i, j] = TABLE_CMAP(lo + (hi - lo) * b[i])
                dark[i, j] = b[i] > 0.7
            else:
                rgba[i, j] = colors.to_rgba("#eeeeee")
    ax.imshow(rgba, aspect="auto", interpolation="nearest")
    for j, (_, _, _, texts, _) in enumerate(columns):
        for i, p in enumerate(order):
            ax.text(j, i, texts[p], ha="center", va="center", fontsize=6.8, linespacing=1.15,
                    color="white" if dark[i, j] else "black")
    ax.set_xticks(range(n_cols), [c[1] for c in columns], fontsize=6.8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, pad=2)
    ax.set_yticks(range(n_rows), [f"{ranks[p]}. {fs.policy_short(p)}" for p in order], fontsize=7.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # White gaps between cells, wider between objectives; each objective's name above its columns.
    for i in range(n_rows - 1):
        ax.axhline(i + 0.5, color="white", lw=1.0)
    starts = [j for j in range(n_cols) if j == 0 or columns[j][0] != columns[j - 1][0]]
    for j in range(1, n_cols):
        ax.axvline(j - 0.5, color="white", lw=3.5 if j in starts else 1.0)
    for k, j in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else n_cols
        ax.annotate(objective_title(objectives[columns[j][0]]), xy=((j + end) / 2 - 0.5, 1),
                    xycoords=("data", "axes fraction"), xytext=(0, 27),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                    fontweight="bold", annotation_clip=False)
        ax.annotate("", xy=(j - 0.42, 1), xytext=(end - 0.58, 1), xycoords=("data", "axes fraction"),
                    textcoords=("data", "axes fraction"),
                    arrowprops=dict(arrowstyle="-", color="#888888", lw=0.8,
                                    shrinkA=0, shrinkB=0,
                                    connectionstyle="arc3"), annotation_clip=False)


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "policy_comparison.h5")
    p.add_argument("--order", metavar="NAME",
                   help="objective whose mean-regret rank orders the rows, and whose dominance "
                        "matrix is drawn (default: the first)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        found = r.robustness()
        if not found:
            raise ResultFileError(
                f"{r.path}: no /robustness (the experiment has no [robustness] objectives; "
                f"docs/config.md)")
        if args.order is not None and args.order not in found:
            raise ResultFileError(f"{r.path}: no objective {args.order!r} (objectives: "
                                  f"{', '.join(found)})")
        source = fs.source_line(r)
    objectives = list(found.values())
    lead = found[args.order] if args.order else objectives[0]
    policies = lead.policies
    order = sorted(policies, key=lambda q: (int(lead.mean_regret_rank[lead.index(q)]),
                                            int(lead.minimax_regret_rank[lead.index(q)]), q))

    rows = []
    for o in objectives:
        for q in order:
            i = o.index(q)
            rows.append((o.name, q, "mean_regret_rank", "", "", int(o.mean_regret_rank[i]), "", ""))
            rows.append((o.name, q, "regret_mean", "", "", float(o.regret_mean[i]), "", ""))
            rows.append((o.name, q, "regret_max", "", "", float(o.regret_max[i]), "", ""))
            for k, t in enumerate(o.thresholds):
                rows.append((o.name, q, "satisficing_share", float(t), "",
                             float(o.satisficing_share[k, i]), float(o.satisficing_low[k, i]),
                             float(o.satisficing_high[k, i])))
    for q in order:
        for v in order:
            if v != q:
                i, j = lead.index(q), lead.index(v)
                rows.append((lead.name, q, "dominance_share", "", v,
                             float(lead.dominance_share[i, j]), float(lead.dominance_low[i, j]),
                             float(lead.dominance_high[i, j])))

    columns = []
    for n, o in enumerate(objectives):
        idx = {q: o.index(q) for q in policies}
        columns.append((n, "mean regret", {q: o.regret_mean[idx[q]] for q in policies},
                        {q: amount(o.regret_mean[idx[q]], o.units) for q in policies}, True))
        columns.append((n, "max regret", {q: o.regret_max[idx[q]] for q in policies},
                        {q: amount(o.regret_max[idx[q]], o.units) for q in policies}, True))
        for k, t in enumerate(o.thresholds):
            columns.append((n, f"futures\n{threshold_text(t, o.units, o.better)}",
                            {q: o.satisficing_share[k, idx[q]] for q in policies},
                            {q: share_text(o.satisficing_share[k, idx[q]],
                                           o.satisficing_low[k, idx[q]],
                                           o.satisficing_high[k, idx[q]]) for q in policies},
                            False))

    best = order[0]
    caption = (
        f"Table: each policy's regret in every future (the best policy's value in that future "
        f"minus this one's; 0 where it is the best) averaged over the futures (mean regret) and "
        f"at its worst (max regret), in the objective's units (pp: percentage points); then the "
        f"share of futures meeting each threshold with its 95% Wilson interval. Rows in the "
        f"order of mean regret on {lead.name} ({fs.policy_short(best)} smallest); colour "
        f"runs from the best to the worst value of each column, darker is worse. Matrix: share of futures in "
        f"which the row's {lead.output} is strictly better ({lead.better}) than the column's; "
        f"ties count for neither, so a pair's two shares add to at most 100%. "
        f"{source}")

    # Laid out in inches from the top, so that more policies or objectives grow the figure
    # rather than squeeze the cells: title, objective names, table, colour key, matrix with
    # its rotated labels, caption.
    n = len(order)
    width = fs.FULL_WIDTH
    left = 1.25                              # room for the policy names
    table_h, cell = 0.36 * n, min(0.3, 2.2 / n)
    top_gap, key_gap, matrix_gap, labels_h = 0.95, 0.42, 0.5, 0.68
    fig = plt.figure(figsize=(width, 8.0))
    caption_h = fs.add_caption(fig, caption) * 8.0
    height = top_gap + table_h + key_gap + matrix_gap + cell * n + labels_h + caption_h
    fig.set_figheight(height)

    def box(x, y_top, w, h):
        """An axes rectangle given in inches from the left and from the top."""
        return (x / width, 1 - (y_top + h) / height, w / width, h / height)

    table_ax = fig.add_axes(box(left, top_gap, width - left - 0.05, table_h))
    draw_table(table_ax, objectives, order,
               {q: int(lead.mean_regret_rank[lead.index(q)]) for q in order}, columns)
    # What the table's colour means: one scale per column, from its best to its worst cell.
    key_ax = fig.add_axes(box(left, top_gap + table_h + 0.22, 1.8, 0.1))
    key_ax.imshow(np.linspace(*TABLE_RANGE, 64)[None, :], cmap=TABLE_CMAP, vmin=0, vmax=1,
                  aspect="auto")
    key_ax.set_xticks([0, 63], ["best", "worst"], fontsize=6.8)
    key_ax.set_yticks([])
    key_ax.tick_params(axis="x", length=0, pad=1.5)
    key_ax.grid(False)
    for spine in key_ax.spines.values():
        spine.set_visible(False)
    key_ax.set_title("table colour: from the best to the worst value of each column", fontsize=6.8, loc="left", pad=2)

    matrix_top = top_gap + table_h + key_gap + matrix_gap
    dom_ax = fig.add_axes(box(left, matrix_top, cell * n, cell * n))
    m = np.full((n, n), np.nan)
    for a, qa in enumerate(order):
        for b, qb in enumerate(order):
            if a != b:
                m[a, b] = lead.dominance_share[lead.index(qa), lead.index(qb)]
    cmap = plt.get_cmap("PuOr").copy()
    cmap.set_bad("#f4f4f4")
    dom_ax.grid(False)
    im = dom_ax.imshow(m, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    for a in range(n):
        for b in range(n):
            text = "–" if a == b else f"{m[a, b]:.0%}"
            extreme = a != b and abs(m[a, b] - 0.5) > 0.35
            dom_ax.text(b, a, text, ha="center", va="center", fontsize=6.8,
                        color="white" if extreme else "black")
    short = [fs.policy_short(q) for q in order]
    dom_ax.set_xticks(range(n), short, rotation=35, ha="right", rotation_mode="anchor",
                      fontsize=7)
    dom_ax.set_yticks(range(n), short, fontsize=7)
    dom_ax.tick_params(length=0)
    for spine in dom_ax.spines.values():
        spine.set_visible(False)
    dom_ax.set_title(f"P(row better than column): {OUTPUT_LABEL.get(lead.output, lead.output)}"
                     f"{', ' + str(lead.year) if lead.year is not None else ''}",
                     fontsize=8, loc="left")
    bar_ax = fig.add_axes(box(left + cell * n + 0.12, matrix_top, 0.09, cell * n))
    bar_ax.grid(False)
    bar = fig.colorbar(im, cax=bar_ax)
    bar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    bar.ax.tick_params(labelsize=6.8)
    bar.set_label("share of the same futures", fontsize=6.8)

    notes = [f"{o.name}: {o.units if o.units != '1' else 'a share'}, {o.better} is better"
             + (f"; {', '.join(threshold_text(t, o.units, o.better) for t in o.thresholds)}"
                if o.thresholds.size else "")
             for o in objectives]
    notes_x = left + cell * n + 1.05
    fig.text(notes_x / width, 1 - matrix_top / height,
             "Objectives ([robustness] of the experiment)\n" +
             "\n".join(f"• {text}" for text in notes), fontsize=6.5, va="top", ha="left",
             color="#333333", linespacing=1.4)

    fig.suptitle("Which policy holds up across futures: regret, satisficing and dominance",
                 x=0.012, y=1 - 0.12 / height, ha="left", va="top", fontweight="bold")
    fs.save(fig, args.out, "robustness",
            ["objective", "policy", "quantity", "threshold", "versus", "value", "low", "high"],
            rows)


if __name__ == "__main__":
    fs.run(main)
