#!/usr/bin/python3
"""The README's findings table, from the flagship's result file.

    /usr/bin/python3 analysis/readme_findings.py results/policy_comparison.h5 [results/calibrated.h5]

prints the Markdown rows the README shows (median and 90% interval of each policy's compute
ratio, frontier gap and smuggling; then version 2's measures: compute by who controls it, the
US stack's share of the world's compute, China's self-sufficiency and US designers' revenue).
Given the calibrated run (experiments/calibrated.toml) as well, it then prints what calibration
changes: prior against posterior of the 2030 compute ratio and frontier gap per policy, of the
headline contrast, and the effective sample size. tests/integration/readme_findings.sh runs
both experiments and checks that the README holds exactly these rows, so the README cannot
drift from the model.
"""
import sys

from chiprace_results import Result, ResultFileError

# The README's order: the policies as docs/model.md introduces them.
ORDER = ["pre_diffusion", "diffusion_rule", "anthropic", "nvidia", "rescission_deals",
         "tight_enforcement"]
COLUMNS = [("compute_ratio", 2027, "{:.1f}"), ("compute_ratio", 2030, "{:.1f}"),
           ("frontier_gap_years", 2027, "{:.2f}"), ("frontier_gap_years", 2030, "{:.2f}"),
           ("cn_smuggled", 2027, "{:.2f}")]
# Version 2's measures (docs/model.md section 9.10), 2030.
COLUMNS_V2 = [("us_controlled_ratio", 2030, "{:.1f}"), ("us_stack_share", 2030, "{:.3f}"),
              ("cn_self_sufficiency", 2030, "{:.2f}"), ("revenue", 2030, "{:.0f}")]


def cell(result, group, output, year, fmt):
    values = [result.quantile(group, output, level, year) for level in (0.5, 0.05, 0.95)]
    median, low, high = (fmt.format(v) for v in values)
    return f"{median} [{low}, {high}]"


def table(result, header, columns):
    """A Markdown table: the header, then a row per policy of the columns' cells."""
    print(header)
    print("|---" * (len(columns) + 1) + "|")
    for policy in ORDER:
        group = result.policy(policy)
        print(f"| {policy} | " + " | ".join(cell(result, group, o, y, f) for o, y, f in columns)
              + " |")


# What calibration changes: prior and posterior side by side, 2030.
CALIBRATED = [("compute_ratio", 2030, "{:.1f}"), ("frontier_gap_years", 2030, "{:.2f}")]


def weighted_cell(result, group, output, year, fmt):
    values = [result.quantile(group, output, level, year, posterior=True)
              for level in (0.5, 0.05, 0.95)]
    median, low, high = (fmt.format(v) for v in values)
    return f"{median} [{low}, {high}]"


def calibration(result):
    """Prior against posterior of the headline comparison, and how much of the sample the
    weights kept."""
    d = result.calibration_diagnostics()
    targets = result.calibration_targets()
    print(f"Calibrated on {len(targets)} observations of 2025 "
          f"({', '.join(t.name for t in targets)}): effective sample size {d.ess:,.0f} of "
          f"{result.n_samples:,} futures ({d.ess_fraction:.1%})")
    print()
    print("| policy | US ÷ China compute 2030, prior | posterior | frontier gap 2030 (years), "
          "prior | posterior |")
    print("|---" * (2 * len(CALIBRATED) + 1) + "|")
    for policy in ORDER:
        group = result.policy(policy)
        print(f"| {policy} | " + " | ".join(
            f"{cell(result, group, o, y, f)} | {weighted_cell(result, group, o, y, f)}"
            for o, y, f in CALIBRATED) + " |")
    print()
    for policy in ("anthropic", "nvidia"):
        group = result.contrast(policy)
        print(f"- {policy} vs {result.reference}, compute ratio 2030: prior "
              f"{cell(result, group, 'compute_ratio', 2030, '{:.1f}')}, posterior "
              f"{weighted_cell(result, group, 'compute_ratio', 2030, '{:.1f}')}")


def main(path, calibrated=None):
    with Result(path) as result:
        table(result, "| policy | US ÷ China compute, 2027 | 2030 | frontier gap 2027 (years) "
                      "| 2030 | smuggled 2027 (M H100e) |", COLUMNS)
        print()
        table(result, "| policy | US-controlled ÷ China compute, 2030 | US-stack share 2030 "
                      "| China's self-sufficiency 2030 | US designers' revenue 2030 (B$) |",
              COLUMNS_V2)
        for policy in ("anthropic", "nvidia"):
            group = result.contrast(policy)
            print(f"{policy} vs {result.reference}: compute ratio 2027 "
                  f"{cell(result, group, 'compute_ratio', 2027, '{:.1f}')}, frontier gap 2027 "
                  f"{cell(result, group, 'frontier_gap_years', 2027, '{:.2f}')}")
        # The check against 2025 evidence (docs/evidence.md), under the path actually taken.
        group = result.policy("rescission_deals")
        print(f"rescission_deals 2025: China's stock "
              f"{cell(result, group, 'cn_stock', 2025, '{:.2f}')} M H100e, smuggling "
              f"{cell(result, group, 'cn_smuggled', 2025, '{:.2f}')} M H100e")
    if calibrated:
        print()
        with Result(calibrated) as result:
            calibration(result)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except ResultFileError as e:
        sys.exit(f"readme_findings: {e}")
