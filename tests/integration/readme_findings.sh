# The README's findings are the flagship's numbers: run experiments/policy_comparison.toml and
# experiments/calibrated.toml in full (100,000 futures, as the README says) and check that every
# line analysis/readme_findings.py prints from the results appears verbatim in README.md. Fails
# when the model, the priors, the policies or the calibration targets change the numbers
# without the README following.
source "$(dirname "$0")/lib.sh"
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" -q -o "$WORK/flagship.h5"
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/calibrated.toml" -q -o "$WORK/calibrated.h5"
"$PYTHON" "$SOURCE_DIR/analysis/readme_findings.py" "$WORK/flagship.h5" "$WORK/calibrated.h5" \
    > "$WORK/findings"
[ "$(wc -l < "$WORK/findings")" -ge 25 ] || fail "readme_findings.py printed too little"
grep -q "^Calibrated on .* effective sample size" "$WORK/findings" \
    || fail "readme_findings.py printed no calibration finding"
missing=0
while IFS= read -r line; do
    if ! grep -qF -- "$line" "$SOURCE_DIR/README.md"; then
        echo "README.md lacks: $line" >&2
        missing=$((missing + 1))
    fi
done < "$WORK/findings"
[ "$missing" = 0 ] || fail "$missing line(s) of the findings are not in README.md (regenerate them: /usr/bin/python3 analysis/readme_findings.py results/policy_comparison.h5 results/calibrated.h5)"
echo "README findings match a fresh run ($(wc -l < "$WORK/findings") lines)"
