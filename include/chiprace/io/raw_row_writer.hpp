#pragma once
// Every rank writes its rows of the per-sample datasets into the one shared file with
// collective MPI-IO hyperslab writes (parallel HDF5). A write, flush or close that fails on any
// rank throws CollectiveFailure on every rank (a full disk is often reported to one rank only).

#include "chiprace/io/hdf5_handle.hpp"
#include "chiprace/io/result_layout.hpp"

#include <exception>
#include <mpi.h>
#include <span>
#include <string>
#include <vector>

namespace chiprace::io {

class RawRowWriter {
public:
    /// Collective over comm: opens the file create_result_file() made.
    RawRowWriter(const std::string& path, const ResultLayout& layout, MPI_Comm comm);
    RawRowWriter(const RawRowWriter&) = delete;
    RawRowWriter& operator=(const RawRowWriter&) = delete;
    /// Closes the file collectively, unless an exception is unwinding the stack: then this
    /// rank may be failing alone (a model error, memory), and a collective close would wait
    /// forever for ranks that are inside the next write. The handles are abandoned; the caller
    /// ends every rank (MPI_Abort), and what the last ledger names was flushed before it was
    /// written.
    ~RawRowWriter();

    /// Collective: every rank calls it the same number of times; a rank with nothing to write
    /// passes n = 0. inputs: one column per input, column j at j*stride, then a calibrated
    /// run's weights (/calibration/weight) as one more column; outputs[v]: the model's columns
    /// of variant v, column c at c*stride.
    void write(std::uint64_t first, std::size_t n, std::span<const double> inputs,
               std::span<const std::span<const double>> outputs, std::size_t stride);

    /// Collective: the rows written so far reach the disk (before a checkpoint names them).
    void flush();
    /// Collective; reports a failed close (where MPI-IO write-back errors appear).
    void close();

    /// Writes that HDF5 performed independently although collective I/O was asked for, with
    /// the reason it gave (H5Pget_mpio_no_collective_cause); empty when all were collective.
    [[nodiscard]] const std::vector<std::string>& broken_collective() const { return broken_; }

private:
    /// Writes n rows of width values (0: a 1-D dataset) from data, row-major. In single
    /// precision the values are narrowed here: HDF5 1.10 breaks collective I/O, which filtered
    /// datasets require, whenever it has to convert types itself.
    void write_column_block(hid_t dataset, std::uint64_t first, std::size_t n, std::size_t width,
                            const double* data, bool narrow = false);
    /// The same on this rank alone: throws without asking the others.
    void write_column_block_here(hid_t dataset, std::uint64_t first, std::size_t n,
                                 std::size_t width, const double* data, bool narrow);

    /// The failure of a write, flush or close, with the path and, when the file system is
    /// (nearly) full, that reason: HDF5 and MPI-IO report only "write failed".
    [[nodiscard]] std::string failure(const std::string& what, const std::exception& e) const;
    /// Collective, after every collective call: MPI-IO reports a failed write only to the rank
    /// that did it (with two-phase I/O, the aggregator), while the others go on to the next
    /// collective call and would wait there forever. Every rank learns whether any failed, and
    /// all throw the first failing rank's message together (CollectiveFailure).
    void agree(const std::string& error) const;
    void open(MPI_Comm comm);
    /// Forgets every handle without closing it (see the destructor).
    void abandon() noexcept;
    void write_rows(std::uint64_t first, std::size_t n, std::span<const double> inputs,
                    std::span<const std::span<const double>> outputs, std::size_t stride);

    std::string path_;
    const ResultLayout& layout_;
    MPI_Comm comm_;
    Hdf5Handle file_;
    Hdf5Handle transfer_;
    std::vector<Hdf5Handle> input_sets_;
    std::vector<std::vector<Hdf5Handle>> output_sets_; // [variant][output]
    std::vector<double> scratch_;
    std::vector<float> narrow_;
    std::vector<std::string> broken_;
    int unwinding_at_open_ = std::uncaught_exceptions();
};

} // namespace chiprace::io
