#!/usr/bin/python3
"""PRIM side by side: the EMA Workbench 2.5.3, the NumPy reference (tests/reference/
prim_reference.py) and, when the file has one, chiprace discover's /discovery/<name> group,
on the same data and settings, step by step.

EMA is extracted from its bare git mirror into a temporary directory at run time
(bench/ema_extract.py says how, step by step); nothing of it enters this repository.

Cases:
  synthetic   N rows of D uniform inputs (seeded), two of them on a grid of 10 values (ties,
              like chiprace's grid inputs); the case of interest is a box of mass 1/80
              (x0 < 0.25, x1 > 0.75, grid input x8 <= 0.1) with 10 % of its rows and 0.2 %
              of the others flipped (noise)
  h5          a raw chiprace result file: inputs = its /inputs/* datasets that are not
              constant, case = /policies/<policy>/outputs/<output>[:, column of <year> in
              /time] <op> <threshold>

  bench/prim_side_by_side.py synthetic --rows 100000 --mass-min 0.005
  bench/prim_side_by_side.py h5 FILE.h5 --policy anthropic --output frontier_gap_years \\
      --year 2030 --op '<' --threshold 1 [--discovery NAME [--discovery-file F]]
      [--save-npz case.npz]
  --write-discovery OUT.h5 [--name N] writes the reference's trajectory in discover's
  /discovery/<name> layout (analysis/fig_prim.py draws it);
  --no-ema skips EMA (timing of the reference alone); --repeat-rows K tiles the rows K times
  with a tiny seeded perturbation of each copy (bench/README.md, timing at 10^6 rows).
Exit status 1 when EMA and the reference disagree (box limits not identical, or coverage,
density or mass more than 1e-12 apart at some step, or a different number of steps, or a
quasi-p-value of the final box more than 1e-8 apart relatively).
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))
sys.path.insert(0, HERE)

import prim_reference  # noqa: E402

TOLERANCE = 1e-12


def synthetic_case(rows, dims, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((rows, dims))
    grid_dims = [d for d in (8, 9) if d < dims]
    for d in grid_dims:
        x[:, d] = np.floor(x[:, d] * 10) / 10
    inside = (x[:, 0] < 0.25) & (x[:, 1] > 0.75)
    if 8 < dims:
        inside &= x[:, 8] <= 0.1
    flip = np.where(inside, rng.random(rows) < 0.10, rng.random(rows) < 0.002)
    y = inside ^ flip
    names = [f"x{d}" for d in range(dims)]
    return x, y, names


def h5_case(path, policy, output, year, op, threshold):
    import h5py

    with h5py.File(path, "r") as f:
        names = []
        columns = []
        for name in sorted(f["inputs"].keys()):
            column = f["inputs"][name][...]
            if column.ndim != 1:
                continue
            if column.min() == column.max():
                continue
            names.append(name)
            columns.append(column.astype(np.float64))
        years = list(f["time"][...])
        if year not in years:
            raise SystemExit(f"year {year} not in /time {years}")
        values = f[f"policies/{policy}/outputs/{output}"][:, years.index(year)]
    x = np.column_stack(columns)
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    y = ops[op](values, threshold)
    return x, y, names


def tile(x, y, times, seed):
    """K copies of the rows, each copy but the first moved by a relative 1e-9 seeded jitter so
    that the copies do not tie with each other (the jitter cannot change a case of interest,
    which is copied, only where the peels fall)."""
    if times <= 1:
        return x, y
    rng = np.random.default_rng(seed)
    parts = [x]
    for _ in range(times - 1):
        parts.append(x * (1 + 1e-9 * rng.standard_normal(x.shape)))
    return np.vstack(parts), np.tile(y, times)


def run_ema(x, y, names, peel_alpha, paste_alpha, mass_min):
    import pandas as pd
    import ema_extract

    prim_module, root = ema_extract.import_prim()
    frame = pd.DataFrame(x, columns=names)
    start = time.perf_counter()
    cpu = time.process_time()
    # threshold only decides which y count as cases of interest (y >= threshold) and whether
    # find_box returns the box or a "dump box" (mean below it): any value in (0, 1] gives the
    # same cases for a 0/1 y, a tiny one keeps the box whatever its final density.
    algorithm = prim_module.Prim(frame, y, threshold=1e-9, peel_alpha=peel_alpha,
                                 paste_alpha=paste_alpha, mass_min=mass_min)
    box = algorithm.find_box()
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    trajectory = box.peeling_trajectory
    steps = []
    for i in range(len(trajectory)):
        lims = box.box_lims[i]
        steps.append({
            "coverage": float(trajectory["coverage"][i]),
            "density": float(trajectory["density"][i]),
            "mass": float(trajectory["mass"][i]),
            "res_dim": int(trajectory["res_dim"][i]),
            "lower": [float(lims.loc[0, u]) for u in names],
            "upper": [float(lims.loc[1, u]) for u in names],
        })
    qp = {names.index(u): [float(v) for v in pair] for u, pair in box.qp[-1].items()}
    return steps, qp, seconds, root


def run_reference(x, y, peel_alpha, paste_alpha, mass_min):
    start = time.perf_counter()
    cpu = time.process_time()
    steps = prim_reference.prim(x, y, peel_alpha, paste_alpha, mass_min)
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    qp = prim_reference.quasi_p(x, y, steps[-1]["lower"], steps[-1]["upper"])
    return steps, qp, seconds


def discovery_inputs(path, name):
    """The inputs a /discovery/<name> group analysed, in its order (None when absent)."""
    import h5py

    with h5py.File(path, "r") as f:
        group = f.get(f"discovery/{name}")
        if group is None or "inputs" not in group.attrs:
            return None
        return [v.decode() if isinstance(v, bytes) else str(v) for v in group.attrs["inputs"]]


def read_discovery(path, name, names):
    """chiprace discover's trajectory from /discovery/<name> (None when absent), its limits in
    the order of `names` (by its attribute "inputs" when it has one; an input it did not
    analyse gets NaN limits, so the comparison says DIFFERENT; inputs it analysed beyond
    `names`, such as constant ones, are left out and listed)."""
    import h5py

    with h5py.File(path, "r") as f:
        group = f.get(f"discovery/{name}")
        if group is None:
            return None
        lower = np.atleast_2d(group["lower"][...])
        upper = np.atleast_2d(group["upper"][...])
        theirs = group.attrs.get("inputs")
        if theirs is not None:
            theirs = [v.decode() if isinstance(v, bytes) else str(v) for v in theirs]
            extra = [u for u in theirs if u not in names]
            if extra:
                print(f"(/discovery/{name} also analysed {', '.join(extra)}: left out here)")
            index = [theirs.index(u) if u in theirs else -1 for u in names]
            pad = np.full((lower.shape[0], 1), np.nan)
            lower = np.hstack([lower, pad])[:, index]
            upper = np.hstack([upper, pad])[:, index]
        steps = []
        for i in range(lower.shape[0]):
            steps.append({
                "coverage": float(group["coverage"][i]),
                "density": float(group["density"][i]),
                "mass": float(group["mass"][i]),
                "res_dim": int(group["res_dim"][i]),
                "lower": [float(v) for v in lower[i]],
                "upper": [float(v) for v in upper[i]],
            })
        return steps


def write_discovery(out, name, steps, qp, names, source, attributes):
    """The reference's trajectory in chiprace discover's /discovery/<name> layout, in a small
    file of its own whose root attributes are copied from the source result file (so that
    analysis/chiprace_results.py opens it): analysis/fig_prim.py can then draw it."""
    import h5py

    d = len(names)
    with h5py.File(out, "w") as f:
        if source:
            with h5py.File(source, "r") as s:
                for key, value in s.attrs.items():
                    f.attrs[key] = value
        g = f.create_group(f"discovery/{name}")
        g.attrs["inputs"] = np.array(names, dtype=h5py.string_dtype())
        g.attrs["chosen"] = len(steps) - 1
        g.attrs["peels"] = sum(1 for s in steps if s.get("phase") == "peel")
        g.attrs["pastes"] = sum(1 for s in steps if s.get("phase") == "paste")
        g.attrs["description"] = "NumPy reference PRIM (tests/reference/prim_reference.py)"
        for key, value in attributes.items():
            g.attrs[key] = value
        for key in ("coverage", "density", "mass", "mean"):
            g[key] = np.array([s[key] for s in steps])
        g["res_dim"] = np.array([s["res_dim"] for s in steps], dtype=np.uint64)
        g["lower"] = np.array([s["lower"] for s in steps])
        g["upper"] = np.array([s["upper"] for s in steps])
        box = g.create_group("box")
        box.attrs["step"] = len(steps) - 1
        box["lower"] = np.array([steps[-1]["lower"]])
        box["upper"] = np.array([steps[-1]["upper"]])
        box["initial_lower"] = np.array([steps[0]["lower"]])
        box["initial_upper"] = np.array([steps[0]["upper"]])
        qlo = np.full((1, d), np.nan)
        qhi = np.full((1, d), np.nan)
        for j, (a, b) in qp.items():
            qlo[0, j] = a if a >= 0 else np.nan
            qhi[0, j] = b if b >= 0 else np.nan
        box["quasi_p_lower"] = qlo
        box["quasi_p_upper"] = qhi


def move(steps, i, names):
    """The limit that changed between step i-1 and step i, as 'name side value'."""
    if i == 0:
        return "initial box"
    if i >= len(steps):
        return "-"
    a, b = steps[i - 1], steps[i]
    for side in ("lower", "upper"):
        for j, (u, v) in enumerate(zip(a[side], b[side])):
            if u != v:
                return f"{names[j]} {side[:2]} {v:.6g}"
    return "(no change)"


def compare(a, b):
    """(identical limits at every step, max |difference| of coverage/density/mass, of limits)"""
    if len(a) != len(b):
        return False, float("inf"), float("inf")
    stat = 0.0
    lims = 0.0
    same = True
    for s, t in zip(a, b):
        for key in ("coverage", "density", "mass"):
            stat = max(stat, abs(s[key] - t[key]))
        if s["res_dim"] != t["res_dim"]:
            same = False
        for side in ("lower", "upper"):
            if s[side] != t[side]:
                same = False
            lims = max(lims, max(abs(u - v) for u, v in zip(s[side], t[side])))
    return same, stat, lims


def print_table(columns, names):
    """columns: list of (label, steps)."""
    length = max(len(steps) for _, steps in columns)
    header = f"{'step':>4}"
    for label, _ in columns:
        header += f" | {label + ' coverage':>17} {'density':>9} {'mass':>8} {'res':>3} {'move':<32}"
    header += " | max|d stat| max|d lim|"
    print(header)
    base = columns[0][1]
    for i in range(length):
        line = f"{i:>4}"
        for _, steps in columns:
            if i < len(steps):
                s = steps[i]
                line += (f" | {s['coverage']:>17.12f} {s['density']:>9.6f} {s['mass']:>8.5f}"
                         f" {s['res_dim']:>3} {move(steps, i, names):<32}")
            else:
                line += f" | {'-':>17} {'-':>9} {'-':>8} {'-':>3} {'-':<32}"
        diffs_stat = []
        diffs_lim = []
        for _, steps in columns[1:]:
            if i < len(steps) and i < len(base):
                diffs_stat.append(max(abs(steps[i][k] - base[i][k])
                                      for k in ("coverage", "density", "mass")))
                diffs_lim.append(max(abs(u - v) for side in ("lower", "upper")
                                     for u, v in zip(steps[i][side], base[i][side])))
        if diffs_stat:
            line += f" | {max(diffs_stat):.1e}      {max(diffs_lim):.1e}"
        print(line)


def markdown_table(columns, names):
    """The step-by-step comparison as a Markdown table: each step once when all columns
    agree on it exactly, with the largest difference from the first column."""
    base_label, base = columns[0]
    labels = " = ".join(label for label, _ in columns)
    lines = [f"| step | coverage | density | mass | res_dim | limit moved ({labels}) | "
             f"max \\|Δ\\| coverage, density, mass | max \\|Δ\\| limits |",
             "|---:|---:|---:|---:|---:|---|---:|---:|"]
    length = max(len(steps) for _, steps in columns)
    for i in range(length):
        if i >= len(base):
            lines.append(f"| {i} | – | – | – | – | only in another column | – | – |")
            continue
        s = base[i]
        stat = 0.0
        lim = 0.0
        moves = {move(steps, i, names) for _, steps in columns}
        for _, steps in columns[1:]:
            if i >= len(steps):
                stat = lim = float("inf")
                continue
            stat = max(stat, max(abs(steps[i][k] - s[k]) for k in ("coverage", "density", "mass")))
            lim = max(lim, max(abs(u - v) for side in ("lower", "upper")
                               for u, v in zip(steps[i][side], s[side])))
        moved = " / ".join(sorted(moves)).replace("<", "&lt;")
        lines.append(f"| {i} | {s['coverage']:.12f} | {s['density']:.12f} | {s['mass']:.6f} | "
                     f"{s['res_dim']} | {moved} | {stat:.1e} | {lim:.1e} |")
    return "\n".join(lines) + "\n"


def print_box(steps, qp, names, label):
    last = steps[-1]
    first = steps[0]
    print(f"\n{label}: final box (step {len(steps) - 1}), coverage {last['coverage']:.4f}, "
          f"density {last['density']:.4f}, mass {last['mass']:.4f}")
    print(f"  {'input':<28} {'lower':>12} {'upper':>12}   {'range min':>12} {'range max':>12}"
          f"   qp_lower  qp_upper")
    for j, u in enumerate(names):
        if last["lower"][j] == first["lower"][j] and last["upper"][j] == first["upper"][j]:
            continue
        pair = qp.get(j, [-1, -1]) if qp else [-1, -1]
        print(f"  {u:<28} {last['lower'][j]:>12.6g} {last['upper'][j]:>12.6g}   "
              f"{first['lower'][j]:>12.6g} {first['upper'][j]:>12.6g}   "
              f"{pair[0]:>8.2g}  {pair[1]:>8.2g}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case", choices=["synthetic", "h5"])
    parser.add_argument("file", nargs="?", help="raw result file (case h5)")
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--dims", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--policy", default="anthropic")
    parser.add_argument("--output", default="frontier_gap_years")
    parser.add_argument("--year", type=int, default=2030)
    parser.add_argument("--op", default="<", choices=["<", "<=", ">", ">="])
    parser.add_argument("--threshold", type=float, default=1.0)
    parser.add_argument("--discovery", help="name of a /discovery/<name> group to add")
    parser.add_argument("--discovery-file", help="file holding it (default: FILE)")
    parser.add_argument("--peel-alpha", type=float, default=0.05)
    parser.add_argument("--paste-alpha", type=float, default=0.05)
    parser.add_argument("--mass-min", type=float, default=0.05)
    parser.add_argument("--repeat-rows", type=int, default=1)
    parser.add_argument("--markdown", metavar="FILE", help="write the step table as Markdown")
    parser.add_argument("--no-ema", action="store_true", help="skip EMA")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference (EMA's time and memory alone)")
    parser.add_argument("--save-npz", help="write the case's x and y (for prim_reference --npz)")
    parser.add_argument("--write-discovery", metavar="OUT.h5",
                        help="write the reference's trajectory in discover's /discovery layout")
    parser.add_argument("--name", default="reference", help="group name for --write-discovery")
    args = parser.parse_args(argv)

    if args.case == "synthetic":
        x, y, names = synthetic_case(args.rows, args.dims, args.seed)
        what = f"synthetic, {args.rows} rows x {args.dims} inputs, seed {args.seed}"
    else:
        if not args.file:
            parser.error("case h5 needs FILE")
        x, y, names = h5_case(args.file, args.policy, args.output, args.year, args.op,
                              args.threshold)
        what = (f"{args.file}: /policies/{args.policy}/outputs/{args.output}[{args.year}] "
                f"{args.op} {args.threshold}, {x.shape[0]} rows x {x.shape[1]} non-constant inputs")
    discovery_file = args.discovery_file or args.file
    if args.discovery and discovery_file:
        # EMA breaks exact ties between candidate peels by column order: give every engine
        # the columns in the order discover analysed them, or a tie may go another way.
        theirs = discovery_inputs(discovery_file, args.discovery)
        if theirs:
            order = [names.index(u) for u in theirs if u in names]
            order += [j for j in range(len(names)) if j not in order]
            x = x[:, order]
            names = [names[j] for j in order]
            what += ", inputs in /discovery's order"
    x, y = tile(x, y, args.repeat_rows, args.seed)
    if args.repeat_rows > 1:
        what += f", tiled x{args.repeat_rows} -> {x.shape[0]} rows"
    if args.save_npz:
        np.savez(args.save_npz, x=x, y=y, names=np.array(names))
    print(f"case: {what}; {int(y.sum())} cases of interest ({y.mean():.4f})")
    print(f"settings: peel_alpha {args.peel_alpha}, paste_alpha {args.paste_alpha}, "
          f"mass_min {args.mass_min}")

    if args.no_reference and args.no_ema:
        parser.error("--no-ema and --no-reference leave nothing to run")
    columns = []  # (label, steps, quasi-p of the last box, seconds)
    if not args.no_reference:
        ref_steps, ref_qp, ref_seconds = run_reference(x, y, args.peel_alpha, args.paste_alpha,
                                                       args.mass_min)
        if args.write_discovery:
            if args.case == "h5":
                case_text = f"{args.output}[{args.year}] {args.op} {args.threshold:g}"
            else:
                case_text = "the synthetic failure box"
            attributes = {"case": case_text, "peel_alpha": args.peel_alpha,
                          "paste_alpha": args.paste_alpha, "mass_min": args.mass_min}
            if args.case == "h5":
                attributes["policy"] = args.policy
            write_discovery(args.write_discovery, args.name, ref_steps, ref_qp, names,
                            args.file if args.case == "h5" else None, attributes)
    if not args.no_ema:
        ema_steps, ema_qp, ema_seconds, root = run_ema(x, y, names, args.peel_alpha,
                                                       args.paste_alpha, args.mass_min)
        print(f"EMA Workbench 2.5.3 extracted to {root}")
        columns.append(("EMA", ema_steps, ema_qp, ema_seconds))
    if not args.no_reference:
        columns.append(("reference", ref_steps, ref_qp, ref_seconds))
    if args.discovery and discovery_file:
        discovered = read_discovery(discovery_file, args.discovery, names)
        if discovered is None:
            print(f"(no /discovery/{args.discovery} in {discovery_file})")
        else:
            columns.append(("discover", discovered, None, None))
    print()
    print_table([(label, steps) for label, steps, _, _ in columns], names)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown_table([(label, steps) for label, steps, _, _ in columns], names))
    print()
    ok = True
    base_label, base_steps, base_qp, _ = columns[0]
    for label, steps, qp, _ in columns[1:]:
        same, stat, lims = compare(base_steps, steps)
        agree = same and stat <= TOLERANCE
        text = (f"{base_label} vs {label}: {len(base_steps)} vs {len(steps)} steps, limits "
                f"{'identical' if same else 'DIFFERENT'} (max |d| {lims:.3g}), max |d| "
                f"coverage/density/mass {stat:.3g}")
        if qp is not None and base_qp is not None:
            # Relative: the reference sums the binomial tail itself (no scipy), to about 1e-12
            # relative at 10^5 rows and 1e-9 at 10^6 (prim_reference.binomial_upper_tail).
            qp_diff = max((abs(a - b) / max(abs(a), 1e-300) for j in set(base_qp) | set(qp)
                           for a, b in zip(base_qp.get(j, [9, 9]), qp.get(j, [-9, -9]))),
                          default=0.0)
            agree = agree and qp_diff <= 1e-8
            text += f", max relative |d| quasi-p of the final box {qp_diff:.3g}"
        print(f"{text} -> {'AGREE' if agree else 'DISAGREE'}")
        if label == "reference" or base_label == "reference":
            ok = ok and agree
    print()
    print("time (s, one thread, PRIM only; EMA's includes its quasi-p at every step, as it "
          "always computes them; wall clock and this process's CPU time, which is the one to "
          "compare on a busy machine):")
    for label, steps, qp, seconds in columns:
        if seconds is not None:
            what = {"EMA": "EMA Workbench 2.5.3 Prim(...).find_box()",
                    "reference": "NumPy reference prim()"}[label]
            print(f"  {what + ':':<42} wall {seconds[0]:.2f}  cpu {seconds[1]:.2f}")
    for label, steps, qp, _ in columns:
        print_box(steps, qp, names, label)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
