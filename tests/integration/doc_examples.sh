# The user's guide works as printed (issue 9):
#  1. every experiment file in docs/examples/ is valid, runs (with few samples) and
#     `chiprace info` reads its result; a doc that shows one does so verbatim: a line
#     `<!-- example: docs/examples/NAME.toml -->` followed by a ```toml block equal to the file,
#     and every file in docs/examples/ is shown somewhere;
#  2. every ```python block of docs/reading-results.md, and every ```python block of another
#     page in docs/ (or of analysis/README.md) preceded by the line `<!-- tested -->`, runs
#     without error under /usr/bin/python3, each on its own, in a directory holding the result
#     files the docs name (results/policy_comparison.h5, ...), made here by small runs.
#  3. every experiment of experiments/ validates (an experiment that includes the flagship with
#     a shorter horizon must restate the flagship's [robustness] objectives within it).
# DOC_EXAMPLES_DOCS (a directory) replaces docs/ for step 2, to check that a broken example fails.
source "$(dirname "$0")/lib.sh"
DOCS=${DOC_EXAMPLES_DOCS:-$SOURCE_DIR/docs}
export MPLCONFIGDIR="$WORK/matplotlib"
cd "$WORK"
mkdir -p results examples

# ---- 3. (first: quick) every experiment of experiments/ is valid ---------------------------------
for f in "$SOURCE_DIR"/experiments/*.toml; do
    "$CHIPRACE" validate "$f" >/dev/null 2>"$WORK/validate.err" ||
        { cat "$WORK/validate.err"; fail "experiments/$(basename "$f") does not validate"; }
done

# ---- 1. the example experiments ------------------------------------------------------------------
shopt -s nullglob
examples=("$SOURCE_DIR"/docs/examples/*.toml)
[ "${#examples[@]}" -ge 1 ] || fail "no experiment files in docs/examples/"
for file in "${examples[@]}"; do
    name=$(basename "$file" .toml)
    "$CHIPRACE" validate "$file" >"examples/$name.validate" 2>&1 \
        || { cat "examples/$name.validate"; fail "docs/examples/$name.toml is not valid"; }
    grep -q "valid experiment" "examples/$name.validate" || fail "validate $name: no 'valid experiment' line"
    # 512 samples: a multiple of any small grid, and a power of two for Sobol' points.
    "$CHIPRACE" run "$file" --samples 512 -o "examples/$name.h5" -q 2>"examples/$name.run" \
        || { cat "examples/$name.run"; fail "docs/examples/$name.toml does not run"; }
    if grep -v "^chiprace: warning:" "examples/$name.run" | grep -q .; then
        cat "examples/$name.run"; fail "run of docs/examples/$name.toml printed more than warnings"
    fi
    "$CHIPRACE" info "examples/$name.h5" >"examples/$name.info" \
        || fail "chiprace info cannot read the result of docs/examples/$name.toml"
    echo "ok: docs/examples/$name.toml validates, runs, and chiprace info reads its result"
done

# ---- the result files the docs' Python examples read ----------------------------------------------
# The flagship with rows and rank correlations serves both the pages that read its summaries and
# those that read its rows (a raw file holds the summaries too).
"$CHIPRACE" run "$SOURCE_DIR/experiments/policy_comparison.toml" --samples 600 \
    --set output.store=raw -o results/policy_comparison.h5 -q
"$CHIPRACE" analyze results/policy_comparison.h5 -q 2>/dev/null
cp results/policy_comparison.h5 results/policy_comparison_raw.h5
cp results/policy_comparison.h5 results/x.h5
"$CHIPRACE" run "$SOURCE_DIR/experiments/ishigami.toml" --samples 2000 -o results/ishigami-demo.h5 -q
"$CHIPRACE" run "$SOURCE_DIR/experiments/sensitivity.toml" --samples 256 -o results/sensitivity.h5 -q 2>/dev/null
cp examples/leakage_sweep.h5 results/leakage_sweep.h5
"$CHIPRACE" run "$SOURCE_DIR/experiments/tier2_sweep.toml" --samples 200 -o results/tier2_sweep.h5 -q
# The calibrated flagship (docs/calibration.md), with and without rows; 600 futures are below its
# min_ess, so the run warns (and still writes the posterior).
"$CHIPRACE" run "$SOURCE_DIR/experiments/calibrated.toml" --samples 600 -o results/calibrated.h5 -q 2>/dev/null
"$CHIPRACE" run "$SOURCE_DIR/experiments/calibrated.toml" --samples 600 --set output.store=raw \
    -o results/calibrated_raw.h5 -q 2>/dev/null

# ---- 2. the Python examples ----------------------------------------------------------------------
"$PYTHON" - "$DOCS" "$SOURCE_DIR" "$PYTHON" <<'PY'
import os
import os
import pathlib
import re
import subprocess
import sys

docs, source_dir, python = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
failed = []

# Example experiment files shown verbatim.
shown = set()
for page in sorted(docs.glob("*.md")):
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = re.fullmatch(r"<!-- example: (\S+) -->\s*", line)
        if not m:
            continue
        path = source_dir / m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or lines[j].strip() != "```toml":
            failed.append(f"{page.name}:{i + 1}: '{m.group(1)}' is not followed by a ```toml block")
            continue
        k = j + 1
        while k < len(lines) and lines[k].rstrip("\n") != "```":
            k += 1
        block = "".join(lines[j + 1:k])
        if not path.is_file():
            failed.append(f"{page.name}:{i + 1}: no file {m.group(1)}")
        elif block != path.read_text(encoding="utf-8"):
            failed.append(f"{page.name}:{j + 1}: the block differs from {m.group(1)}; copy the file into it")
        else:
            shown.add(path.resolve())
            print(f"ok: {page.name}:{j + 1} shows {m.group(1)} verbatim")
if docs.resolve() == (source_dir / "docs").resolve():
    for path in sorted((source_dir / "docs" / "examples").glob("*.toml")):
        if path.resolve() not in shown:
            failed.append(f"docs/examples/{path.name} is shown on no page (<!-- example: ... -->)")

# Python blocks: all of reading-results.md, and those marked <!-- tested --> elsewhere.
# analysis/README.md's marked blocks too: they import analysis/ (PYTHONPATH below).
blocks = []
for page in sorted(docs.glob("*.md")) + [source_dir / "analysis" / "README.md"]:
    lines = page.read_text(encoding="utf-8").splitlines()
    everything = page.name == "reading-results.md"
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            marked = False
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j >= 0 and lines[j].strip() == "<!-- tested -->":
                marked = True
            k = i + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            if everything or marked:
                blocks.append((page.name, i + 1, "\n".join(lines[i + 1:k]) + "\n"))
            i = k
        i += 1
in_guide = sum(1 for page, _, _ in blocks if page == "reading-results.md")
if in_guide < 8:
    failed.append(f"reading-results.md: only {in_guide} Python blocks found (expected at least 8)")

for page, line, code in blocks:
    script = pathlib.Path(f"block_{page.replace('.', '_')}_{line}.py")
    script.write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(source_dir / "analysis"))
    run = subprocess.run([python, str(script)], capture_output=True, text=True, timeout=600,
                         env=env)
    if run.returncode != 0:
        print(f"--- {page}:{line} (exit code {run.returncode}) ---\n{run.stdout}{run.stderr}",
              file=sys.stderr)
        failed.append(f"{page}:{line}: the Python example fails (exit code {run.returncode})")
    else:
        print(f"ok: {page}:{line} runs ({len(code.splitlines())} lines)")

for f in failed:
    print("FAIL:", f, file=sys.stderr)
print(f"doc examples: {len(blocks)} Python blocks, {len(shown)} example files shown, "
      f"{len(failed)} problem(s)")
sys.exit(1 if failed else 0)
PY
