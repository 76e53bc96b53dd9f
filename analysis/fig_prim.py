#!/usr/bin/python3
"""Scenario discovery: PRIM's peeling trade-off (coverage against density along the trajectory,
coloured by the number of restricted inputs, the chosen box marked) and the chosen box's limits
on each restricted input, as a share of that input's range.

    /usr/bin/python3 analysis/fig_prim.py [RESULT.h5] [--name NAME] [--step I] [--out docs/figures]

Reads /discovery/<name>, written by `chiprace discover` (docs/file-format.md): the datasets
coverage, density, mass, res_dim, lower (steps, inputs), upper (steps, inputs), and when present
the attributes inputs, chosen, peels, case, policy and the group box/ (initial_lower,
initial_upper, quasi_p_lower, quasi_p_upper). Missing pieces fall back: inputs x0, x1, ...;
the chosen box is the last step; the initial box is step 0; no quasi-p column. --name may be
left out when the file has one discovery. bench/prim_side_by_side.py --write-discovery writes
the NumPy reference's trajectory in the same layout (for development before discover runs).
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

import figstyle as fs
from chiprace_results import ResultFileError, open_result


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _attr(node, key, default=None):
    return node.attrs[key] if key in node.attrs else default


def read_discovery(result, name):
    """The trajectory and chosen box of /discovery/<name> as plain numpy values."""
    h5 = result.h5
    if "discovery" not in h5:
        raise ResultFileError(f"{result.path}: no /discovery group (run chiprace discover first)")
    names = sorted(h5["discovery"].keys())
    if name is None:
        if len(names) != 1:
            raise ResultFileError(f"{result.path}: several discoveries, choose one with --name: "
                                  f"{', '.join(names)}")
        name = names[0]
    if name not in names:
        raise ResultFileError(f"{result.path}: no /discovery/{name} (there are: "
                              f"{', '.join(names) or 'none'})")
    g = h5["discovery"][name]
    for needed in ("coverage", "density", "mass", "res_dim", "lower", "upper"):
        if needed not in g:
            raise ResultFileError(f"{result.path}: /discovery/{name} lacks '{needed}'")
    d = {
        "name": name,
        "coverage": g["coverage"][...].astype(float),
        "density": g["density"][...].astype(float),
        "mass": g["mass"][...].astype(float),
        "res_dim": g["res_dim"][...].astype(int),
        "lower": np.atleast_2d(g["lower"][...].astype(float)),
        "upper": np.atleast_2d(g["upper"][...].astype(float)),
    }
    steps, width = d["lower"].shape
    inputs = _attr(g, "inputs", _attr(g["lower"], "inputs"))
    if inputs is None or len(inputs) != width:
        inputs = [f"x{j}" for j in range(width)]
    d["inputs"] = [_text(v) for v in inputs]
    chosen = _attr(g, "chosen")
    if chosen is None and "box" in g:
        chosen = _attr(g["box"], "step")
    d["chosen"] = int(chosen) if chosen is not None else steps - 1
    peels = _attr(g, "peels")
    d["peels"] = int(peels) if peels is not None else None
    d["case"] = _text(_attr(g, "case", "the case of interest"))
    d["policy"] = _text(_attr(g, "policy", "")) or None
    d["settings"] = {k: _attr(g, k) for k in ("peel_alpha", "paste_alpha", "mass_min")
                     if k in g.attrs}
    box = g["box"] if "box" in g else None
    if box is not None and "initial_lower" in box and "initial_upper" in box:
        d["initial_lower"] = np.ravel(box["initial_lower"][...]).astype(float)
        d["initial_upper"] = np.ravel(box["initial_upper"][...]).astype(float)
    else:
        d["initial_lower"], d["initial_upper"] = d["lower"][0], d["upper"][0]
    if box is not None and "quasi_p_lower" in box and "quasi_p_upper" in box:
        d["qp_lower"] = np.ravel(box["quasi_p_lower"][...]).astype(float)
        d["qp_upper"] = np.ravel(box["quasi_p_upper"][...]).astype(float)
    else:
        d["qp_lower"] = d["qp_upper"] = None
    return d


def _qp_text(value):
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return "<1e-12" if value < 1e-12 else f"{value:.2g}"


def _limit_text(lo, hi, restricted_lo, restricted_hi):
    if restricted_lo and restricted_hi:
        return f"{lo:.3g} – {hi:.3g}"
    if restricted_lo:
        return f"≥ {lo:.3g}"
    return f"≤ {hi:.3g}"


def main():
    p = fs.arg_parser(__doc__.splitlines()[0], "policy_comparison.h5")
    p.add_argument("--name", help="the /discovery/<name> to draw (default: the only one)")
    p.add_argument("--step", type=int, help="box to show (default: the one discover chose)")
    args = p.parse_args()
    fs.setup_style()
    with open_result(args.result) as r:
        d = read_discovery(r, args.name)
        source = fs.source_line(r)
    steps = d["coverage"].shape[0]
    chosen = d["chosen"] if args.step is None else args.step
    if not 0 <= chosen < steps:
        raise ResultFileError(f"step {chosen} outside the trajectory's 0..{steps - 1}")

    fig = plt.figure(figsize=(fs.FULL_WIDTH, 4.8))
    # Placed by hand: the right panel needs room for the input names on its left and the
    # limits on its right, which tight_layout would take from the trade-off plot.
    ax = fig.add_axes([0.075, 0.30, 0.36, 0.58])
    bx = fig.add_axes([0.655, 0.30, 0.17, 0.58])
    # Left: the trade-off. Colour = restricted inputs (discrete), circles = peels,
    # squares = pastes.
    levels = np.arange(d["res_dim"].min(), d["res_dim"].max() + 2) - 0.5
    cmap = ListedColormap(plt.get_cmap("viridis")(np.linspace(0, 0.92, len(levels) - 1)))
    norm = BoundaryNorm(levels, cmap.N)
    ax.plot(d["coverage"], d["density"], color="#999999", lw=0.7, zorder=1)
    peels = d["peels"] if d["peels"] is not None else steps - 1
    kinds = np.array(["initial" if i == 0 else "peel" if i <= peels else "paste"
                      for i in range(steps)])
    handles = []
    for kind, marker, label in (("initial", "D", "all futures"), ("peel", "o", "peeling step"),
                                ("paste", "s", "pasting step")):
        sel = kinds == kind
        if sel.any():
            sc = ax.scatter(d["coverage"][sel], d["density"][sel], c=d["res_dim"][sel],
                            cmap=cmap, norm=norm, marker=marker, s=16, edgecolors="white",
                            linewidths=0.4, zorder=2)
            handles.append(plt.Line2D([], [], ls="none", marker=marker, color="#777777",
                                      ms=4.5, label=label))
    ax.scatter([d["coverage"][chosen]], [d["density"][chosen]], s=150, facecolors="none",
               edgecolors="#D55E00", linewidths=1.6, zorder=3)
    handles.append(plt.Line2D([], [], ls="none", marker="o", mfc="none", mec="#D55E00", mew=1.5,
                              ms=9, label="chosen box"))
    ax.annotate(f"step {chosen}: coverage {d['coverage'][chosen]:.2f}, "
                f"density {d['density'][chosen]:.2f},\nmass {d['mass'][chosen]:.3f}, "
                f"{d['res_dim'][chosen]} restricted inputs",
                (d["coverage"][chosen], d["density"][chosen]), xytext=(11, 3),
                textcoords="offset points", fontsize=6.8, color="#D55E00", va="bottom")
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.16), frameon=False,
              fontsize=6.5)
    # The colour bar sits in the empty lower left: the trajectory runs from the bottom right
    # (all futures) to the top left (small dense boxes).
    cax = ax.inset_axes([0.04, 0.07, 0.42, 0.035])
    cax.grid(False)
    bar = fig.colorbar(sc, cax=cax, orientation="horizontal",
                       ticks=np.arange(d["res_dim"].min(), d["res_dim"].max() + 1,
                                       1 if d["res_dim"].max() - d["res_dim"].min() <= 8 else 2))
    bar.ax.tick_params(labelsize=6)
    bar.ax.set_title("restricted inputs", fontsize=6.5, pad=2)
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.03)
    ax.set_ylim(0, min(1.05, d["density"].max() * 1.15 + 0.02))
    ax.set_title("peeling trade-off", loc="left")

    # Right: the chosen box on each restricted input, as a share of the input's range.
    lo, hi = d["lower"][chosen], d["upper"][chosen]
    ilo, ihi = d["initial_lower"], d["initial_upper"]
    restricted = [j for j in range(len(lo)) if lo[j] != ilo[j] or hi[j] != ihi[j]]
    span = np.where(ihi > ilo, ihi - ilo, 1.0)
    nlo = (lo - ilo) / span
    nhi = (hi - ilo) / span
    # Narrowest first, as EMA's box plots order them: the tightest conditions lead.
    restricted.sort(key=lambda j: nhi[j] - nlo[j])
    rows = []
    for i in range(steps):
        rows.append(("trajectory", i, "", d["coverage"][i], d["density"][i], d["mass"][i],
                     int(d["res_dim"][i]), "", "", "", "", "", "", kinds[i]))
    for k, j in enumerate(restricted):
        yk = len(restricted) - 1 - k
        bx.plot([0, 1], [yk, yk], color="#e4e4e4", lw=6, solid_capstyle="butt", zorder=1)
        bx.plot([nlo[j], nhi[j]], [yk, yk], color="#0072B2", lw=6, solid_capstyle="butt",
                zorder=2)
        text = _limit_text(lo[j], hi[j], lo[j] != ilo[j], hi[j] != ihi[j])
        qps = []
        if d["qp_lower"] is not None:
            for side, value, on in (("lo", d["qp_lower"][j], lo[j] != ilo[j]),
                                    ("hi", d["qp_upper"][j], hi[j] != ihi[j])):
                t = _qp_text(value) if on else None
                if t:
                    qps.append(t)
        if qps:
            text += f"   (qp {', '.join(qps)})"
        bx.text(1.05, yk, text, va="center", fontsize=6.3, color="#333333", clip_on=False)
        qlo = d["qp_lower"][j] if d["qp_lower"] is not None else float("nan")
        qhi = d["qp_upper"][j] if d["qp_upper"] is not None else float("nan")
        rows.append(("box", chosen, d["inputs"][j], "", "", "", "", lo[j], hi[j], nlo[j], nhi[j],
                     qlo, qhi, ""))
    bx.set_yticks(range(len(restricted)))
    bx.set_yticklabels([d["inputs"][j] for j in reversed(restricted)], fontsize=6.5)
    bx.set_xlim(0, 1)
    bx.set_ylim(-0.7, max(len(restricted), 1) - 0.3)
    bx.set_xticks([0, 0.5, 1])
    bx.set_xticklabels(["min", "middle", "max"])
    bx.grid(False)
    bx.spines["left"].set_visible(False)
    bx.tick_params(axis="y", length=0)
    bx.set_xlabel("limits within the sampled range")
    bx.set_title(f"the chosen box ({len(restricted)} restricted inputs)", loc="left", x=-0.9)

    who = f" under {fs.policy_label(d['policy'])}" if d["policy"] else ""
    fig.suptitle(f"In which futures is {d['case']}{who}?", x=0.012, ha="left",
                 fontweight="bold")
    settings = ", ".join(f"{k} {v:g}" for k, v in d["settings"].items())
    caption = (
        f"PRIM (Friedman & Fisher 1999; EMA Workbench rules) peels a small share of futures "
        f"off one side of one input at a time, keeping the box where the case is densest, then "
        f"pastes back what helps (/discovery/{d['name']}). Left: each step's coverage (share of all case futures inside "
        f"the box) against its density (share of the box's futures that are cases); moving "
        f"left buys density with coverage and more conditions. Right: the chosen box's limits; "
        f"qp: quasi-p-value of each limit (one-sided binomial test against the box without it; "
        f"large values mark a limit that may be noise)."
        f"{' Settings: ' + settings + '.' if settings else ''} {source}")
    fs.add_caption(fig, caption)
    fs.save(fig, args.out, f"prim_{d['name']}",
            ["part", "step", "input", "coverage", "density", "mass", "res_dim", "lower", "upper",
             "lower_share_of_range", "upper_share_of_range", "qp_lower", "qp_upper", "kind"],
            rows)


if __name__ == "__main__":
    fs.run(main)
