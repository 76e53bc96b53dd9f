#!/usr/bin/python3
"""Compare two chiprace result files bit for bit.

Every dataset must have the same type, shape and bytes; every attribute the same value,
except the root attributes that describe the run rather than the results (when and where it
ran, on how many ranks and threads). Exit 0 when identical, 1 with a list of differences.
"""
import sys

import h5py
import numpy as np

RUN_SPECIFIC = {"created_utc", "completed_utc", "wall_seconds", "mpi_ranks", "omp_threads",
                "command_line", "host", "slurm_job_id", "slurm_array_job_id",
                "slurm_array_task_id"}


def objects(f):
    found = {}
    f.visititems(lambda name, obj: found.__setitem__(name, obj))
    return found


def scale_names(f, found):
    """File address of each dimension scale -> its path. h5py's name lookup of a dereferenced
    object searches the whole file, far too slow for thousands of attached datasets."""
    return {h5py.h5o.get_info(obj.id).addr: "/" + name for name, obj in found.items()
            if isinstance(obj, h5py.Dataset) and obj.attrs.get("CLASS") == b"DIMENSION_SCALE"}


def dimension_names(f, dataset, scales):
    if "DIMENSION_LIST" not in dataset.attrs:
        return []
    return [[scales.get(h5py.h5o.get_info(f[ref].id).addr, "?") for ref in refs]
            for refs in dataset.attrs["DIMENSION_LIST"]]


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        return a.shape == b.shape and a.tolist() == b.tolist()
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare(path_a, path_b):
    problems = []
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        for name in sorted(set(a.attrs) | set(b.attrs)):
            if name in RUN_SPECIFIC:
                continue
            if name not in a.attrs or name not in b.attrs:
                problems.append(f"/ attribute {name}: only in one file")
            elif not same_value(a.attrs[name], b.attrs[name]):
                problems.append(f"/ attribute {name}: {a.attrs[name]!r} != {b.attrs[name]!r}")
        oa, ob = objects(a), objects(b)
        scales_a, scales_b = scale_names(a, oa), scale_names(b, ob)
        for name in sorted(set(oa) ^ set(ob)):
            problems.append(f"/{name}: only in {'first' if name in oa else 'second'} file")
        for name in sorted(set(oa) & set(ob)):
            x, y = oa[name], ob[name]
            if isinstance(x, h5py.Dataset) != isinstance(y, h5py.Dataset):
                problems.append(f"/{name}: dataset in one file, group in the other")
                continue
            if isinstance(x, h5py.Dataset):
                if x.dtype != y.dtype or x.shape != y.shape:
                    problems.append(f"/{name}: {x.dtype}{x.shape} != {y.dtype}{y.shape}")
                elif not same_value(x[()], y[()]):
                    problems.append(f"/{name}: values differ")
            for attr in sorted(set(x.attrs) | set(y.attrs)):
                if attr in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue  # object references: their addresses may differ, checked by name below
                if attr not in x.attrs or attr not in y.attrs:
                    problems.append(f"/{name} attribute {attr}: only in one file")
                elif not same_value(x.attrs[attr], y.attrs[attr]):
                    problems.append(f"/{name} attribute {attr}: differs")
            if isinstance(x, h5py.Dataset):
                # Read the references directly: h5py's dims API scans every scale's
                # back-reference list, which is slow with thousands of attached datasets.
                dims_x, dims_y = dimension_names(a, x, scales_a), dimension_names(b, y, scales_b)
                if dims_x != dims_y:
                    problems.append(f"/{name}: dimension scales {dims_x} != {dims_y}")
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_results.py A.h5 B.h5")
    problems = compare(sys.argv[1], sys.argv[2])
    for p in problems:
        print(p)
    if problems:
        print(f"{sys.argv[1]} and {sys.argv[2]} differ ({len(problems)} difference(s))")
        sys.exit(1)
    print(f"{sys.argv[1]} and {sys.argv[2]}: identical datasets and attributes")


if __name__ == "__main__":
    main()
