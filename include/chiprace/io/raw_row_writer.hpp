#pragma once
// Every rank writes its rows of the per-sample datasets into the one shared file with
// collective MPI-IO hyperslab writes (parallel HDF5).

#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/result_layout.hpp"

#include <mpi.h>
#include <span>
#include <string>
#include <vector>

namespace chiprace::io {

class RawRowWriter {
public:
    /// Collective over comm: opens the file create_result_file() made.
    RawRowWriter(const std::string& path, const ResultLayout& layout, MPI_Comm comm);

    /// Collective: every rank calls it the same number of times; a rank with nothing to write
    /// passes n = 0. inputs: one column per input, column j at j*stride; outputs[v]: the
    /// model's columns of variant v, column c at c*stride.
    void write(std::uint64_t first, std::size_t n, std::span<const double> inputs,
               std::span<const std::span<const double>> outputs, std::size_t stride);

    /// Collective; reports a failed close (where MPI-IO write-back errors appear).
    void close();

private:
    void write_column_block(hid_t dataset, std::uint64_t first, std::size_t n, std::size_t width,
                            const double* data);

    const ResultLayout& layout_;
    Hdf5Handle file_;
    Hdf5Handle transfer_;
    std::vector<Hdf5Handle> input_sets_;
    std::vector<std::vector<Hdf5Handle>> output_sets_; // [variant][output]
    std::vector<double> scratch_;
};

} // namespace chiprace::io
