# chiprace discover: PRIM on a raw file agrees step by step with the NumPy reference
# (tests/reference/prim_reference.py, EMA Workbench 2.5.3 rules) on a synthetic failure box and
# on the flagship question, and /discovery/<name> is the same for 1, 2 and 3 ranks.
source "$(dirname "$0")/lib.sh"
CHECK="$SOURCE_DIR/tests/integration/discover_check.py"

# --- synthetic: a failure box with 3% of the labels flipped -----------------------------------
"$CHIPRACE" run "$SOURCE_DIR/experiments/failure_box.toml" --samples 6000 \
    --set model.flip=0.03 --set 'model.lower=[0.1,0.1,0.1,0.1,0.1,0.0,0.0,0.0,0.0,0.0]' \
    --set 'model.upper=[0.9,0.9,0.9,0.9,0.9,0.6,1.0,1.0,1.0,1.0]' -o "$WORK/fb.h5" -q
for ranks in 1 2 3; do
    cp "$WORK/fb.h5" "$WORK/fb$ranks.h5"
    chiprace_mpi "$ranks" 1 discover "$WORK/fb$ranks.h5" --case 'failure > 0.5' \
        --name fb --chunk-rows 777 >"$WORK/out$ranks" 2>"$WORK/err$ranks" ||
        { cat "$WORK/err$ranks"; fail "discover on $ranks rank(s) failed"; }
done
grep -q "<- chosen" "$WORK/out1" || fail "no chosen step in the printed trajectory"
grep -q "^x6 " "$WORK/out1" || { cat "$WORK/out1"; fail "the box table does not restrict x6"; }
"$PYTHON" "$CHECK" "$WORK/fb1.h5" fb "$SOURCE_DIR" || fail "1 rank differs from the reference"
"$PYTHON" - "$WORK" <<'PY'
import sys
import h5py
import numpy as np

work = sys.argv[1]
files = [h5py.File(f"{work}/fb{r}.h5", "r") for r in (1, 2, 3)]
def datasets(g, prefix=""):
    out = {}
    for k, v in g.items():
        if isinstance(v, h5py.Group):
            out.update(datasets(v, prefix + k + "/"))
        else:
            out[prefix + k] = v[()]
    return out
ref = datasets(files[0]["discovery/fb"])
assert len(ref) >= 15, sorted(ref)
for f in files[1:]:
    other = datasets(f["discovery/fb"])
    assert sorted(other) == sorted(ref)
    for k in ref:
        assert np.array_equal(ref[k], other[k], equal_nan=True), k
    for a in ("case", "chosen", "rows", "cases", "peels", "pastes", "inputs"):
        assert np.array_equal(np.asarray(f["discovery/fb"].attrs[a]),
                              np.asarray(files[0]["discovery/fb"].attrs[a])), a
g = files[0]["discovery/fb"]
print("identical for 1, 2, 3 ranks:", len(ref), "datasets,", len(g["coverage"]), "steps,",
      "chosen", g.attrs["chosen"])
# The chosen box cuts x6 near the true 0.6 (6000 rows, 3% noise: not exactly).
box_upper = g["box/upper"][0]
assert 0.55 < box_upper[5] < 0.7, box_upper
PY
# The rest of the file is untouched: every other dataset is still the same.
"$PYTHON" - "$WORK/fb.h5" "$WORK/fb1.h5" <<'PY'
import sys
import h5py
import numpy as np

a, b = (h5py.File(p, "r") for p in sys.argv[1:])
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
for n in names:
    assert np.array_equal(a[n][()], b[n][()], equal_nan=a[n].dtype.kind == "f"), n
assert set(b.keys()) - set(a.keys()) == {"discovery"}, set(b.keys()) - set(a.keys())
print("the other", len(names), "datasets are unchanged")
PY
"$CHIPRACE" info "$WORK/fb1.h5" | grep -q "^scenario discovery  fb" || fail "info does not list it"
# Other settings and a subset of the inputs, on 2 ranks: still the reference's trajectory.
chiprace_mpi 2 1 discover "$WORK/fb1.h5" --case 'failure >= 1' --inputs x6,x1,x2 \
    --peel-alpha 0.1 --paste-alpha 0.08 --mass-min 0.02 --name subset --box 3 -q ||
    fail "discover with --inputs failed"
"$PYTHON" "$CHECK" "$WORK/fb1.h5" subset "$SOURCE_DIR" || fail "--inputs run differs"

# --- the flagship question: when does China get within a year under anthropic's proposal? ----
"$CHIPRACE" run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 1500 \
    --set output.store=raw -o "$WORK/pc.h5" -q
"$CHIPRACE" discover "$WORK/pc.h5" --case 'frontier_gap_years[2030] < 1' --policy anthropic \
    --name gap --cart-depth 2 >"$WORK/pc.out" 2>"$WORK/pc.err" ||
    { cat "$WORK/pc.err"; fail "discover on the flagship file failed"; }
cat "$WORK/pc.out"
"$PYTHON" "$CHECK" "$WORK/pc.h5" gap "$SOURCE_DIR" || fail "flagship case differs"
"$CHIPRACE" discover "$WORK/pc.h5" --case 'regret(frontier_gap_years[2030], higher) > 0.5' \
    --policy anthropic --name regret --threshold 0.6 -q 2>"$WORK/pc.err" ||
    { cat "$WORK/pc.err"; fail "discover on a regret case failed"; }
"$PYTHON" "$CHECK" "$WORK/pc.h5" regret "$SOURCE_DIR" || fail "regret case differs"
echo "discover: OK"
