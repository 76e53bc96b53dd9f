#pragma once
// The case of interest of `chiprace discover`, as the user writes it:
//   frontier_gap_years[2030] < 1                   one policy's output (scalar: no [year])
//   regret(frontier_gap_years[2030], higher) > 0.5 the best policy's value in the row minus this
//                                                  policy's (higher is better; lower: this
//                                                  policy's minus the best's)
// with one of < <= > >= and a number. Parsing only; app/ resolves names against the file.

#include "chiprace/stats/event_count.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace chiprace::discovery {

class BadCaseExpression : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CaseExpression {
    std::string output;
    std::optional<int> year;
    bool regret = false;
    bool higher_is_better = true; // regret only
    stats::Comparison comparison = stats::Comparison::less;
    double threshold = 0.0;

    /// The canonical text ("regret(x[2030], higher) > 0.5"), for attributes and messages.
    [[nodiscard]] std::string text() const;
    /// Whether a value meets the comparison; NaN never does.
    [[nodiscard]] bool holds(double value) const;
};

/// Throws BadCaseExpression saying what was expected where.
[[nodiscard]] CaseExpression parse_case_expression(const std::string& text);

/// The regret of one row: best - value (higher is better) or value - best (lower is better),
/// where best is the best of the row's values over all policies.
[[nodiscard]] double regret_of(double value, double best, bool higher_is_better);

} // namespace chiprace::discovery
