#!/usr/bin/python3
"""The security-versus-revenue trade-off: US designers' revenue forgone against the US-to-China
compute ratio in one year, per policy, with the 50% and 90% ranges across futures.

    /usr/bin/python3 analysis/fig_tradeoff.py [results/policy_comparison.h5] [--year 2030] [--out docs/figures]
"""

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker

import figstyle as fs
from chiprace_results import open_result

X_OUTPUT, Y_OUTPUT = "compute_ratio", "revenue_forgone"
LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


def label_points(ax, points, merge_px=25):
    """Name each median marker below and to the right of it. Markers closer than merge_px
    (policies with nearly the same outcome) share one label rather than overprint each other.
    Call after the layout is final: it measures distances on the page."""
    to_px = ax.transData.transform
    clusters = []
    for name, x, y, colour in sorted(points, key=lambda p: (p[1], p[2])):
        px = to_px((x, y))
        for c in clusters:
            if any(((px - q) ** 2).sum() ** 0.5 < merge_px for q in c["px"]):
                c["members"].append((name, x, y, colour))
                c["px"].append(px)
                break
        else:
            clusters.append({"members": [(name, x, y, colour)], "px": [px]})
    renderer = ax.figure.canvas.get_renderer()
    boxes = []
    for c in clusters:
        members = c["members"]
        name, x, y, colour = max(members, key=lambda m: m[1])   # rightmost marker
        if len(members) > 1:
            name, colour = " / ".join(m[0] for m in members), "#333333"
        # Below right of the marker; above right if that would cover an earlier label.
        for offset, va in (((7, -7), "top"), ((7, 7), "bottom")):
            text = ax.annotate(name, (x, y), xytext=offset, textcoords="offset points",
                               fontsize=7.5, color=colour, fontweight="bold", va=va, ha="left",
                               bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none",
                                         alpha=0.85))
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(b) for b in boxes):
                break
            text.remove()
        boxes.append(box)


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "policy_comparison.h5")
    p.add_argument("--year", type=int, default=2030, help="year shown (default 2030)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        policies = fs.order_policies(r)
        q = {(pol, o): {lv: float(r.quantile(r.policy(pol), o, lv, year=args.year)) for lv in LEVELS}
             for pol in policies for o in (X_OUTPUT, Y_OUTPUT)}
        y_units = r.units(r.policy(policies[0]), Y_OUTPUT)
        source = fs.source_line(r)

    fig, ax = plt.subplots(figsize=(fs.FULL_WIDTH, 5.0))
    rows = []
    for i, pol in enumerate(policies):
        c = fs.policy_colour(pol, i)
        x, y = q[pol, X_OUTPUT], q[pol, Y_OUTPUT]
        # Thin: 5-95%; thick: 25-75%; marker: the medians. Each bar is a marginal range.
        ax.plot([x[0.05], x[0.95]], [y[0.5]] * 2, color=c, lw=0.9, alpha=0.8)
        ax.plot([x[0.5]] * 2, [y[0.05], y[0.95]], color=c, lw=0.9, alpha=0.8)
        ax.plot([x[0.25], x[0.75]], [y[0.5]] * 2, color=c, lw=3.2, solid_capstyle="butt")
        ax.plot([x[0.5]] * 2, [y[0.25], y[0.75]], color=c, lw=3.2, solid_capstyle="butt")
        ax.plot(x[0.5], y[0.5], "o", color=c, ms=7, mec="white", mew=1.0, zorder=4,
                label=fs.policy_label(pol))
        for o, qs in ((X_OUTPUT, x), (Y_OUTPUT, y)):
            for lv in LEVELS:
                rows.append((pol, args.year, o, lv, qs[lv]))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(mticker.FixedLocator([2, 5, 10, 20, 50, 100, 200, 500]))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    # Log scales on both axes: the spread across futures is multiplicative (market size and
    # growth rates compound), and equal ratios then look equal.
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(mticker.FixedLocator([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax.set_xlabel(f"US ÷ China usable AI compute in {args.year} (ratio, log scale)  →  larger US lead")
    ax.set_ylabel(f"revenue forgone in {args.year} ({y_units}, log scale)")
    ax.legend(loc="upper right", frameon=False, title="policy (marker: medians)", title_fontsize=7.5)

    fig.suptitle(f"Security against revenue: what each policy buys and costs in {args.year}",
                 x=0.012, ha="left", fontweight="bold")
    caption = (
        f"Marker: median of each quantity across futures; thick bars: 25-75%, thin bars: 5-95% "
        f"(each bar is the range of one quantity on its own, so the cross is not a joint region). "
        f"Revenue forgone: sales US chip designers lose against selling their whole output unrestricted "
        f"and fee-free (blocked sales not resold elsewhere, plus fees paid to the US government), "
        f"in billions of dollars per year. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.96))
    label_points(ax, [(fs.policy_short(pol), q[pol, X_OUTPUT][0.5], q[pol, Y_OUTPUT][0.5],
                       fs.policy_colour(pol, i)) for i, pol in enumerate(policies)])
    fs.save(fig, args.out, "tradeoff", ["policy", "year", "output", "quantile_level", "value"], rows)


if __name__ == "__main__":
    fs.run(main)
