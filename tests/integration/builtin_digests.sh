# The built-in models give the same bits after they moved behind the model registry (issue 17):
# the flagship (six policies, per-sample rows), ishigami and failure_box, 2,000 futures each,
# against the digests of every numeric dataset of the same runs by chiprace 8a82e22, the last
# version before the registry (tests/data/builtin_*_2000.json, written with
# tests/integration/dataset_digests.py). Inputs, every output of every policy, summaries,
# contrasts, robustness and events must be identical.
source "$(dirname "$0")/lib.sh"

for case in flagship:policy_comparison ishigami:ishigami failure_box:failure_box; do
    name=${case%%:*} experiment=${case#*:}
    "$CHIPRACE" run "$SOURCE_DIR/experiments/$experiment.toml" --samples 2000 \
        --set output.store=raw -o "$WORK/$name.h5" -q 2>"$WORK/$name.err" ||
        { cat "$WORK/$name.err"; fail "chiprace run $experiment failed"; }
    "$PYTHON" "$SOURCE_DIR/tests/integration/dataset_digests.py" check "$WORK/$name.h5" \
        "$SOURCE_DIR/tests/data/builtin_${name}_2000.json" ||
        fail "$experiment: the datasets differ from those before the model registry"
done
echo "builtin_digests: OK"
