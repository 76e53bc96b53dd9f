# The documentation stands on its own (issue 15):
#  1. no tracked text file names the project's private notes (the model specification and its
#     review, the evidence, design, style and local-Slurm notes, kept in a shared directory
#     beside the repository): what a user needs from them lives in docs/. EXEMPT lists the
#     files still waiting for that edit;
#  2. every relative link and image of a Markdown file in docs/ and of README.md points to a
#     file or directory inside the repository, and a #fragment on a Markdown target names one
#     of its headings (GitHub's anchors) or an explicit <a id=...>.
# The files are those git tracks or would track (untracked and not ignored); in a source tree
# without .git, every file under SOURCE_DIR outside build*/ and .git/. DOC_REFERENCES_ROOT (a
# directory) replaces SOURCE_DIR, to check that a broken tree fails.
source "$(dirname "$0")/lib.sh"
ROOT=${DOC_REFERENCES_ROOT:-$SOURCE_DIR}

"$PYTHON" - "$ROOT" <<'PY'
import pathlib
import re
import subprocess
import sys
import urllib.parse

root = pathlib.Path(sys.argv[1]).resolve()

# Files whose references another change removes (their authors edit them on another branch).
EXEMPT = set()

try:
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached",
                             "--others", "--exclude-standard"], check=True,
                            capture_output=True).stdout.decode().split("\0")
    files = [root / name for name in listed if name]
except (OSError, subprocess.CalledProcessError):
    files = [p for p in root.rglob("*") if p.is_file()
             and not any(part == ".git" or part.startswith("build")
                         for part in p.relative_to(root).parts)]

def text_of(path):
    try:
        data = path.read_bytes()
    except OSError:
        return None  # listed by git but deleted in the work tree
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None

# Spelled so that this file does not match itself.
private = re.compile(r"\b(?:MODEL|MODEL-V2-REVIEW|PRIORS|DESIGN|SLURM-LOCAL|STYLE)[.]md\b|[.][.]/shared\b|/work/share[d]\b")
problems = []
n_text = 0
for path in sorted(files):
    rel = path.relative_to(root).as_posix()
    text = text_of(path)
    if text is None:
        continue
    n_text += 1
    if rel in EXEMPT:
        continue
    for number, line in enumerate(text.splitlines(), 1):
        for match in private.finditer(line):
            problems.append(f"{rel}:{number}: names a note outside the repository: "
                            f"{match.group(0)!r}: {line.strip()[:120]}")

# ---- 2. links -------------------------------------------------------------------------------------
def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)                # inline HTML
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")

anchors_cache = {}
def anchors_of(path):
    if path not in anchors_cache:
        seen, anchors, fenced = {}, set(), False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(```|~~~)", line):
                fenced = not fenced
                continue
            if fenced:
                continue
            anchors.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", line))
            heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
            if heading:
                base = slug(heading.group(1))
                count = seen.get(base, 0)
                seen[base] = count + 1
                anchors.add(base if count == 0 else f"{base}-{count}")
        anchors_cache[path] = anchors
    return anchors_cache[path]

def links_of(text):
    """(line number, target) of every inline link or image outside code."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"\s*(```|~~~)", line):
            fenced = not fenced
            continue
        if fenced:
            continue
        line = re.sub(r"`[^`]*`", "", line)  # inline code
        for match in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", line):
            yield number, match.group(1)
        for match in re.finditer(r"^\s*\[[^\]]+\]:\s*(\S+)", line):
            yield number, match.group(1)

pages = sorted(p for p in files if p.suffix == ".md" and p.exists()
               and (p.relative_to(root).parts[0] == "docs" or p.relative_to(root).as_posix() == "README.md"))
n_links = 0
for page in pages:
    rel = page.relative_to(root).as_posix()
    for number, target in links_of(page.read_text(encoding="utf-8")):
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        n_links += 1
        where = f"{rel}:{number}: link {target!r}"
        path_part, _, fragment = target.partition("#")
        path_part = urllib.parse.unquote(path_part)
        if path_part.startswith("/"):
            problems.append(f"{where}: absolute path (write it relative to {rel})")
            continue
        dest = (page.parent / path_part).resolve() if path_part else page
        try:
            dest.relative_to(root)
        except ValueError:
            problems.append(f"{where}: points outside the repository")
            continue
        if not dest.exists():
            problems.append(f"{where}: no such file or directory")
            continue
        if fragment and dest.suffix == ".md" and fragment not in anchors_of(dest):
            problems.append(f"{where}: {dest.relative_to(root).as_posix()} has no heading "
                            f"with the anchor #{fragment}")

for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(f"FAIL: {len(problems)} problem(s) in {n_text} text files and {n_links} links")
if len(pages) < 10 or n_links < 50:
    sys.exit(f"FAIL: only {len(pages)} pages and {n_links} links found: is {root} the source tree?")
print(f"ok: {n_text} text files name no note outside the repository; "
      f"{n_links} relative links in {len(pages)} pages all resolve")
PY
