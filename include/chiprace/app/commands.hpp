#pragma once
// The `chiprace` command line: run, validate, info, analyze, --version. Returns the process exit
// code (core/exit_code.hpp); only rank 0 prints.

#include "chiprace/parallel/mpi_session.hpp"

namespace chiprace::app {

int main_with_mpi(int argc, char** argv, const parallel::MpiSession& mpi);

} // namespace chiprace::app
