#pragma once
// Everything chiprace needs to know about a model before it runs one: its settings, its
// parameters, its policy levers, its outputs and how to build it. The experiment loader reads
// an experiment file against this schema (types, ranges, defaults, did-you-mean, every problem
// in one pass), so a model never parses a file. Built-in models and plug-ins declare
// themselves the same way (docs/writing-a-model.md).
//
// Header-only on purpose: a plug-in compiled against it needs no symbol of chiprace's library.

#include "chiprace/model/model.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace chiprace::model {

/// Where a value may lie, and how a message says so ("a share in [0, 1]"). Infinity is a
/// value only where allow_infinity says so (a cap "inf" means no cap).
struct ValueRange {
    double low = -std::numeric_limits<double>::infinity();
    double high = std::numeric_limits<double>::infinity();
    bool low_open = false;  // low itself excluded
    bool high_open = false; // high itself excluded
    bool allow_infinity = false;
    std::string what = "a finite number";

    [[nodiscard]] bool contains(double v) const {
        if (std::isnan(v))
            return false;
        if (std::isinf(v))
            return allow_infinity && v > 0 && high == std::numeric_limits<double>::infinity();
        return (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
    }

    static ValueRange share() { return {0.0, 1.0, false, false, false, "a share in [0, 1]"}; }
    static ValueRange non_negative() {
        return {0.0, std::numeric_limits<double>::infinity(), false, false, false, "non-negative"};
    }
    static ValueRange positive() {
        return {0.0, std::numeric_limits<double>::infinity(), true, false, false, "positive"};
    }
};

/// One entry of the model's [model] table.
struct SettingSpec {
    enum class Kind { number, integer, numbers }; // numbers: a non-empty array of numbers
    std::string name;
    Kind kind = Kind::number;
    std::string description;
    ValueRange range;            // of the value, or of each entry of an array
    bool required = false;       // else the default holds when the setting is absent
    double default_number = 0.0; // number and integer settings
    std::vector<double> default_numbers = {};
};

/// One model parameter: a column of [parameters], sampled from its distribution.
struct ParameterSpec {
    std::string name;
    std::string units;
    std::string description;
    ValueRange range = ValueRange::non_negative(); // the whole support must lie in it
    /// An optional parameter the experiment does not sample takes its neutral value (what makes
    /// a mechanism switch off); the model is told it is absent.
    bool required = true;
    double neutral = std::numeric_limits<double>::quiet_NaN();
};

/// One policy lever: a number, inf or a year-step table in each [policies.<name>] table.
struct LeverSpec {
    std::string name;
    std::string units;
    std::string description;
    ValueRange range = ValueRange::share();
    bool required = true; // else a policy that leaves it out gets `neutral`
    double neutral = std::numeric_limits<double>::quiet_NaN();
};

/// The [model] table's values after validation, every default filled in.
class SettingValues {
public:
    using Value = std::variant<double, std::int64_t, std::vector<double>>;
    void set(const std::string& name, Value value) { values_[name] = std::move(value); }
    [[nodiscard]] bool has(const std::string& name) const { return values_.contains(name); }
    [[nodiscard]] double number(const std::string& name) const {
        return std::get<double>(at(name));
    }
    [[nodiscard]] std::int64_t integer(const std::string& name) const {
        return std::get<std::int64_t>(at(name));
    }
    [[nodiscard]] const std::vector<double>& numbers(const std::string& name) const {
        return std::get<std::vector<double>>(at(name));
    }
    [[nodiscard]] const std::map<std::string, Value>& all() const { return values_; }

private:
    [[nodiscard]] const Value& at(const std::string& name) const {
        const auto it = values_.find(name);
        if (it == values_.end())
            throw std::out_of_range("the model has no setting '" + name + "'");
        return it->second;
    }
    std::map<std::string, Value> values_;
};

/// One setting of the levers: each lever's value in each model year (index k = t − first year).
struct Policy {
    std::string name;
    std::vector<std::vector<double>> by_year; // [lever][k], levers in the definition's order
    [[nodiscard]] double at(std::size_t lever, std::size_t k) const { return by_year[lever][k]; }
    template <typename Lever>
    requires std::is_enum_v<Lever>
    [[nodiscard]] double at(Lever lever, std::size_t k) const {
        return at(static_cast<std::size_t>(lever), k);
    }
};

/// In ModelArguments::parameter_index: this optional parameter is not sampled.
inline constexpr std::size_t absent_parameter = static_cast<std::size_t>(-1);

/// What a model is built from, all validated against its definition.
struct ModelArguments {
    SettingValues settings;
    /// Named inputs: for each of the definition's parameters, its column among the
    /// experiment's parameters, or absent_parameter for an optional one not sampled.
    /// Positional inputs: 0, 1, … one per sampled parameter.
    std::vector<std::size_t> parameter_index;
    std::vector<int> years;       // the time axis; empty for a model without one
    std::vector<Policy> policies; // one per variant; empty for a model without levers
};

/// A problem the model's own cross-check finds (one the schema cannot express, e.g. "end year
/// after start year"): placed at a setting, at a parameter, or at [experiment] model.
struct ModelProblem {
    enum class At { model, setting, parameter };
    At at = At::model;
    std::string name; // of the setting or parameter
    std::string message;
};

struct ModelDefinition {
    std::string name; // [experiment] model = "<name>"; letters, digits and '_'
    std::string description;
    int version = 1; // of the equations (recorded in result files)
    std::vector<SettingSpec> settings;
    /// Named: the experiment's [parameters] are exactly (a superset of the required of) these,
    /// in any order. Positional: the model takes every sampled parameter, whatever its name, in
    /// the order written (a test function of d inputs); `parameters` is then empty.
    enum class Inputs { named, positional };
    Inputs inputs = Inputs::named;
    std::vector<ParameterSpec> parameters;
    /// What messages call a parameter ("input" for a test function of x1, x2, …).
    std::string parameter_noun = "parameter";
    std::vector<LeverSpec> levers; // none: the model has one variant and no [policies]
    std::vector<OutputSpec> outputs;
    /// What `chiprace info` shows for each policy without --all: these per-year outputs in these
    /// years (recorded in the result file). Empty: the first three per-year outputs; the first
    /// and the last year.
    std::vector<std::string> headline_outputs;
    std::vector<int> headline_years;
    /// The priors a user includes to sample every parameter, relative to the directory the
    /// model's files are installed in (experiments/ for built-ins); empty when none.
    std::string default_priors;
    /// The model's calendar years from its settings; null for a model without a time axis.
    /// A model with levers needs one (a lever's value is set per year).
    std::function<std::vector<int>(const SettingValues&)> years;
    /// Cross-checks beyond the schema, given the settings and the sampled parameters' names in
    /// the order written; null when there are none.
    std::function<std::vector<ModelProblem>(const SettingValues&,
                                            std::span<const std::string> sampled)>
        check;
    std::function<std::shared_ptr<const Model>(const ModelArguments&)> build;
};

} // namespace chiprace::model
