#pragma once
// What `chiprace info` says of a calibrated run (docs/calibration.md): the targets, how much of
// the sample the weights kept, and prior against posterior for the headline outputs and for
// the inputs the evidence narrowed most.

#include "chiprace/io/result_reader.hpp"

#include <ostream>

namespace chiprace::app {

/// Prints nothing for a file without /calibration. `all`: every output of every group and
/// year, and every input, instead of the headline outputs and the five most narrowed inputs.
void print_calibration(const io::ResultOverview& o, bool all, std::ostream& out);

} // namespace chiprace::app
