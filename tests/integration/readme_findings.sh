# The README's findings are the flagship's numbers: run experiments/policy_comparison.toml in full
# (100,000 futures, as the README says) and check that every line analysis/readme_findings.py
# prints from the result appears verbatim in README.md. Fails when the model, the priors or the
# policies change the numbers without the README following.
source "$(dirname "$0")/lib.sh"
chiprace_mpi 2 1 run "$SOURCE_DIR/experiments/policy_comparison.toml" -q -o "$WORK/flagship.h5"
"$PYTHON" "$SOURCE_DIR/analysis/readme_findings.py" "$WORK/flagship.h5" > "$WORK/findings"
[ "$(wc -l < "$WORK/findings")" -ge 10 ] || fail "readme_findings.py printed too little"
missing=0
while IFS= read -r line; do
    if ! grep -qF -- "$line" "$SOURCE_DIR/README.md"; then
        echo "README.md lacks: $line" >&2
        missing=$((missing + 1))
    fi
done < "$WORK/findings"
[ "$missing" = 0 ] || fail "$missing line(s) of the findings are not in README.md (regenerate them: /usr/bin/python3 analysis/readme_findings.py results/policy_comparison.h5)"
echo "README findings match a fresh run ($(wc -l < "$WORK/findings") lines)"
