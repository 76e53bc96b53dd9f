#pragma once
// The per-sample rows of a finished result file, read back one column at a time, for analyses
// that make a second pass over them (`chiprace analyze`): memory is one column of N values
// whatever the number of outputs and years.

#include "chiprace/io/hdf5_handle.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace chiprace::io {

struct RawOutput {
    std::string name;
    std::string units;
    bool per_year = false; // (N, T) rather than (N)
};

struct RawGroup {
    std::string group;              // "" (root /outputs) or "policies/<p>"
    std::vector<RawOutput> outputs; // in HDF5 link order (alphabetical)
};

class RawRowReader {
public:
    /// Opens path read-only. Throws RuntimeFailure when it has no /inputs, when /inputs and the
    /// "parameters" of /config_resolved disagree, or when a per-sample dataset does not have
    /// the file's N rows (and T columns).
    explicit RawRowReader(const std::string& path);

    [[nodiscard]] std::uint64_t rows() const { return rows_; }
    /// Parameter names in parameter order (that of /config_resolved and /parameter).
    [[nodiscard]] const std::vector<std::string>& inputs() const { return inputs_; }
    /// /time, empty for a model without a time axis.
    [[nodiscard]] const std::vector<int>& years() const { return years_; }
    [[nodiscard]] const std::vector<RawGroup>& groups() const { return groups_; }
    /// The outputs [output] keep named (then the others have summaries but no rows); empty when
    /// the run stored every output's rows.
    [[nodiscard]] const std::vector<std::string>& kept_outputs() const { return kept_; }

    /// /inputs/<inputs()[k]>, rows() values.
    void read_input(std::size_t k, std::span<double> out) const;
    /// <group>/outputs/<name>: the whole column of a scalar output, column t of a per-year one.
    void read_output(const std::string& group, const RawOutput& output, std::size_t t,
                     std::span<double> out) const;
    /// Rows [first, first + out.size()) only (a hyperslab), for readers that hold a range of
    /// the rows or go through them in chunks.
    void read_input_rows(std::size_t k, std::uint64_t first, std::span<double> out) const;
    void read_output_rows(const std::string& group, const RawOutput& output, std::size_t t,
                          std::uint64_t first, std::span<double> out) const;

private:
    void read_column(const std::string& dataset, std::size_t t, bool two_dimensional,
                     std::uint64_t first, std::span<double> out) const;
    [[nodiscard]] static std::string output_dataset(const std::string& group,
                                                    const RawOutput& output);

    std::string path_;
    Hdf5Handle file_;
    std::uint64_t rows_ = 0;
    std::vector<std::string> inputs_;
    std::vector<int> years_;
    std::vector<RawGroup> groups_;
    std::vector<std::string> kept_;
};

} // namespace chiprace::io
