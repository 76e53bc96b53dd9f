"""What every figure script shares: a fixed matplotlib style, policy names and colours, the
caption line, and saving PNG + PDF + CSV so that a rerun gives the same bytes.

Determinism: matplotlib's defaults are reset (no matplotlibrc of the machine or the user
applies), PNG and PDF are written without the software, creator, producer and date entries
they would otherwise carry, and numbers in CSVs are written as the shortest text that reads
back to the same double (repr), so a CSV value compares exactly with the value in the file.
"""

import argparse
import csv
import math
import os
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(REPO, "docs", "figures")
DEFAULT_RESULTS = os.path.join(REPO, "results")

PNG_DPI = 200
# A full text width of a two-column paper or an A4/letter page with margins.
FULL_WIDTH = 7.2

# Short names a reader of a policy brief recognises; the result file's policy names stay in
# the CSVs. Colours: Okabe-Ito (distinguishable with the common colour-vision deficiencies),
# black for the Diffusion Rule, the reference of the contrasts. Line styles keep the policies
# apart in greyscale print.
POLICY_STYLE = {
    "nvidia": ("Nvidia's position", "#D55E00", (0, (5, 1.5)), "Nvidia"),
    "rescission_deals": ("Rescission + deals", "#E69F00", (0, (1, 1)), "Rescission"),
    "pre_diffusion": ("Pre-Diffusion (2023-24 rules)", "#CC79A7", (0, (3, 1, 1, 1)),
                      "Pre-Diffusion"),
    "diffusion_rule": ("Diffusion Rule (Jan 2025)", "#000000", "-", "Diffusion Rule"),
    "anthropic": ("Anthropic's proposal", "#0072B2", (0, (6, 2)), "Anthropic"),
    "tight_enforcement": ("Tight enforcement", "#009E73", (0, (2, 1, 2, 1, 6, 1)),
                          "Tight enforcement"),
}
# Quantile levels for distributions drawn from per-sample rows; the same levels that
# experiments/policy_distributions.toml stores, so both routes draw the same kind of curve.
DENSE_LEVELS = tuple([0.001, 0.0025, 0.005] + [k / 100 for k in range(1, 100)]
                     + [0.995, 0.9975, 0.999])

_FALLBACK_COLOURS = ["#56B4E9", "#F0E442", "#999999", "#882255", "#44AA99", "#332288"]


def setup_style():
    matplotlib.rcdefaults()
    matplotlib.rcParams.update({
        "font.family": "DejaVu Sans",
        "font.size": 8.5,
        "axes.titlesize": 9,
        "axes.labelsize": 8.5,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "legend.fontsize": 7.5,
        "figure.titlesize": 10.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.5,
        "lines.linewidth": 1.4,
        "savefig.dpi": PNG_DPI,
        # TrueType in the PDF keeps text selectable and editable in a journal's tools.
        "pdf.fonttype": 42,
        "svg.hashsalt": "chiprace",
        "path.simplify": False,
    })


def policy_label(name):
    return POLICY_STYLE.get(name, (name,))[0]


def policy_short(name):
    return POLICY_STYLE[name][3] if name in POLICY_STYLE else name


def group_label(group, short=True):
    """'policies/x' -> the policy's name; 'contrasts/a_vs_b' -> 'a − b' (the paired effect)."""
    label = policy_short if short else policy_label
    if not group:
        return "all runs"
    kind, name = group.split("/", 1)
    if kind == "policies":
        return label(name)
    a, b = name.split("_vs_", 1)
    return f"{label(a)} − {label(b)}"


def policy_colour(name, index=0):
    if name in POLICY_STYLE:
        return POLICY_STYLE[name][1]
    return _FALLBACK_COLOURS[index % len(_FALLBACK_COLOURS)]


def policy_linestyle(name):
    return POLICY_STYLE[name][2] if name in POLICY_STYLE else "-"


def order_policies(result, output="compute_ratio", year=2030):
    """Policies from the loosest to the tightest, as measured by the median of `output` in
    `year` (ties and missing data fall back to the name), so every figure lists them alike."""
    def key(p):
        try:
            return (float(result.quantile(result.policy(p), output, 0.5, year=year)), p)
        except Exception:
            return (math.inf, p)
    return sorted(result.policies, key=key)


SAMPLING_DESIGNS = ("mc", "lhs", "sobol")


def require_futures(result):
    """Distributions across futures need runs that sample the priors: not the structured runs of
    a sensitivity design, nor a grid's fixed values."""
    from chiprace_results import ResultFileError
    if result.design not in SAMPLING_DESIGNS:
        raise ResultFileError(
            f"{result.path}: design {result.design!r} does not sample futures from the priors; "
            f"this figure needs an experiment with design {', '.join(SAMPLING_DESIGNS)}")


def fmt_int(n):
    return f"{n:,}"


def source_line(result, futures_word="futures"):
    """Where the numbers come from: experiment, file, N, seed."""
    return (f"Source: experiment '{result.experiment}' ({os.path.basename(result.path)}), "
            f"N = {fmt_int(result.n_samples)} {futures_word}, seed {result.seed}, "
            f"chiprace {result.attrs.get('software_version', '?')}.")


def add_caption(fig, text, width_chars=None, fontsize=7):
    """A caption under the axes; returns the fraction of the figure height it takes, for the
    layout's bottom margin."""
    if width_chars is None:
        width_chars = int(fig.get_figwidth() * 72 / (fontsize * 0.55))
    wrapped = "\n".join(textwrap.fill(p, width_chars) for p in text.split("\n"))
    lines = wrapped.count("\n") + 1
    fig.text(0.012, 0.008, wrapped, ha="left", va="bottom", fontsize=fontsize, color="#333333",
             linespacing=1.3)
    return (lines * fontsize * 1.3 + 10) / 72 / fig.get_figheight()


def _csv_cell(value):
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return repr(float(value))
    if type(value).__name__.startswith("int") or type(value).__name__.startswith("uint"):
        return str(int(value))
    return str(value)


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"{path}: row {row} does not match header {header}")
            w.writerow([_csv_cell(v) for v in row])


def save(fig, out_dir, stem, header, rows):
    """Write OUT/stem.png, .pdf and .csv (the plotted numbers); print their paths."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, stem)
    fig.savefig(base + ".png", dpi=PNG_DPI, metadata={"Software": None})
    fig.savefig(base + ".pdf", metadata={"Creator": None, "Producer": None,
                                         "CreationDate": None})
    plt.close(fig)
    write_csv(base + ".csv", header, rows)
    for ext in ("png", "pdf", "csv"):
        print(f"wrote {base}.{ext}")


def arg_parser(description, default_result):
    """The command line every figure script shares: an optional result file and --out."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("result", nargs="?", default=os.path.join(DEFAULT_RESULTS, default_result),
                   help=f"result file (default: results/{default_result})")
    p.add_argument("--out", default=DEFAULT_OUT,
                   help="directory for the PNG, PDF and CSV (default: docs/figures)")
    return p


def run(main):
    """Run a figure script's main(); a result file it cannot use is one line on stderr and
    exit code 2, like chiprace's own input errors."""
    from chiprace_results import ResultFileError
    try:
        main()
    except ResultFileError as err:
        print(f"{os.path.basename(sys.argv[0])}: error: {err}", file=sys.stderr)
        sys.exit(2)
