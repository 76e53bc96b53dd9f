# The file records the revision the binary was built from (OpenMC promised a hash it
# never wrote; we test that ours reaches the file).
source "$(dirname "$0")/lib.sh"
build_rev=$("$CHIPRACE" --version | awk '/git revision/ {print $3}')
[ -n "$build_rev" ] || fail "chiprace --version printed no git revision"
chiprace_mpi 1 1 run "$SOURCE_DIR/experiments/ishigami.toml" --samples 100 -o "$WORK/r.h5" 2>/dev/null
file_rev=$("$PYTHON" -c 'import h5py,sys; f=h5py.File(sys.argv[1]); a=f.attrs; print(a["git_revision"].decode() + ("-dirty" if a["git_dirty"] else ""))' "$WORK/r.h5")
[ "$file_rev" = "$build_rev" ] || fail "file says $file_rev, binary says $build_rev"
if git -C "$SOURCE_DIR" rev-parse HEAD >/dev/null 2>&1; then
    head=$(git -C "$SOURCE_DIR" rev-parse HEAD)
    [ "${build_rev%-dirty}" = "$head" ] || fail "binary built from ${build_rev%-dirty}, source is at $head (rebuild)"
fi
echo "git revision $file_rev recorded"
