# compute_race version 2 with every new parameter and lever at its neutral value is version 1,
# bit for bit (issue 15): experiments/model_v1.toml (the flagship's six policies on version 1's
# parameters), 2,000 futures, per-sample rows, against the digests of every numeric dataset of
# the same run by version 1 (tests/data/model_v1_flagship_2000.json, written with
# tests/integration/dataset_digests.py by chiprace 4f709d2, the last version-1 model). Inputs,
# every version-1 output of every policy, their summaries and the contrasts must be identical;
# version 2's additional outputs are not in the record.
source "$(dirname "$0")/lib.sh"

"$CHIPRACE" run "$SOURCE_DIR/experiments/model_v1.toml" --samples 2000 \
    --set output.store=raw -o "$WORK/v1.h5" -q || fail "chiprace run failed"
"$PYTHON" "$SOURCE_DIR/tests/integration/dataset_digests.py" check "$WORK/v1.h5" \
    "$SOURCE_DIR/tests/data/model_v1_flagship_2000.json" ||
    fail "version 2 at neutral values is not version 1 bit for bit"
# The file says which model version wrote it.
"$PYTHON" - "$WORK/v1.h5" <<'PY'
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    v = f.attrs["model_version"]
    assert int(v) == 2, v
PY
echo "model_v1: OK"
