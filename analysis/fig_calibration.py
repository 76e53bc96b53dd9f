#!/usr/bin/python3
"""What calibration changes: the US-to-China compute ratio per policy in one year before
(prior) and after (posterior) weighting the futures by the 2025 evidence, and the inputs the
evidence narrowed most.

    /usr/bin/python3 analysis/fig_calibration.py [results/calibrated.h5] [--year 2030] [--top 8] [--out docs/figures]
"""

import math

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
from matplotlib.lines import Line2D

import figstyle as fs
from chiprace_results import ResultFileError, open_result

OUTPUT = "compute_ratio"
LEVELS = (0.05, 0.5, 0.95)
PRIOR_GREY = "#9a9a9a"


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "calibrated.h5")
    p.add_argument("--year", type=int, default=2030, help="year shown (default 2030)")
    p.add_argument("--top", type=int, default=8, help="inputs shown (default 8)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        fs.require_futures(r)
        if not r.calibrated:
            raise ResultFileError(
                f"{r.path}: not a calibrated run (no /calibration); this figure needs an "
                f"experiment with [calibration], e.g. experiments/calibrated.toml")
        d = r.calibration_diagnostics()
        if not d.posterior_written:
            r.summary(r.groups[0], OUTPUT, posterior=True)  # raises, saying why
        targets = r.calibration_targets()
        policies = fs.order_policies(r, OUTPUT, args.year)
        q = {(pol, kind): {lv: float(r.quantile(r.policy(pol), OUTPUT, lv, year=args.year,
                                                posterior=kind == "posterior"))
                           for lv in LEVELS}
             for pol in policies for kind in ("prior", "posterior")}
        narrowed = [x for x in r.narrowed_inputs() if not math.isnan(x[1])][:args.top]
        inputs = {name: (r.input_summary(name), r.input_summary(name, posterior=True))
                  for name, _, _ in narrowed}
        n = r.n_samples
        source = fs.source_line(r)

    fig = plt.figure(figsize=(fs.FULL_WIDTH, 6.6))
    grid = fig.add_gridspec(2, 2, height_ratios=(1.0, 1.0), width_ratios=(1.0, 1.0))
    ax = fig.add_subplot(grid[0, :])
    rows = []
    for i, pol in enumerate(policies):
        c = fs.policy_colour(pol, i)
        for kind, dx, colour, face in (("prior", -0.14, PRIOR_GREY, "white"),
                                       ("posterior", 0.14, c, c)):
            v = q[pol, kind]
            ax.plot([i + dx] * 2, [v[0.05], v[0.95]], color=colour, lw=1.6,
                    solid_capstyle="butt")
            ax.plot(i + dx, v[0.5], "o", ms=6.5, color=colour, mfc=face, mew=1.4, zorder=3)
        for lv in LEVELS:
            rows.append(("compute_ratio", pol, args.year, "quantile", lv,
                         q[pol, "prior"][lv], q[pol, "posterior"][lv]))
    ax.set_xticks(range(len(policies)))
    ax.set_xticklabels([fs.policy_short(pol) for pol in policies])
    ax.set_xlim(-0.6, len(policies) - 0.4)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(
        mticker.FixedLocator([0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax.axhline(1.0, color="#888888", lw=0.7, zorder=0)
    ax.set_ylabel(f"US ÷ China compute, {args.year}")
    ax.set_title(f"(a) the compute ratio in {args.year}: median and 5-95% of futures",
                 loc="left")
    ax.legend(handles=[
        Line2D([], [], color=PRIOR_GREY, marker="o", mfc="white", mew=1.4, lw=1.6,
               label="prior (every future counts alike)"),
        Line2D([], [], color="#444444", marker="o", lw=1.6,
               label="posterior (futures weighted by the 2025 evidence)")],
        loc="upper left", frameon=False)

    names = [name for name, _, _ in narrowed]
    y = list(range(len(names)))[::-1]
    ax_ratio = fig.add_subplot(grid[1, 0])
    ax_shift = fig.add_subplot(grid[1, 1], sharey=ax_ratio)
    ratios = [ratio for _, ratio, _ in narrowed]
    shifts = [shift for _, _, shift in narrowed]
    ax_ratio.set_axisbelow(True)
    ax_ratio.barh(y, ratios, color="#0072B2", height=0.6)
    ax_ratio.axvline(1.0, color="#888888", lw=0.7)
    ax_ratio.set_yticks(y)
    ax_ratio.set_yticklabels(names, fontsize=7)
    ax_ratio.set_xlim(0, 1.05)
    ax_ratio.set_xlabel("posterior std ÷ prior std")
    ax_ratio.set_title("(b) the inputs the evidence narrowed most", loc="left")
    ax_shift.axvline(0.0, color="#888888", lw=0.7)
    ax_shift.plot(shifts, y, "o", color="#D55E00", ms=5)
    for yi, s in zip(y, shifts):
        ax_shift.plot([0, s], [yi, yi], color="#D55E00", lw=1.0)
    limit = max([0.5] + [abs(s) * 1.15 for s in shifts])
    ax_shift.set_xlim(-limit, limit)
    ax_shift.set_xlabel("shift of the mean (prior standard deviations)")
    ax_shift.set_title("(c) and how far their means moved", loc="left")
    plt.setp(ax_shift.get_yticklabels(), visible=False)
    for name, ratio, shift in narrowed:
        prior, post = inputs[name]
        rows.append(("inputs", name, "", "mean", "", prior.mean, post.mean))
        rows.append(("inputs", name, "", "std", "", prior.std, post.std))
        rows.append(("inputs", name, "", "std_ratio", "", "", ratio))
        rows.append(("inputs", name, "", "mean_shift_in_prior_sd", "", "", shift))

    fig.suptitle("What calibration to the 2025 evidence changes", x=0.012, ha="left",
                 fontweight="bold")
    observed = "; ".join(
        f"{t.output}{'' if t.year is None else f' {t.year}'}"
        f"{f' under {t.policy}' if t.policy else ''} ({t.observation} "
        f"{', '.join(f'{x:g}' for x in t.parameters)})" for t in targets)
    caption = (
        f"Each future is weighted by the likelihood of what was observed: {observed or 'no targets'}. "
        f"Effective sample size (Kish) {d.ess:,.0f} of {fs.fmt_int(n)} futures "
        f"({d.ess_fraction:.1%}). (a) Hollow grey: prior, every future alike; filled: posterior, "
        f"from the weighted quantile sketch; log scale; policies from the loosest to the tightest "
        f"by the prior median. (b) Ratio of each input's weighted to unweighted standard "
        f"deviation, the {len(names)} smallest; (c) the weighted mean minus the prior mean, in "
        f"prior standard deviations. {source}")
    bottom = fs.add_caption(fig, caption)
    fig.tight_layout(rect=(0, bottom, 1, 0.96), h_pad=1.6, w_pad=1.0)
    fs.save(fig, args.out, "calibration",
            ["panel", "subject", "year", "statistic", "level", "prior", "posterior"], rows)


if __name__ == "__main__":
    fs.run(main)
