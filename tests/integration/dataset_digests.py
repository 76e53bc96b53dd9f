#!/usr/bin/python3
"""SHA-256 digests of every numeric dataset of a result file, to show bit-for-bit equality
with a file that no longer exists (such as the output of an earlier model version).

  dataset_digests.py write FILE.h5 DIGESTS.json    record the digests of FILE
  dataset_digests.py check FILE.h5 DIGESTS.json    every recorded dataset must be in FILE
                                                   with the same shape, type and bytes;
                                                   datasets FILE has in addition are ignored
"""
import hashlib
import json
import sys

import h5py
import numpy as np


def digests(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu":
                data = np.ascontiguousarray(obj[()])
                out[name] = {"shape": list(data.shape), "dtype": data.dtype.str,
                             "sha256": hashlib.sha256(data.tobytes()).hexdigest()}
        f.visititems(visit)
    return out


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path, record = sys.argv[1:]
    got = digests(path)
    if mode == "write":
        with open(record, "w") as f:
            json.dump(got, f, indent=0, sort_keys=True)
            f.write("\n")
        print(f"{len(got)} datasets recorded")
        return 0
    with open(record) as f:
        want = json.load(f)
    bad = [name for name in sorted(want) if got.get(name) != want[name]]
    for name in bad[:20]:
        print(f"differs: {name}: {got.get(name)} != {want[name]}", file=sys.stderr)
    if bad:
        print(f"{len(bad)} of {len(want)} recorded datasets differ", file=sys.stderr)
        return 1
    print(f"{len(want)} recorded datasets identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
