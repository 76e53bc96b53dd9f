#pragma once
// What `chiprace info` shows of a model with policies unless --all: its headline outputs in its
// headline years (docs/writing-a-model.md, "headline_outputs").

#include "chiprace/io/result_reader.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace chiprace::app {

struct HeadlineSelection {
    std::vector<std::string> outputs;   // per-year outputs, in the model's order
    std::vector<std::size_t> year_rows; // indices into ResultOverview::years
};

/// From the root attributes headline_outputs and headline_years, written by the run; a file
/// without them: the first three per-year outputs, in the first and the last year.
HeadlineSelection headline_selection(const io::ResultOverview& o);

} // namespace chiprace::app
