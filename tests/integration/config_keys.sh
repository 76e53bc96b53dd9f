# docs/config.md cannot drift from the code (issue 9): the keys chiprace accepts in each table
# are compared, both ways, with the tables of docs/config.md marked in their source:
#   <!-- keys: TABLE -->   the next markdown table; the first `backticked` word of each row's
#                          first cell is a key (rows whose first cell is not backticked, like
#                          "the nine levers", are prose). Several tables may share a TABLE.
#   <!-- designs -->       the next table's first column: the designs; its last column the
#                          [design] options each reads (checked against the "applies to" rule).
#   <!-- distributions --> the next table: `dist` in the first column, its keys in the second.
# The code's lists come from chiprace itself: an unknown key with no close match is answered
# with "expected one of: <every key of that table>", an unknown model, design or distribution
# with the list of those available, and a missing [experiment] with its required keys.
# CONFIG_KEYS_DOC (a file) replaces docs/config.md, to check that a drift fails.
source "$(dirname "$0")/lib.sh"
DOC=${CONFIG_KEYS_DOC:-$SOURCE_DIR/docs/config.md}

cat >"$WORK/ishigami.toml" <<'EOF'
[experiment]
name = "keys"
model = "ishigami"
samples = 8

[parameters]
x1 = { dist = "uniform", low = -3.14, high = 3.14 }
x2 = { dist = "uniform", low = -3.14, high = 3.14 }
x3 = { dist = "uniform", low = -3.14, high = 3.14 }
EOF
cat >"$WORK/sobol_g.toml" <<'EOF'
[experiment]
name = "keys"
model = "sobol_g"
samples = 8

[model]
a = [0, 1]

[parameters]
x1 = { dist = "uniform", low = 0, high = 1 }
x2 = { dist = "uniform", low = 0, high = 1 }
EOF
cat >"$WORK/failure_box.toml" <<'EOF'
[experiment]
name = "keys"
model = "failure_box"
samples = 8

[model]
lower = [0.2]
upper = [0.8]

[parameters]
x1 = { dist = "uniform", low = 0, high = 1 }
EOF
cat >"$WORK/linear.toml" <<'EOF'
[experiment]
name = "keys"
model = "linear"
samples = 8

[model]
coefficients = [1]

[parameters]
x1 = { dist = "normal", mean = 0, sd = 1 }
EOF
printf '[experiment]\n\n[parameters]\nx1 = { dist = "uniform", low = 0, high = 1 }\n' >"$WORK/empty.toml"

"$PYTHON" - "$CHIPRACE" "$WORK" "$SOURCE_DIR/experiments/policy_comparison.toml" "$DOC" <<'PY'
import re
import subprocess
import sys

chiprace, work, race, doc = sys.argv[1:5]
ishigami, sobol_g, empty = f"{work}/ishigami.toml", f"{work}/sobol_g.toml", f"{work}/empty.toml"
PROBE = "zzzzzzzzzzzzzzzzzzzzzzzz"  # far from every key: the answer lists them all
failures = []


def stderr_of(file, *sets):
    args = [chiprace, "validate", file]
    for s in sets:
        args += ["--set", s]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return run.stderr


def listed(text, pattern, what):
    """The comma-separated list after `pattern` (a regex ending where the list starts)."""
    m = re.search(pattern + r"(.*)", text)
    if not m:
        failures.append(f"{what}: chiprace did not list the keys (pattern {pattern!r}); it said:\n{text}")
        return set()
    items = re.sub(r" \((settings of model|a model of your own) .*\)$", "", m.group(1).strip())
    return {x.strip() for x in items.split(",") if x.strip()}


def keys_of(table, file, *sets):
    text = stderr_of(file, *sets)
    return listed(text, re.escape(f"unknown key '{PROBE}' in [{table}]; expected one of: "), table)


# ---- what the code accepts -------------------------------------------------------------------
code = {}
code["top level"] = keys_of("top level", ishigami, f"{PROBE}=1")
code["experiment"] = keys_of("experiment", ishigami, f"experiment.{PROBE}=1")
code["output"] = keys_of("output", ishigami, f"output.{PROBE}=1")
code["output.events"] = keys_of("output.events", ishigami,
                                f'output.events=[{{ output = "y", above = 1, {PROBE} = 1 }}]')
code["robustness"] = keys_of("robustness", race, f"robustness.{PROBE}=1")
code["robustness.objectives"] = keys_of(
    "robustness.objectives", race,
    f'robustness.objectives=[{{ output = "revenue", year = 2030, better = "higher", {PROBE} = 1 }}]')
code["calibration"] = keys_of("calibration", race, f"calibration.{PROBE}=1")
# A target's keys depend on its observation's kind: the documented table holds them all.
code["calibration.targets"] = set().union(*(
    keys_of("calibration.targets", race,
            f'calibration.targets=[{{ output = "revenue", year = 2030, policy = "nvidia", '
            f'observation = "{kind}", {PROBE} = 1 }}]')
    for kind in ("normal", "lognormal", "interval")))
code["design"] = keys_of("design", ishigami, f"design.{PROBE}=1")
code["sensitivity"] = keys_of("sensitivity", ishigami, "experiment.design=saltelli",
                              f"sensitivity.{PROBE}=1")
code["model (ishigami)"] = keys_of("model", ishigami, f"model.{PROBE}=1")
code["model (sobol_g)"] = keys_of("model", sobol_g, f"model.{PROBE}=1")
code["model (compute_race)"] = keys_of("model", race, f"model.{PROBE}=1")
code["model (failure_box)"] = keys_of("model", f"{work}/failure_box.toml", f"model.{PROBE}=1")
code["model (linear)"] = keys_of("model", f"{work}/linear.toml", f"model.{PROBE}=1")
code["policies.<name>"] = keys_of("policies.nvidia", race, f"policies.nvidia.{PROBE}=1")
code["policy_sweeps.<name>"] = keys_of(
    "policy_sweeps.s", race,
    f'policy_sweeps.s={{ based_on = "nvidia", grid = {{ enforcement = [1] }}, {PROBE} = 1 }}')
code["calibration"] = keys_of("calibration", race, f"calibration.{PROBE}=1")
# A target accepts the keys of its own observation: the union over the three.
code["calibration.targets"] = set()
for obs in ('"normal", mean = 1, sd = 1', '"lognormal", p05 = 1, p95 = 2',
            '"interval", low = 1, high = 2, tolerance = 0'):
    code["calibration.targets"] |= keys_of(
        "calibration.targets", race,
        f'calibration.targets=[{{ output = "revenue", year = 2030, policy = "nvidia", '
        f'observation = {obs}, {PROBE} = 1 }}]')

models = listed(stderr_of(ishigami, f"experiment.model={PROBE}"),
                r"unknown model '\w+'; models: ", "models")
designs = listed(stderr_of(ishigami, f"experiment.design={PROBE}"),
                 r"unknown design '\w+'; available: ", "designs")
dists = listed(stderr_of(ishigami, f'parameters.x1={{ dist = "{PROBE}" }}'),
               r"unknown distribution '\w+'; available: ", "distributions")
required = set(re.findall(r"missing required key '(\w+)' in \[experiment\]", stderr_of(empty)))
if not required:
    failures.append("no 'missing required key' message for an empty [experiment]")

common = {"dist", "units", "description"}
dist_keys = {}
for d in sorted(dists):
    keys = keys_of(f"parameters.x1", ishigami, f'parameters.x1={{ dist = "{d}", {PROBE} = 1 }}')
    if not common <= keys:
        failures.append(f"distribution {d}: {sorted(common - keys)} not accepted")
    dist_keys[d] = keys - common

# Which designs each [design] option applies to ("design.levels applies to design morris, ...").
applies = {}
for option in sorted(code["design"]):
    text = stderr_of(ishigami, "experiment.design=mc", f"design.{option}=1")
    m = re.search(rf"design\.{option} applies to design (.*?), not 'mc'", text)
    if not m:
        failures.append(f"design.{option}: no 'applies to design' message under design mc:\n{text}")
        continue
    applies[option] = set(m.group(1).split(" or "))

# ---- what docs/config.md says -----------------------------------------------------------------
lines = open(doc, encoding="utf-8").read().splitlines()


def table_after(i):
    """The rows (lists of cells) of the markdown table that starts after line i."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    rows = []
    while j < len(lines) and lines[j].lstrip().startswith("|"):
        cells = [c.strip() for c in lines[j].strip().strip("|").split("|")]
        rows.append(cells)
        j += 1
    if len(rows) < 3 or not set(rows[1][0]) <= set("-: "):
        failures.append(f"config.md:{i + 1}: the marker is not followed by a markdown table")
        return []
    return rows[2:]


def first_key(cell):
    m = re.match(r"`([^`]+)`", cell)
    return m.group(1) if m else None


documented, doc_designs, doc_applies, doc_dists, doc_required = {}, set(), {}, {}, set()
doc_key_designs = {}
for i, line in enumerate(lines):
    m = re.fullmatch(r"\s*<!-- keys: (.+?) -->\s*", line)
    if m:
        table = m.group(1)
        for row in table_after(i):
            key = first_key(row[0])
            if key is None:
                continue
            documented.setdefault(table, set()).add(key)
            if table == "experiment" and len(row) > 2 and row[2].lower().startswith("yes"):
                doc_required.add(key)
            if table == "design" and len(row) > 3:
                doc_key_designs[key] = set(re.findall(r"`([^`]+)`", row[3]))
    elif re.fullmatch(r"\s*<!-- designs -->\s*", line):
        for row in table_after(i):
            design = first_key(row[0])
            if design is None:
                continue
            doc_designs.add(design)
            for option in re.findall(r"`([^`]+)`", row[-1]):
                doc_applies.setdefault(option, set()).add(design)
    elif re.fullmatch(r"\s*<!-- distributions -->\s*", line):
        for row in table_after(i):
            d = first_key(row[0])
            if d is not None:
                doc_dists[d] = set(re.findall(r"`([^`]+)`", row[1])) - {"inf", "-inf"}


# ---- compare, both ways -----------------------------------------------------------------------
def compare(what, accepted, written):
    if accepted - written:
        failures.append(f"{what}: in the code (chiprace accepts or requires it) but not in config.md: "
                        f"{', '.join(sorted(accepted - written))}")
    if written - accepted:
        failures.append(f"{what}: in config.md but not in the code (chiprace refuses it): "
                        f"{', '.join(sorted(written - accepted))}")
    if accepted == written:
        print(f"ok: {what}: the same {len(accepted)} in the code and in config.md")


for table, accepted in code.items():
    compare(f"[{table}]", accepted, documented.get(table, set()))
for table in sorted(set(documented) - set(code) - {"parameters.<name>"}):
    failures.append(f"config.md documents keys of [{table}], a table this test does not know")
compare("[parameters.<name>] common keys", common, documented.get("parameters.<name>", set()))
compare("models (the model (NAME) tables)", models,
        {t[len("model ("):-1] for t in documented if t.startswith("model (")})
compare("designs", designs, doc_designs)
compare("distributions", dists, set(doc_dists))
for d in sorted(dists & set(doc_dists)):
    compare(f"keys of dist = \"{d}\"", dist_keys.get(d, set()), doc_dists[d])
compare("required keys of [experiment]", required, doc_required)
for option in sorted(applies):
    compare(f"designs that read design.{option} (the designs table)", applies[option],
            doc_applies.get(option, set()))
    compare(f"designs that read design.{option} (the [design] keys table)", applies[option],
            doc_key_designs.get(option, set()))

for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY
