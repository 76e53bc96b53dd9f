# A model built out of tree runs through every feature of chiprace unchanged (issue 17): the
# fab_sme plug-in of examples/fab-sme, with that directory's own experiment files, gives the
# same files on 1x1, 2x2 and 3x1 cuts, the same file after SIGTERM and --resume, Sobol'
# indices, `info`, `analyze` and the figures' reader; its path, sha256 and version are in the
# file's provenance, and --resume refuses a plug-in that changed since the checkpoint.
# ctest passes FAB_SME_PLUGIN, the path of the built plug-in (empty: the test is skipped).
source "$(dirname "$0")/lib.sh"
if [ -z "${FAB_SME_PLUGIN:-}" ]; then
    echo "SKIP: examples/fab-sme is not part of this build (FAB_SME_PLUGIN is empty)"
    exit 77
fi

# The example's files as a user has them: experiment.toml finds the plug-in at
# build/libfab_sme.so next to it (plugins = [...], relative to the experiment file).
EX="$SOURCE_DIR/examples/fab-sme"
cp "$EX/experiment.toml" "$EX/priors.toml" "$EX/sensitivity.toml" "$WORK/"
mkdir "$WORK/build"
cp "$FAB_SME_PLUGIN" "$WORK/build/libfab_sme.so"
PLUGIN="$WORK/build/libfab_sme.so"
FAB=("$WORK/experiment.toml")

"$CHIPRACE" validate "${FAB[@]}" >"$WORK/log" 2>&1 || { cat "$WORK/log"; fail "validate"; }

# --- Cuts: raw rows of the four policies, a partial last block -------------------------------------
for cut in "1 1" "2 2" "3 1"; do
    set -- $cut
    chiprace_mpi "$1" "$2" run "${FAB[@]}" --samples 3001 --set experiment.block_size=256 \
        --set output.store=raw -o "$WORK/raw-$1x$2.h5" 2>"$WORK/log" \
        || { cat "$WORK/log"; fail "run $cut"; }
    grep -q "on $1 rank(s) x $2 thread(s)" "$WORK/log" || { cat "$WORK/log"; fail "cut $cut not applied"; }
done
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/raw-1x1.h5" "$WORK/raw-2x2.h5"
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/raw-1x1.h5" "$WORK/raw-3x1.h5"

# --- Provenance: the plug-in's path, sha256 and version -------------------------------------------
"$PYTHON" - "$WORK/raw-1x1.h5" "$PLUGIN" "$(sha256sum "$PLUGIN" | cut -d' ' -f1)" <<'PY'
import json, sys, h5py
path, plugin, sha = sys.argv[1:]
f = h5py.File(path, "r")
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
attrs = {k: text(v) for k, v in f.attrs.items()}
found = [k for k, v in attrs.items() if sha in v]
assert found, f"no root attribute holds the plug-in's sha256 {sha}: {sorted(attrs)}"
assert any("1.0.0" in attrs[k] for k in attrs if "plugin" in k), \
    f"no plug-in attribute records version 1.0.0: { {k: v for k, v in attrs.items() if 'plugin' in k} }"
resolved = text(f["config_resolved"][()])
assert sha in resolved and "libfab_sme.so" in resolved, "config_resolved lacks the plug-in"
assert attrs.get("model") == "fab_sme", attrs.get("model")
print("provenance: sha256 and version 1.0.0 in", ", ".join(found))
PY

# --- info names the plug-in, and lists every output with its units ----------------------------------
"$CHIPRACE" info "$WORK/raw-1x1.h5" >"$WORK/info" || fail "info"
grep -q "^plug-in .*libfab_sme.so version 1.0.0 sha256 [0-9a-f]\{64\}" "$WORK/info" \
    || { cat "$WORK/info"; fail "info does not name the plug-in"; }
"$CHIPRACE" info --all "$WORK/raw-1x1.h5" >"$WORK/info" || fail "info --all"
for output in wafer_starts yield ai_dies hbm_stacks accelerators cn_h100e cn_stock hbm_bound \
              cum_h100e; do
    grep -q "$output" "$WORK/info" || { cat "$WORK/info"; fail "info does not list $output"; }
done
grep -q "M H100e/yr" "$WORK/info" || { cat "$WORK/info"; fail "info shows no units"; }

# --- analyze: rank correlations of every output ----------------------------------------------------
"$CHIPRACE" analyze "$WORK/raw-1x1.h5" 2>"$WORK/log" || { cat "$WORK/log"; fail "analyze"; }
"$PYTHON" - "$WORK/raw-1x1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for policy in ["no_controls", "status_quo", "tight_sme", "hbm_too"]:
    rc = f[f"policies/{policy}/rank_correlations"]
    assert "cn_h100e" in rc and "cum_h100e" in rc, sorted(rc)
# The first year's wafer starts are wafer_starts_2025 itself: rank correlation 1 with it.
s = f["policies/status_quo/rank_correlations/wafer_starts/spearman"][()]  # (d, T)
names = [n.decode() if isinstance(n, bytes) else n for n in f["parameter"][()]]
top = int(np.argmax(s[:, 0]))
assert names[top] == "wafer_starts_2025" and s[top, 0] > 0.999, (names, s[:, 0])
print("analyze: rank correlations of every policy")
PY

# --- The figures' reader, and what the model promises across policies ------------------------------
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/raw-1x1.h5" <<'PY'
import sys
import numpy as np
from chiprace_results import open_result
with open_result(sys.argv[1]) as r:
    assert sorted(r.policies) == ["hbm_too", "no_controls", "status_quo", "tight_sme"], r.policies
    assert list(r.years) == list(range(2025, 2036)), r.years
    assert r.units(r.policy("status_quo"), "cn_h100e") == "M H100e/yr"
    # Tighter controls never give China more, sample by sample, so neither any quantile.
    order = ["no_controls", "status_quo", "tight_sme", "hbm_too"]
    for year in (2027, 2030, 2035):
        q = [r.quantile(r.policy(p), "cn_h100e", 0.5, year=year) for p in order]
        assert all(a >= b for a, b in zip(q, q[1:])), (year, q)
    rows = {p: r.raw(r.policy(p), "cum_h100e") for p in order}
    for a, b in zip(order, order[1:]):
        assert np.all(rows[a] >= rows[b]), (a, b)
    c = r.summary(r.contrast("hbm_too", "status_quo"), "cum_h100e")
    assert c.mean < 0, c.mean
    print("reader: medians of cn_h100e 2030 by policy:",
          [round(r.quantile(r.policy(p), "cn_h100e", 0.5, year=2030), 3) for p in order])
PY

# --- Sobol' indices (the example's sensitivity.toml, smaller) --------------------------------------
chiprace_mpi 2 1 run "$WORK/sensitivity.toml" --samples 1024 -o "$WORK/sens.h5" 2>"$WORK/log" \
    || { cat "$WORK/log"; fail "sensitivity run"; }
PYTHONPATH="$SOURCE_DIR/analysis" "$PYTHON" - "$WORK/sens.h5" <<'PY'
import sys
import numpy as np
from chiprace_results import open_result
with open_result(sys.argv[1]) as r:
    for policy in ["status_quo", "hbm_too"]:
        for output in ["cn_h100e", "cum_h100e"]:
            s = r.sensitivity(r.policy(policy), output)
            assert s.method == "sobol", s.method
            for year in ([2027, 2030] if output == "cn_h100e" else [None]):
                at = s.at_year(year)
                assert at["ST"].shape == (len(r.parameters),), at["ST"].shape
                assert np.all(np.isfinite(at["ST"])) and np.all(np.isfinite(at["S1"]))
    st = r.sensitivity(r.policy("status_quo"), "cum_h100e").at_year(None)["ST"]
    top = [r.parameters[i] for i in np.argsort(-st, kind="stable")[:3]]
    print("Sobol': top total indices of cum_h100e under status_quo:", top)
PY
"$CHIPRACE" info "$WORK/sens.h5" >"$WORK/info" || fail "info sens"
grep -q "top factors by total Sobol' index" "$WORK/info" || { cat "$WORK/info"; fail "info shows no factors"; }

# --- SIGTERM and --resume: the file of an uninterrupted run ----------------------------------------
scale=1
[ "${CHIPRACE_SANITIZED:-0}" = 1 ] && scale=5
BIG=(--samples $((1500000 / scale)) --set output.store=summary)
chiprace_mpi 1 2 run "${FAB[@]}" "${BIG[@]}" -o "$WORK/ref.h5" 2>/dev/null || fail "reference run"
# start_run OUT ARGS...: a 2-rank run in the background, checkpointing often.
start_run() {
    local out=$1
    shift
    OMP_NUM_THREADS=1 "$MPIEXEC" -n 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS \
        "$CHIPRACE" run "${FAB[@]}" "${BIG[@]}" "$@" --checkpoint-every 0.05 -o "$out" 2>"$WORK/log" &
    RUN_PID=$!
}
# interrupt: freeze the ranks, deliver SIGTERM, let them finish the round in flight.
interrupt() {
    local pids
    pids=$(pgrep -P "$RUN_PID" || true)
    [ -n "$pids" ] || fail "no rank processes found"
    kill -STOP $pids
    kill -TERM $pids
    kill -CONT $pids
}
stop_run() {
    local out=$1
    wait_for_ledger "$out"
    interrupt
    set +e
    wait "$RUN_PID"
    code=$?
    set -e
    [ "$code" = 3 ] || { cat "$WORK/log"; fail "SIGTERM gave exit code $code, not 3"; }
    [ -e "$out.checkpoint" ] && [ ! -e "$out" ] || fail "expected a ledger and no result"
}
start_run "$WORK/stopped.h5"
stop_run "$WORK/stopped.h5"
chiprace_mpi 3 1 run "${FAB[@]}" "${BIG[@]}" -o "$WORK/stopped.h5" --resume 2>"$WORK/log" \
    || { cat "$WORK/log"; fail "resume"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$WORK/stopped.h5"

# --- A plug-in rebuilt between the checkpoint and --resume is refused -------------------------------
start_run "$WORK/changed.h5"
stop_run "$WORK/changed.h5"
cp "$PLUGIN" "$WORK/original.so"
printf '\0' >>"$PLUGIN" # still a loadable library, but not the one that wrote the ledger
set +e
chiprace_mpi 1 1 run "${FAB[@]}" "${BIG[@]}" -o "$WORK/changed.h5" --resume 2>"$WORK/err"
code=$?
set -e
[ "$code" = 2 ] || { cat "$WORK/err"; fail "a changed plug-in was resumed ($code)"; }
grep -qi "plug-in" "$WORK/err" || { cat "$WORK/err"; fail "the refusal does not name the plug-in"; }
[ -e "$WORK/changed.h5.checkpoint" ] || fail "a refused resume removed the ledger"
# The same plug-in again: the resume goes on and ends with the reference file.
cp "$WORK/original.so" "$PLUGIN"
chiprace_mpi 2 1 run "${FAB[@]}" "${BIG[@]}" -o "$WORK/changed.h5" --resume 2>"$WORK/log" \
    || { cat "$WORK/log"; fail "resume with the original plug-in"; }
"$PYTHON" "$SOURCE_DIR/tests/integration/compare_results.py" "$WORK/ref.h5" "$WORK/changed.h5"
echo "model_plugin: all checks passed"
