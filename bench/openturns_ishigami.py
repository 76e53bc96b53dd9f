#!/usr/bin/python3
"""Sobol' indices of the Ishigami function: chiprace side by side with OpenTURNS (issue #6).

The same computation in both tools: Ishigami (a = 7, b = 0.1, X1..X3 ~ U(-pi, pi)), a
pick-freeze design of N base points (matrices A, B and A_B^k, k = 1..3: N (d + 2) = 5 N model
evaluations, no second order), first-order indices S1 and total indices ST, compared with the
analytic values.

  OpenTURNS (Debian's python3-openturns, 1.20), single thread (ot.TBB.SetThreadsNumber(1)):
    * design  ot.SobolIndicesExperiment(distribution, N, False).generate()  (N (d + 2) rows:
              A, B, then the E^k = A with column k from B), Monte Carlo base (the default
              'SobolIndicesExperiment-SamplingMethod'), seeded with ot.RandomGenerator.SetSeed;
    * model   the Ishigami function vectorised with numpy on that design (or, with
              --model symbolic, an ot.SymbolicFunction);
    * indices S1 from ot.SaltelliSensitivityAlgorithm, ST from ot.JansenSensitivityAlgorithm;
    * timed:  design + evaluation + indices (perf_counter), the index computation alone, and
              separately the bootstrap intervals (setBootstrapSize(B), the 95 % intervals of
              S1 from the Saltelli object and of ST from the Jansen object).
    Extra rows computed from the same OpenTURNS MC run: S1 by
    ot.MauntzKucherenkoSensitivityAlgorithm, whose first-order estimator
    mean g(B)(g(E^k) - g(A)) / V is the one chiprace uses (Saltelli et al. 2010, table 2 b);
    OpenTURNS' "Saltelli" class implements the Saltelli 2002 form instead.  And an OpenTURNS
    QMC row ('SobolIndicesExperiment-SamplingMethod' = 'QMC': an unrandomised 2d-dimensional
    Sobol' sequence, so every repeat gives the same numbers).

  chiprace, 1 rank (no mpiexec), OMP_NUM_THREADS=1:
      chiprace run experiments/ishigami.toml --set experiment.design=saltelli
          --set design.base=mc|sobol --set output.store=summary --set experiment.seed=SEED
          --samples N -o WORKDIR/ot-bench-SEED.h5 --force
    then /sensitivity/y/{S1,ST,S1_low,S1_high,ST_low,ST_high} are read with h5py.  Timed: the
    process wall time, and chiprace's own figure from its stderr line
    "chiprace: wrote ... in S s (...)".  Both include chiprace's 100 bootstrap replicates
    (Poisson bootstrap), the output summaries and the HDF5 write; the wall time also includes
    process start-up (MPI initialisation) and exit, which `chiprace --version` alone measures
    (reported too).  A third chiprace row, base = mc with --set sensitivity.bootstrap=0, gives
    the time without the bootstrap (its intervals are then not reported).

Accuracy: per run the largest absolute error over the 6 indices (S1_1..3, ST_1..3) against
the analytic values; over the repeats the median of that, and the RMSE over all repeats and all
6 indices, sqrt(mean_{r,i} err_{r,i}^2).

Output: a Markdown table on stdout, progress and one line per run on stderr.

  /usr/bin/python3 bench/openturns_ishigami.py [--n 16384] [--repeats 5] [--seed 1]
      [--bootstrap 100] [--chiprace /tmp/chiprace-ot] [--config experiments/ishigami.toml]
      [--workdir /tmp] [--model numpy|symbolic] [--no-ot-qmc] [--no-chiprace-sobol]
      [--no-chiprace-noboot]

Benchmark a private copy of the binary (cp build/release/chiprace /tmp/chiprace-ot) so that a
rebuild during the run cannot change it.  Exit status 2 on a missing package, binary or file;
1 if a chiprace run fails.
"""

import os

# Single thread for numpy's BLAS (not used much here) and for chiprace's OpenMP, set before
# numpy is imported; OpenTURNS' TBB pool is set to 1 thread below.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

_MISSING = []
try:
    import numpy as np  # noqa: E402
except ImportError:
    _MISSING.append(("numpy", "python3-numpy"))
try:
    import h5py  # noqa: E402
except ImportError:
    _MISSING.append(("h5py", "python3-h5py"))
try:
    import openturns as ot  # noqa: E402
except ImportError:
    _MISSING.append(("openturns", "python3-openturns"))
if _MISSING:
    for mod, pkg in _MISSING:
        print(f"openturns_ishigami: cannot import {mod}: install Debian's {pkg} "
              f"(apt-get install -y {pkg}) and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)

A_ISHIGAMI = 7.0
B_ISHIGAMI = 0.1
D = 3
HERE = os.path.dirname(os.path.abspath(__file__))


def analytic_indices(a=A_ISHIGAMI, b=B_ISHIGAMI):
    """First-order and total Sobol' indices of Ishigami with X_i ~ U(-pi, pi)."""
    pi4, pi8 = math.pi ** 4, math.pi ** 8
    v1 = 0.5 * (1.0 + b * pi4 / 5.0) ** 2
    v2 = a * a / 8.0
    v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0)
    v = v1 + v2 + v13
    return np.array([v1 / v, v2 / v, 0.0]), np.array([(v1 + v13) / v, v2 / v, v13 / v])


S1_TRUE, ST_TRUE = analytic_indices()
# The values quoted in the issue, as a guard against a typo in the formulas above.
assert np.allclose(S1_TRUE, [0.313905, 0.442411, 0.0], atol=1e-6)
assert np.allclose(ST_TRUE, [0.557589, 0.442411, 0.243684], atol=1e-6)


def ishigami_numpy(x):
    s1 = np.sin(x[:, 0])
    return s1 + A_ISHIGAMI * np.sin(x[:, 1]) ** 2 + B_ISHIGAMI * x[:, 2] ** 4 * s1


def ishigami_symbolic():
    return ot.SymbolicFunction(
        ["x1", "x2", "x3"],
        [f"sin(x1) + {A_ISHIGAMI} * sin(x2)^2 + {B_ISHIGAMI} * x3^4 * sin(x1)"])


def distribution():
    return ot.ComposedDistribution([ot.Uniform(-math.pi, math.pi)] * D)


def half_widths(interval):
    lo = np.array(interval.getLowerBound())
    hi = np.array(interval.getUpperBound())
    return (hi - lo) / 2.0


def run_openturns(n, seed, sampling, model, bootstrap):
    """One OpenTURNS run; returns a dict of estimates and timings (seconds)."""
    ot.ResourceMap.SetAsString("SobolIndicesExperiment-SamplingMethod", sampling)
    ot.RandomGenerator.SetSeed(seed)
    dist = distribution()
    t0 = time.perf_counter()
    design = ot.SobolIndicesExperiment(dist, n, False).generate()
    t1 = time.perf_counter()
    if model == "numpy":
        outputs = ot.Sample(ishigami_numpy(np.asarray(design))[:, None])
    else:
        outputs = ishigami_symbolic()(design)
    t2 = time.perf_counter()
    saltelli = ot.SaltelliSensitivityAlgorithm(design, outputs, n)
    s1 = np.array(saltelli.getFirstOrderIndices())
    t_s1 = time.perf_counter()
    jansen = ot.JansenSensitivityAlgorithm(design, outputs, n)
    st = np.array(jansen.getTotalOrderIndices())
    t3 = time.perf_counter()
    evaluations = design.getSize()
    if evaluations != n * (D + 2):
        raise RuntimeError(f"OpenTURNS design has {evaluations} rows, expected N (d + 2) = "
                           f"{n * (D + 2)}")
    res = {"evaluations": evaluations, "s1": s1, "st": st,
           "t_total": t3 - t0, "t_design": t1 - t0, "t_model": t2 - t1, "t_indices": t3 - t2}
    # Same design and outputs: the first-order estimator chiprace uses.
    t4 = time.perf_counter()
    mk = ot.MauntzKucherenkoSensitivityAlgorithm(design, outputs, n)
    res["s1_mk"] = np.array(mk.getFirstOrderIndices())
    res["t_indices_mk"] = (time.perf_counter() - t4) + (t3 - t_s1)  # MK S1 + Jansen ST
    if bootstrap > 0:
        t5 = time.perf_counter()
        saltelli.setUseAsymptoticDistribution(False)
        jansen.setUseAsymptoticDistribution(False)
        saltelli.setBootstrapSize(bootstrap)
        jansen.setBootstrapSize(bootstrap)
        hw_s1 = half_widths(saltelli.getFirstOrderIndicesInterval())
        hw_st = half_widths(jansen.getTotalOrderIndicesInterval())
        res["t_bootstrap"] = time.perf_counter() - t5
        res["halfwidth"] = np.concatenate([hw_s1, hw_st])
    return res


WROTE_RE = re.compile(r"chiprace: wrote .* in ([0-9.eE+-]+) s \(")
RUNS_RE = re.compile(r"\(\w+, (\d+) runs, design saltelli\)")


def run_chiprace(binary, config, n, seed, base, workdir, bootstrap=None):
    out = os.path.join(workdir, f"ot-bench-{seed}.h5")
    cmd = [binary, "run", config,
           "--set", "experiment.design=saltelli",
           "--set", f"design.base={base}",
           "--set", "output.store=summary",
           "--set", f"experiment.seed={seed}",
           "--samples", str(n), "-o", out, "--force"]
    if bootstrap is not None:
        cmd[3:3] = ["--set", f"sensitivity.bootstrap={bootstrap}"]
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(f"openturns_ishigami: chiprace failed (exit {proc.returncode}): {' '.join(cmd)}\n"
              f"{proc.stderr}", file=sys.stderr)
        sys.exit(1)
    m = WROTE_RE.search(proc.stderr)
    tool = float(m.group(1)) if m else float("nan")
    m = RUNS_RE.search(proc.stderr)
    evaluations = int(m.group(1)) if m else -1
    with h5py.File(out, "r") as f:
        g = f["/sensitivity/y"]
        s1 = np.array(g["S1"][()], dtype=float)
        st = np.array(g["ST"][()], dtype=float)
        replicates = int(g.attrs.get("bootstrap_replicates", -1))
        hw = (np.concatenate([(g["S1_high"][()] - g["S1_low"][()]) / 2.0,
                              (g["ST_high"][()] - g["ST_low"][()]) / 2.0])
              if replicates > 0 and "S1_high" in g else None)
        n_base = int(g["n_base"][()])
    os.remove(out)
    if n_base != n:
        raise RuntimeError(f"chiprace used {n_base} base points, expected {n}")
    res = {"evaluations": evaluations, "s1": s1, "st": st, "t_total": wall, "t_tool": tool,
           "replicates": replicates}
    if hw is not None:
        res["halfwidth"] = hw
    return res


def chiprace_startup(binary, times=3):
    """Median wall time of `chiprace --version`: process start-up (incl. MPI init) and exit."""
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    walls = []
    for _ in range(times):
        t0 = time.perf_counter()
        subprocess.run([binary, "--version"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def errors(s1, st):
    return np.concatenate([s1 - S1_TRUE, st - ST_TRUE])


def fmt_time(s):
    if not math.isfinite(s):
        return "n/a"
    return f"{s * 1e3:.1f} ms" if s < 1.0 else f"{s:.2f} s"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1 << 14, help="base points N (default 2^14)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=1, help="first seed; repeat r uses seed + r")
    p.add_argument("--bootstrap", type=int, default=100,
                   help="OpenTURNS bootstrap size for the intervals (0: none)")
    p.add_argument("--chiprace", default="/tmp/chiprace-ot",
                   help="chiprace binary (a private copy of build/release/chiprace)")
    p.add_argument("--config", default=os.path.join(HERE, "..", "experiments", "ishigami.toml"))
    p.add_argument("--workdir", default="/tmp")
    p.add_argument("--model", choices=("numpy", "symbolic"), default="numpy",
                   help="evaluate Ishigami with numpy (default) or an ot.SymbolicFunction")
    p.add_argument("--no-ot-qmc", action="store_true", help="skip the OpenTURNS QMC row")
    p.add_argument("--no-chiprace-sobol", action="store_true",
                   help="skip the chiprace row with the scrambled Sobol' base")
    p.add_argument("--no-chiprace-noboot", action="store_true",
                   help="skip the chiprace row without bootstrap (sensitivity.bootstrap = 0)")
    args = p.parse_args()

    if not (os.path.isfile(args.chiprace) and os.access(args.chiprace, os.X_OK)):
        print(f"openturns_ishigami: no executable {args.chiprace}; copy the built binary first, "
              f"e.g. cp build/release/chiprace {args.chiprace}", file=sys.stderr)
        sys.exit(2)
    if not os.path.isfile(args.config):
        print(f"openturns_ishigami: no config {args.config}", file=sys.stderr)
        sys.exit(2)
    config = os.path.abspath(args.config)
    ot.TBB.SetThreadsNumber(1)

    methods = [("ot_mc", "OpenTURNS 1.20, MC: S1 Saltelli, ST Jansen")]
    if not args.no_ot_qmc:
        methods.append(("ot_qmc", "OpenTURNS 1.20, QMC (unrandomised Sobol'): S1 Saltelli, "
                                  "ST Jansen"))
    methods.append(("cr_mc", "chiprace, base = mc"))
    if not args.no_chiprace_noboot:
        methods.append(("cr_mc_noboot", "chiprace, base = mc, sensitivity.bootstrap = 0"))
    if not args.no_chiprace_sobol:
        methods.append(("cr_sobol", "chiprace, base = sobol (scrambled)"))
    results = {k: [] for k, _ in methods}
    results["ot_mc_mk"] = []

    print(f"openturns_ishigami: OpenTURNS {ot.__version__}, numpy {np.__version__}, "
          f"h5py {h5py.__version__}; N = {args.n}, {args.repeats} repeats, "
          f"model via {args.model}, chiprace {args.chiprace}", file=sys.stderr)
    # Untimed warm-up: OpenTURNS' first call, the binary into the page cache.
    run_openturns(256, 12345, "MonteCarlo", args.model, min(args.bootstrap, 10))
    run_chiprace(args.chiprace, config, 256, 12345, "mc", args.workdir)
    startup = chiprace_startup(args.chiprace)
    print(f"  chiprace --version (start-up and exit only): {fmt_time(startup)} wall, median of 3",
          file=sys.stderr)

    for r in range(args.repeats):
        seed = args.seed + r
        for key, _ in methods:
            if key == "ot_mc":
                res = run_openturns(args.n, seed, "MonteCarlo", args.model, args.bootstrap)
                mk = {**res, "s1": res["s1_mk"], "t_indices": res["t_indices_mk"]}
                mk.pop("halfwidth", None)  # the intervals are the Saltelli object's
                results["ot_mc_mk"].append(mk)
            elif key == "ot_qmc":
                res = run_openturns(args.n, seed, "QMC", args.model, args.bootstrap)
            elif key == "cr_mc":
                res = run_chiprace(args.chiprace, config, args.n, seed, "mc", args.workdir)
            elif key == "cr_mc_noboot":
                res = run_chiprace(args.chiprace, config, args.n, seed, "mc", args.workdir,
                                   bootstrap=0)
            else:
                res = run_chiprace(args.chiprace, config, args.n, seed, "sobol", args.workdir)
            results[key].append(res)
            err = errors(res["s1"], res["st"])
            detail = (f"tool-reported {fmt_time(res['t_tool'])}" if "t_tool" in res else
                      f"design {fmt_time(res['t_design'])}, model {fmt_time(res['t_model'])}, "
                      f"indices {fmt_time(res['t_indices'])}, "
                      f"bootstrap({args.bootstrap}) {fmt_time(res.get('t_bootstrap', math.nan))}")
            print(f"  seed {seed} {key:8s} {res['evaluations']} evals, "
                  f"{fmt_time(res['t_total'])} ({detail}); "
                  f"S1 = {np.array2string(res['s1'], precision=5)}, "
                  f"ST = {np.array2string(res['st'], precision=5)}, "
                  f"max |err| = {np.max(np.abs(err)):.2e}", file=sys.stderr)
            if key == "ot_mc":
                err_mk = errors(res["s1_mk"], res["st"])
                print(f"  seed {seed} ot_mc_mk  (same run) S1 Mauntz-Kucherenko = "
                      f"{np.array2string(res['s1_mk'], precision=5)}, "
                      f"max |err| = {np.max(np.abs(err_mk)):.2e}", file=sys.stderr)

    rows = []
    order = []
    for key, label in methods:
        order.append((key, label))
        if key == "ot_mc":
            order.append(("ot_mc_mk", "OpenTURNS 1.20, MC, same runs: S1 Mauntz-Kucherenko "
                                      "(chiprace's S1 formula), ST Jansen"))
    for key, label in order:
        runs = results[key]
        errs = np.array([errors(x["s1"], x["st"]) for x in runs])
        max_err = statistics.median(np.max(np.abs(errs), axis=1))
        rmse = float(np.sqrt(np.mean(errs ** 2)))
        hw1 = [float(np.mean(x["halfwidth"][:D])) for x in runs if "halfwidth" in x]
        hwt = [float(np.mean(x["halfwidth"][D:])) for x in runs if "halfwidth" in x]
        hw_s = (f"{statistics.median(hw1):.4f} / {statistics.median(hwt):.4f}" if hw1 else
                "n/a")
        if key.startswith("cr_"):
            t = fmt_time(statistics.median(x["t_total"] for x in runs))
            boot = (f"incl. {runs[0]['replicates']} bootstrap replicates," if
                    runs[0]["replicates"] > 0 else "no bootstrap; incl.")
            detail = (f"self-reported {fmt_time(statistics.median(x['t_tool'] for x in runs))}"
                      f" ({boot} summaries, HDF5 write); start-up alone (`--version`) "
                      f"{fmt_time(startup)}")
        elif key == "ot_mc_mk":
            t = "(same runs)"
            detail = f"indices alone {fmt_time(statistics.median(x['t_indices'] for x in runs))}"
        else:
            t = fmt_time(statistics.median(x["t_total"] for x in runs))
            detail = (f"indices alone {fmt_time(statistics.median(x['t_indices'] for x in runs))}"
                      f"; + bootstrap CIs ({args.bootstrap}): "
                      f"{fmt_time(statistics.median(x.get('t_bootstrap', math.nan) for x in runs))}"
                      f" extra")
        rows.append((label, runs[0]["evaluations"], t, detail, max_err, rmse, hw_s))

    print(f"\nN = {args.n} base points, {args.repeats} repeats (seeds {args.seed}.."
          f"{args.seed + args.repeats - 1}), single thread\n")
    print("| method | N | evaluations | time per run (median) | time detail (median) "
          "| max abs error (median) | RMSE | 95% CI half-width, mean over S1 / over ST (median) |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for label, evals, t, detail, max_err, rmse, hw_s in rows:
        print(f"| {label} | {args.n} | {evals} | {t} | {detail} | {max_err:.2e} | {rmse:.2e} "
              f"| {hw_s} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
