"""Read chiprace result files (format 1.x) with h5py and numpy only.

    from chiprace_results import open_result

    with open_result("results/policy_comparison.h5") as r:
        r.policies                                   # ['anthropic', 'diffusion_rule', ...]
        r.years                                      # array([2025, ..., 2035])
        r.quantile(r.policy("anthropic"), "compute_ratio", 0.5, year=2030)
        r.summary(r.contrast("anthropic", "diffusion_rule"), "frontier_gap_years").quantiles

A *group* is where one set of results sits: "" (the root, for models without policies),
"policies/<name>" or "contrasts/<a>_vs_<b>"; `policy()` and `contrast()` build them. The layout
is documented in docs/file-format.md; this module follows that page and refuses files it was
not written for, rather than guessing.
"""

import json
import math
from dataclasses import dataclass, field

import h5py
import numpy as np

FORMAT_NAME = "chiprace"
SUPPORTED_MAJOR = 1

# Stored quantile levels come from decimal text in the experiment file; a caller asking for
# 0.05 must find the double the TOML parser made of "0.05", nothing looser.
_LEVEL_TOLERANCE = 1e-12


class ResultFileError(Exception):
    """The file is not a chiprace result this module can read (wrong format, major version,
    incomplete run), or it lacks what was asked for."""


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.bytes_):
        return bytes(value).decode("utf-8")
    return value


def _plain(value):
    value = _text(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class Event:
    """One event of an output in one group: P(value <comparison> threshold) over every sample
    run (NaN never meets it), with its 95% Wilson interval [low, high]; arrays of T values for a
    per-year output, else 0-d."""
    name: str
    comparison: str
    threshold: float
    n_samples: int
    count: np.ndarray
    probability: np.ndarray
    low: np.ndarray
    high: np.ndarray
    years: np.ndarray = None


@dataclass
class Robustness:
    """One objective of /robustness (docs/file-format.md, "Robustness"): the P policies of
    `policies` compared future by future on `output` (in `year`, None for a scalar output).
    Per-policy arrays are (P) in the order of `policies`; `regret_quantiles` is (P, Q) at
    `levels`; satisficing arrays are (K, P) with the thresholds (K) on axis 0 (K = 0 without
    thresholds); dominance arrays are (P, P), [a, b] about a being strictly better than b.
    Shares are counts / `n_samples` with Wilson intervals [low, high] at `confidence_level`."""
    name: str
    output: str
    year: object               # int, or None for a scalar output
    better: str                # "higher" or "lower"
    units: str
    n_samples: int
    confidence_level: float
    policies: list
    levels: np.ndarray
    regret_mean: np.ndarray
    regret_std: np.ndarray
    regret_min: np.ndarray
    regret_max: np.ndarray
    regret_quantiles: np.ndarray
    regret_n_finite: np.ndarray
    regret_n_non_finite: np.ndarray
    mean_regret_rank: np.ndarray
    minimax_regret_rank: np.ndarray
    thresholds: np.ndarray
    satisficing_count: np.ndarray
    satisficing_share: np.ndarray
    satisficing_low: np.ndarray
    satisficing_high: np.ndarray
    dominance_count: np.ndarray
    dominance_share: np.ndarray
    dominance_low: np.ndarray
    dominance_high: np.ndarray
    best_count: np.ndarray
    best_share: np.ndarray
    best_low: np.ndarray
    best_high: np.ndarray

    def index(self, policy):
        """Position of `policy` on the policy axes."""
        try:
            return self.policies.index(policy)
        except ValueError:
            raise ResultFileError(
                f"objective {self.name!r} compares no policy {policy!r} "
                f"(policies: {', '.join(self.policies)})") from None

    def threshold_index(self, threshold):
        matches = np.flatnonzero(self.thresholds == threshold)
        if matches.size != 1:
            raise ResultFileError(
                f"objective {self.name!r} has no threshold {threshold!r} (thresholds: "
                f"{', '.join(repr(float(x)) for x in self.thresholds) or 'none'})")
        return int(matches[0])


@dataclass
class Summary:
    """One output's streaming summaries in one group. Per-year arrays have the year on axis 0;
    `quantiles` is (Q) or (T, Q) with the levels in `levels`."""
    output: str
    group: str
    units: str
    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    max: np.ndarray
    quantiles: np.ndarray
    n_finite: np.ndarray
    n_non_finite: np.ndarray
    levels: np.ndarray
    years: object            # np.ndarray for a series, None for a scalar output
    relative_error_bound: float


@dataclass
class CalibrationTarget:
    """One [[calibration.targets]] entry as recorded in /calibration: what was observed of
    `output` (in `year`, None for a scalar output) under `policy` ("" for a model without
    policies), as a `observation` ("normal", "lognormal" or "interval") with `parameters`
    (normal: mean, sd; lognormal: p05, p95; interval: low, high, tolerance), and the
    effective sample size of this target's weights alone (`ess`)."""
    name: str
    output: str
    policy: str
    year: object               # int, or None for a scalar output
    observation: str
    parameters: tuple
    source: str
    ess: float


@dataclass
class CalibrationDiagnostics:
    """/calibration/diagnostics and the attributes of /calibration: how much the weights kept.
    `ess` is Kish's effective sample size (sum w)^2 / sum w^2, `ess_fraction` = ess / N;
    `posterior_written` is False when on_low_ess = "error" refused a posterior."""
    ess: float
    ess_fraction: float
    sum_weights: float
    sum_weights_squared: float
    max_weight: float
    n_positive: int
    posterior_written: bool
    min_ess: float
    on_low_ess: str
    weight_resolution: float

    @property
    def low_ess(self):
        """True when the ESS is below min_ess (the run warned, or refused the posterior)."""
        return not self.ess >= self.min_ess


@dataclass
class InputSummary:
    """The prior (unweighted) or posterior (weighted) summary of one sampled input, from
    /calibration/inputs/{prior,posterior}/<parameter>; `quantiles` at `levels`."""
    parameter: str
    mean: float
    std: float
    min: float
    max: float
    quantiles: np.ndarray
    n_finite: int
    n_non_finite: int
    levels: np.ndarray


@dataclass
class Sensitivity:
    """Sobol' or Morris results of one output in one group: `data[name]` has the parameter on
    axis 0 and, for a per-year output, the analysed year (`years`) on axis 1."""
    output: str
    group: str
    method: str                # "sobol" or "morris"
    confidence_level: float
    bootstrap_replicates: int
    parameters: list
    years: object              # np.ndarray of analysed years, or None for a scalar output
    data: dict = field(default_factory=dict)
    path: str = ""

    def at_year(self, year):
        """The datasets for one analysed year (all of them for a scalar output)."""
        if self.years is None:
            return dict(self.data)
        matches = np.flatnonzero(self.years == year)
        if matches.size != 1:
            raise ResultFileError(
                f"{self.path}: sensitivity of {self.output!r} in {self.group or '/'} has no year {year} "
                f"(analysed years: {', '.join(str(y) for y in self.years)})")
        t = int(matches[0])
        # The analysed year is the last axis of every per-year dataset: (T'), (d, T'), (d, d, T').
        return {name: values[..., t] for name, values in self.data.items()}


class Result:
    """An open, checked chiprace result file. Use `open_result(path)`; close it, or use it as a
    context manager."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self._file = h5py.File(self.path, "r")
        except OSError as err:
            raise ResultFileError(f"{self.path}: cannot open as HDF5 ({err})") from None
        try:
            self._check()
        except Exception:
            self._file.close()
            raise
        self._config_resolved = None

    # ---- opening and checking -----------------------------------------------------------------

    def _check(self):
        attrs = self._file.attrs
        name = _text(attrs.get("format", None))
        if name != FORMAT_NAME:
            raise ResultFileError(
                f"{self.path}: not a chiprace result file (root attribute 'format' is "
                f"{name!r}, expected {FORMAT_NAME!r})")
        if "format_version" not in attrs:
            raise ResultFileError(f"{self.path}: chiprace file without 'format_version'")
        major = int(attrs["format_version"])
        minor = int(attrs.get("format_version_minor", 0))
        if major != SUPPORTED_MAJOR:
            raise ResultFileError(
                f"{self.path}: format version {major}.{minor}, but this reader "
                f"(analysis/chiprace_results.py) reads version {SUPPORTED_MAJOR}.x only")
        if "completed_utc" not in attrs:
            raise ResultFileError(
                f"{self.path}: incomplete result file (the run that wrote it did not finish)")
        self.format_version = (major, minor)

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def h5(self):
        """The underlying h5py.File, for anything this module does not cover."""
        return self._file

    # ---- provenance ----------------------------------------------------------------------------

    @property
    def attrs(self):
        """Root attributes as Python values (strings decoded)."""
        return {k: _plain(v) for k, v in self._file.attrs.items()}

    @property
    def experiment(self):
        return _text(self._file.attrs["experiment"])

    @property
    def model(self):
        return _text(self._file.attrs["model"])

    @property
    def design(self):
        return _text(self._file.attrs["design"])

    @property
    def store(self):
        return _text(self._file.attrs["store"])

    @property
    def seed(self):
        return int(self._file.attrs["seed"])

    @property
    def n_samples(self):
        """Runs actually computed (fewer than requested when adaptive stopping ended early)."""
        attrs = self._file.attrs
        return int(attrs["n_samples_run"] if "n_samples_run" in attrs else attrs["n_samples"])

    @property
    def config_resolved(self):
        """The validated experiment (/config_resolved) as a dict."""
        if self._config_resolved is None:
            self._config_resolved = json.loads(self._file["config_resolved"][()])
        return self._config_resolved

    @property
    def config_text(self):
        return _text(self._file["config"][()])

    def included_files(self):
        """[(path as recorded, text)] of the files the experiment included, in merge order."""
        group = self._file.get("config_included")
        if group is None:
            return []
        return [(_text(group[n].attrs["path"]), _text(group[n][()]))
                for n in sorted(group, key=int)]

    # ---- axes ----------------------------------------------------------------------------------

    @property
    def years(self):
        """Calendar years of per-year outputs (/time), or None for models without a time axis."""
        return self._file["time"][:] if "time" in self._file else None

    @property
    def quantile_levels(self):
        return self._file["quantile_level"][:]

    @property
    def parameters(self):
        """Parameter names in parameter order."""
        if "parameter" in self._file:
            return [_text(p) for p in self._file["parameter"][:]]
        return [p["name"] for p in self.config_resolved["parameters"]]

    def year_index(self, year):
        years = self.years
        if years is None:
            raise ResultFileError(f"{self.path}: model {self.model!r} has no time axis")
        matches = np.flatnonzero(years == year)
        if matches.size != 1:
            raise ResultFileError(
                f"{self.path}: no year {year} (years {years[0]}-{years[-1]})")
        return int(matches[0])

    def level_index(self, level):
        levels = self.quantile_levels
        matches = np.flatnonzero(np.abs(levels - level) <= _LEVEL_TOLERANCE)
        if matches.size != 1:
            raise ResultFileError(
                f"{self.path}: no quantile level {level} stored (levels: "
                f"{', '.join(repr(float(x)) for x in levels)}); set [output] quantiles")
        return int(matches[0])

    # ---- groups --------------------------------------------------------------------------------

    @property
    def policies(self):
        """Policy names, in the alphabetical order HDF5 lists them ([] without policies). The
        order the policies ran in is not recorded as such; order them for display yourself."""
        return sorted(self._file["policies"]) if "policies" in self._file else []

    @property
    def contrasts(self):
        """Contrast names '<a>_vs_<b>' ([] without a reference policy)."""
        return sorted(self._file["contrasts"]) if "contrasts" in self._file else []

    @property
    def references(self):
        """The reference policies of the contrasts, in the order given ([] without one);
        experiment.reference may be one name or an array of names."""
        ref = self.config_resolved["experiment"].get("reference")
        if ref is None:
            return []
        return [ref] if isinstance(ref, str) else list(ref)

    @property
    def reference(self):
        """The (first) reference policy of the contrasts, or None."""
        refs = self.references
        return refs[0] if refs else None

    # ---- policy sweeps -------------------------------------------------------------------------

    @property
    def policy_sweeps(self):
        """Names of the [policy_sweeps] of the run ([] without any)."""
        return sorted(self._file["policy_sweeps"]) if "policy_sweeps" in self._file else []

    def policy_sweep(self, name):
        """{"kind", "based_on", "description", "axes": [(lever, values)], "cells": [(policy,
        {lever: value})]} of sweep `name`; kind "grid" (axes: the values, the first axis varying
        slowest across cells) or "latin_hypercube" (axes: each lever's range, low and high);
        axes in the order written, cells in cell order."""
        if name not in self.policy_sweeps:
            raise ResultFileError(
                f"{self.path}: no policy sweep {name!r} "
                f"(sweeps: {', '.join(self.policy_sweeps) or 'none'})")
        g = self._file["policy_sweeps"][name]
        levers = [_text(x) for x in np.atleast_1d(g.attrs["axes"])]
        coordinates = g["coordinates"][()]
        return {
            "kind": _text(g.attrs["kind"]),
            "based_on": _text(g.attrs["based_on"]),
            "description": _text(g.attrs["description"]),
            "axes": [(lever, g[lever][()].astype(np.float64)) for lever in levers],
            "cells": [(_text(cell), {lever: float(coordinates[i, a])
                                     for a, lever in enumerate(levers)})
                      for i, cell in enumerate(g["cell"][()])],
        }

    def sweep_coordinates(self, policy):
        """{lever: value} of a sweep's cell (from /policies/<policy>'s sweep_* attributes); {}
        for a policy written by hand."""
        attrs = self._file[self.policy(policy)].attrs
        return {k[len("sweep_"):]: float(v) for k, v in attrs.items() if k.startswith("sweep_")}

    def policy(self, name):
        group = f"policies/{name}"
        if group not in self._file:
            raise ResultFileError(
                f"{self.path}: no policy {name!r} (policies: {', '.join(self.policies) or 'none'})")
        return group

    def contrast(self, policy, reference=None):
        """The group of `policy` minus `reference` (default: the first reference)."""
        reference = reference or self.reference
        group = f"contrasts/{policy}_vs_{reference}"
        if group not in self._file:
            raise ResultFileError(
                f"{self.path}: no contrast {policy}_vs_{reference} "
                f"(contrasts: {', '.join(self.contrasts) or 'none'})")
        return group

    @property
    def groups(self):
        """Every group holding results: "" for a model without policies, else each policy's
        and each contrast's."""
        if "policies" not in self._file:
            return [""]
        return [f"policies/{p}" for p in self.policies] + [f"contrasts/{c}" for c in self.contrasts]

    def _group(self, group):
        try:
            return self._file[group] if group else self._file["/"]
        except KeyError:
            raise ResultFileError(f"{self.path}: no group {group!r}") from None

    def outputs(self, group=""):
        """Names of the outputs summarised in `group`."""
        g = self._group(group)
        return sorted(g["summary"]) if "summary" in g else []

    def policy_levers(self, policy):
        """{lever: np.ndarray of the value in each year} as the model used them (inf as inf)."""
        levers = self.config_resolved["model"]["policy_levers_by_year"][policy]
        return {k: np.array([math.inf if v == "inf" else float(v) for v in values])
                for k, values in levers.items()}

    # ---- summaries -----------------------------------------------------------------------------

    def summary(self, group, output, posterior=False):
        """The summary of `output` in `group`; with posterior=True the one weighted by the
        calibration's likelihoods (<group>/posterior, docs/calibration.md)."""
        g = self._group(group)
        where = "summary"
        if posterior:
            self._require_posterior()
            where = "posterior"
        if where not in g or output not in g[where]:
            raise ResultFileError(
                f"{self.path}: no {where} of {output!r} in {group or '/'} "
                f"(outputs: {', '.join(self.outputs(group)) or 'none'})")
        s = g[where][output]
        q = s["quantiles"]
        series = s["mean"].ndim == 1
        units = s.attrs.get("units", None)
        if units is None:  # the posterior group carries the numbers; units are the prior's
            units = g["summary"][output].attrs.get("units", "1") if "summary" in g else "1"
        return Summary(
            output=output, group=group, units=_text(units),
            mean=s["mean"][()], std=s["std"][()], min=s["min"][()], max=s["max"][()],
            quantiles=q[()], n_finite=s["n_finite"][()], n_non_finite=s["n_non_finite"][()],
            levels=self.quantile_levels, years=self.years if series else None,
            relative_error_bound=float(q.attrs.get("relative_error_bound", math.nan)))

    def events(self, group, output):
        """{event name: Event} of `output` in `group` (docs/file-format.md, "Event
        probabilities"); {} when none applies there. Per-year arrays have the year on axis 0."""
        s = self.summary(group, output)  # refuses an unknown group or output
        g = self._group(group)["summary"][output]
        if "events" not in g:
            return {}
        e = g["events"]
        n = int(e.attrs["n_samples"])
        found = {}
        for i, name in enumerate(_text(x) for x in e["event"][()]):
            found[name] = Event(
                name=name, comparison=_text(e["comparison"][i]),
                threshold=float(e["threshold"][i]), n_samples=n,
                count=e["count"][..., i], probability=e["probability"][..., i],
                low=e["probability_low"][..., i], high=e["probability_high"][..., i],
                years=s.years)
        return found

    def robustness(self):
        """{objective name: Robustness} of /robustness, in the order of the experiment's
        [robustness] objectives (docs/file-format.md, "Robustness"); {} for a file without
        robustness metrics (no [robustness], or written before it existed)."""
        if "robustness" not in self._file:
            return {}
        root = self._file["robustness"]
        policies = [_text(p) for p in root["policy"][()]]
        p = len(policies)
        listed = [o["name"] for o in
                  self.config_resolved.get("robustness", {}).get("objectives", [])]
        names = [n for n in listed if n in root] or sorted(
            n for n in root if isinstance(root[n], h5py.Group))
        found = {}
        for name in names:
            g = root[name]
            a = g.attrs
            if "threshold" in g:
                thresholds = g["threshold"][()]
                sat = {k: g[f"satisficing_{k}"][()] for k in ("count", "share", "low", "high")}
            else:
                thresholds = np.zeros(0)
                sat = {"count": np.zeros((0, p), dtype=np.uint64)}
                sat.update({k: np.zeros((0, p)) for k in ("share", "low", "high")})
            found[name] = Robustness(
                name=name, output=_text(a["output"]),
                year=int(a["year"]) if "year" in a else None, better=_text(a["better"]),
                units=_text(a.get("units", "1")), n_samples=int(a["n_samples"]),
                confidence_level=float(root.attrs["confidence_level"]), policies=policies,
                levels=self.quantile_levels,
                regret_mean=g["regret_mean"][()], regret_std=g["regret_std"][()],
                regret_min=g["regret_min"][()], regret_max=g["regret_max"][()],
                regret_quantiles=g["regret_quantiles"][()],
                regret_n_finite=g["regret_n_finite"][()],
                regret_n_non_finite=g["regret_n_non_finite"][()],
                mean_regret_rank=g["mean_regret_rank"][()],
                minimax_regret_rank=g["minimax_regret_rank"][()],
                thresholds=thresholds, satisficing_count=sat["count"],
                satisficing_share=sat["share"], satisficing_low=sat["low"],
                satisficing_high=sat["high"],
                **{f"{kind}_{k}": g[f"{kind}_{k}"][()]
                   for kind in ("dominance", "best") for k in ("count", "share", "low", "high")})
        return found

    def quantile(self, group, output, level, year=None, posterior=False):
        """The stored quantile at `level` (it must be one of quantile_levels): a scalar for a
        scalar output or a given year, else one value per year. posterior=True: the weighted
        quantile of a calibrated run."""
        q = self.summary(group, output, posterior).quantiles[..., self.level_index(level)]
        return q if year is None else q[self.year_index(year)]

    def mean(self, group, output, year=None, posterior=False):
        m = self.summary(group, output, posterior).mean
        return m if year is None else m[self.year_index(year)]

    def units(self, group, output):
        return self.summary(group, output).units

    # ---- calibration ---------------------------------------------------------------------------

    @property
    def calibrated(self):
        """True for a run with [calibration] (the file has /calibration)."""
        return "calibration" in self._file

    def _calibration(self):
        if not self.calibrated:
            raise ResultFileError(
                f"{self.path}: not a calibrated run (no /calibration; the experiment has no "
                f"[calibration] table, docs/calibration.md)")
        return self._file["calibration"]

    def _require_posterior(self):
        if not self.calibration_diagnostics().posterior_written:
            d = self.calibration_diagnostics()
            raise ResultFileError(
                f"{self.path}: the run wrote no posterior (effective sample size {d.ess:.6g} "
                f"below min_ess {d.min_ess:.6g} with on_low_ess = \"error\"); only the prior "
                f"summaries are in the file")

    def calibration_targets(self):
        """[CalibrationTarget] in the experiment's order ([] for [calibration] without targets,
        whose per-target datasets are absent)."""
        c = self._calibration()
        if "target" not in c:
            return []
        params = c["observation_parameters"][()]
        ess = c["diagnostics"]["target_ess"][()]
        texts = {k: [_text(x) for x in c[k][()]]
                 for k in ("target", "output", "policy", "observation", "source")}
        years = c["year"][()]
        return [CalibrationTarget(
            name=texts["target"][i], output=texts["output"][i], policy=texts["policy"][i],
            year=None if int(years[i]) < 0 else int(years[i]),
            observation=texts["observation"][i],
            parameters=tuple(float(x) for x in params[i] if not math.isnan(x)),
            source=texts["source"][i], ess=float(ess[i]))
            for i in range(len(texts["target"]))]

    def calibration_diagnostics(self):
        c = self._calibration()
        d = c["diagnostics"]
        return CalibrationDiagnostics(
            ess=float(d["ess"][()]), ess_fraction=float(d["ess_fraction"][()]),
            sum_weights=float(d["sum_weights"][()]),
            sum_weights_squared=float(d["sum_weights_squared"][()]),
            max_weight=float(d["max_weight"][()]), n_positive=int(d["n_positive"][()]),
            posterior_written=int(d["posterior_written"][()]) != 0,
            min_ess=float(c.attrs["min_ess"]), on_low_ess=_text(c.attrs["on_low_ess"]),
            weight_resolution=float(c.attrs["weight_resolution"]))

    def weights(self):
        """(N) float64: each future's likelihood weight, in [0, 1] (raw mode only)."""
        c = self._calibration()
        if "weight" not in c:
            raise ResultFileError(
                f"{self.path}: no per-sample weights (the run used store = \"summary\"; "
                f"rerun with --set output.store=raw)")
        return c["weight"][()].astype(np.float64)

    @property
    def calibration_inputs(self):
        """Names of the sampled inputs summarised under /calibration/inputs (sorted)."""
        inputs = self._calibration().get("inputs")
        return sorted(inputs["prior"]) if inputs is not None and "prior" in inputs else []

    def input_summary(self, parameter, posterior=False):
        """The prior (unweighted) or, with posterior=True, the weighted summary of a sampled
        input."""
        c = self._calibration()
        if posterior:
            self._require_posterior()
        kind = "posterior" if posterior else "prior"
        if "inputs" not in c or kind not in c["inputs"] or parameter not in c["inputs"][kind]:
            raise ResultFileError(
                f"{self.path}: no {kind} summary of input {parameter!r} (inputs: "
                f"{', '.join(self.calibration_inputs) or 'none'})")
        g = c["inputs"][kind][parameter]
        return InputSummary(
            parameter=parameter, mean=float(g["mean"][()]), std=float(g["std"][()]),
            min=float(g["min"][()]), max=float(g["max"][()]), quantiles=g["quantiles"][()],
            n_finite=int(g["n_finite"][()]), n_non_finite=int(g["n_non_finite"][()]),
            levels=self.quantile_levels)

    def narrowed_inputs(self):
        """[(parameter, posterior std / prior std, (posterior mean - prior mean) / prior std)],
        the most narrowed first (NaN ratios, e.g. of a constant input, last; ties by name)."""
        found = []
        for p in self.calibration_inputs:
            prior, post = self.input_summary(p), self.input_summary(p, posterior=True)
            found.append((p, post.std / prior.std if prior.std > 0 else math.nan,
                          (post.mean - prior.mean) / prior.std if prior.std > 0 else math.nan))
        return sorted(found, key=lambda x: (math.isnan(x[1]), x[1] if not math.isnan(x[1])
                                            else 0.0, x[0]))

    # ---- raw rows ------------------------------------------------------------------------------

    def has_raw(self, group=""):
        """True when `group` has per-sample rows (store = "raw"; contrasts never do)."""
        g = self._group(group)
        return "outputs" in g

    def raw(self, group, output, year=None):
        """Per-sample values as float64: (N) for a scalar output or a given year, (N, T) for a
        series. Row i of every policy is the same future i."""
        g = self._group(group)
        if "outputs" not in g:
            where = group or "/"
            hint = (" (contrasts have no rows: subtract the two policies' rows)"
                    if group.startswith("contrasts/") else
                    " (the run used store = \"summary\"; rerun with --set output.store=raw)")
            raise ResultFileError(f"{self.path}: no per-sample rows in {where}{hint}")
        if output not in g["outputs"]:
            kept = sorted(g["outputs"])
            raise ResultFileError(
                f"{self.path}: {output!r} has no per-sample rows in {group or '/'}: the run kept "
                f"only {', '.join(kept)} (output.keep); its summaries are in summary()")
        ds = g["outputs"][output]
        if year is None:
            return ds[()].astype(np.float64)
        return ds[:, self.year_index(year)].astype(np.float64)

    @property
    def kept_outputs(self):
        """Outputs with per-sample rows: output.keep when the run gave it, else every output
        ([] with store = "summary")."""
        if self.store != "raw":
            return []
        keep = self.config_resolved["output"].get("keep")
        if keep is not None:
            return list(keep)
        group = self.groups[0]
        return sorted(self._group(group)["outputs"])

    @property
    def input_names(self):
        return sorted(self._file["inputs"]) if "inputs" in self._file else []

    def inputs(self, name):
        if "inputs" not in self._file:
            raise ResultFileError(f"{self.path}: no per-sample inputs (store = \"summary\")")
        return self._file["inputs"][name][()]

    # ---- designs -------------------------------------------------------------------------------

    @property
    def design_attrs(self):
        return {k: _plain(v) for k, v in self._file["design"].attrs.items()}

    def design_role(self, name):
        """A per-run role column of /design (`role`, `moved_parameter`, `step_sign`, `cell`);
        stored only with store = "raw"."""
        design = self._file["design"]
        if name not in design:
            raise ResultFileError(
                f"{self.path}: /design has no {name!r} column (design {self.design!r}, store "
                f"{self.store!r}; role columns are written in raw mode only)")
        return design[name][()]

    @property
    def grid_axes(self):
        """[(parameter, values)] of a grid design, in the order written (the first varies
        slowest across cells)."""
        if self.design != "grid":
            raise ResultFileError(f"{self.path}: design {self.design!r} is not a grid")
        grid = self.config_resolved["experiment"]["design_options"]["grid"]
        # The resolved JSON lists object keys alphabetically, so the written order comes from
        # /design's `axes` text, which keeps it ("a = [...]; b = [...]").
        order = [part.split("=")[0].strip()
                 for part in _text(self._file["design"].attrs["axes"]).split(";")]
        if sorted(order) != sorted(grid):
            order = list(grid)
        return [(name, np.asarray(grid[name], dtype=np.float64)) for name in order]

    def grid_cells(self):
        """[{parameter: value}] for each cell index, the first axis varying slowest."""
        axes = self.grid_axes
        cells = [{}]
        for name, values in axes:
            cells = [dict(c, **{name: float(v)}) for c in cells for v in values]
        if len(cells) != int(self._file["design"].attrs["cells"]):
            raise ResultFileError(f"{self.path}: grid axes do not give /design's cell count")
        return cells

    # ---- sensitivity ---------------------------------------------------------------------------

    def sensitivity(self, group, output):
        g = self._group(group)
        if "sensitivity" not in g or output not in g["sensitivity"]:
            available = sorted(g["sensitivity"]) if "sensitivity" in g else []
            raise ResultFileError(
                f"{self.path}: no sensitivity results for {output!r} in {group or '/'} "
                f"(analysed: {', '.join(available) or 'none'}; design {self.design!r})")
        s = g["sensitivity"][output]
        data = {name: s[name][()] for name in s}
        series = data.get("n_base", data.get("n_trajectories"))
        years = (self._file["sensitivity_year"][:]
                 if series is not None and np.ndim(series) == 1 else None)
        return Sensitivity(
            output=output, group=group, method=_text(s.attrs["method"]),
            confidence_level=float(s.attrs["confidence_level"]),
            bootstrap_replicates=int(s.attrs.get("bootstrap_replicates", 0)),
            parameters=self.parameters, years=years, data=data, path=self.path)


def open_result(path):
    """Open and check a chiprace result file; raises ResultFileError when it is not a complete
    chiprace file of format 1.x."""
    return Result(path)
