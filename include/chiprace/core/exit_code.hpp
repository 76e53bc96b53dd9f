#pragma once
// Process exit codes, documented in docs/getting-started.md; scripts and Slurm rely on them.

namespace chiprace::exit_code {
inline constexpr int success = 0;
inline constexpr int failure = 1;     // runtime failure (I/O, MPI, internal)
inline constexpr int bad_input = 2;   // the experiment or command line is wrong
inline constexpr int interrupted = 3; // stopped by a signal, resumable
} // namespace chiprace::exit_code
