#pragma once
// What every model is to the rest of chiprace: a pure function from a block of parameter
// vectors (structure of arrays) to a block of outputs, per variant (policy). No I/O, no MPI,
// no random numbers of its own.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace chiprace::model {

/// An event whose probability the summaries report for an output (every year of a series):
/// "value <comparison> threshold", e.g. frontier_gap_years < 0 ("China ahead"). Counted in each
/// policy's summary (not in contrasts: an experiment's [output] events can add those).
struct OutputEvent {
    enum class Comparison { less, less_equal, greater, greater_equal };
    std::string name; // short, unique within the output: "below_0.25"
    Comparison comparison = Comparison::less;
    double threshold = 0.0;
    std::string description; // what the event means, for the file's attributes
};

struct OutputSpec {
    std::string name;
    std::string units;
    std::string description;
    bool per_year = false;       // a (N, T) series over the model's years, else a scalar (N)
    bool integer_valued = false; // years, counts: summarised with exact quantiles
    std::vector<OutputEvent> events = {}; // none unless the model declares some
};

/// Parameter values of n samples: column j (parameter j of the experiment) at j*n.
class InputBlock {
public:
    InputBlock(std::span<const double> data, std::size_t n) : data_(data), n_(n) {}
    [[nodiscard]] std::size_t size() const { return n_; }
    [[nodiscard]] std::span<const double> column(std::size_t j) const {
        return data_.subspan(j * n_, n_);
    }

private:
    std::span<const double> data_;
    std::size_t n_;
};

/// Output values of n samples: one column per scalar output, T per series (year-major), in
/// the order of Model::outputs(); column c at c*n.
class OutputBlock {
public:
    OutputBlock(std::span<double> data, std::size_t n) : data_(data), n_(n) {}
    [[nodiscard]] std::size_t size() const { return n_; }
    [[nodiscard]] std::span<double> column(std::size_t c) const {
        return data_.subspan(c * n_, n_);
    }

private:
    std::span<double> data_;
    std::size_t n_;
};

class Model {
public:
    virtual ~Model() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    /// The version of the model's equations, recorded in result files: a model that changes
    /// what it computes for the same inputs takes a new version.
    [[nodiscard]] virtual int version() const { return 1; }
    [[nodiscard]] virtual const std::vector<OutputSpec>& outputs() const = 0;
    /// Calendar years of the series outputs; empty for a model without a time axis.
    [[nodiscard]] virtual std::span<const int> years() const { return {}; }
    /// Policies (variants) evaluated on the same samples. A model without policy levers has
    /// one unnamed variant, and its results go to the file's root.
    [[nodiscard]] virtual std::size_t variant_count() const { return 1; }
    [[nodiscard]] virtual std::string variant_name(std::size_t) const { return {}; }
    virtual void evaluate(std::size_t variant, const InputBlock& in, OutputBlock& out) const = 0;

    /// Output columns per sample: scalars count one, series count years().size().
    [[nodiscard]] std::size_t column_count() const { return first_column(outputs().size()); }
    /// First column of output k. (Inline, as all of this header: a plug-in needs no symbol of
    /// chiprace's library.)
    [[nodiscard]] std::size_t first_column(std::size_t k) const {
        const auto& outs = outputs();
        const std::size_t t = years().size();
        std::size_t c = 0;
        for (std::size_t i = 0; i < k && i < outs.size(); ++i)
            c += outs[i].per_year ? t : 1;
        return c;
    }
};

} // namespace chiprace::model
