#include "chiprace/io/raw_row_writer.hpp"

#include <filesystem>
#include <string>

namespace chiprace::io {

RawRowWriter::RawRowWriter(const std::string& path, const ResultLayout& layout, MPI_Comm comm)
    : path_(path), layout_(layout), comm_(comm) {
    try {
        open(comm);
    } catch (...) {
        abandon(); // this rank may fail alone: no collective close (see the destructor)
        throw;
    }
}

RawRowWriter::~RawRowWriter() {
    if (std::uncaught_exceptions() > unwinding_at_open_)
        abandon();
}

void RawRowWriter::abandon() noexcept {
    for (auto& set : input_sets_)
        set.abandon();
    for (auto& sets : output_sets_)
        for (auto& set : sets)
            set.abandon();
    transfer_.abandon();
    file_.abandon();
}

void RawRowWriter::open(MPI_Comm comm) {
    auto fapl = h5_plist(H5Pcreate(H5P_FILE_ACCESS), "file access list");
    check_h5(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "selecting MPI-IO");
    file_ =
        h5_file(H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl), "opening " + path_ + " in parallel");
    transfer_ = h5_plist(H5Pcreate(H5P_DATASET_XFER), "transfer list");
    check_h5(H5Pset_dxpl_mpio(transfer_, H5FD_MPIO_COLLECTIVE), "selecting collective I/O");
    for (const auto& in : layout_.inputs)
        input_sets_.push_back(
            h5_dataset(H5Dopen2(file_, ("inputs/" + in.name).c_str(), H5P_DEFAULT),
                       "opening /inputs/" + in.name));
    // A calibrated run's weights travel as one more input column (the runner's last).
    if (layout_.calibration)
        input_sets_.push_back(h5_dataset(H5Dopen2(file_, "calibration/weight", H5P_DEFAULT),
                                         "opening /calibration/weight"));
    for (const auto& group : layout_.variant_groups) {
        auto& sets = output_sets_.emplace_back();
        for (const auto& out : layout_.outputs) {
            if (!out.kept) { // keeps its place: sets[k] is output k
                sets.emplace_back();
                continue;
            }
            const std::string name = ResultLayout::join(group, "outputs/" + out.name);
            sets.push_back(
                h5_dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), "opening " + name));
        }
    }
}

void RawRowWriter::write_column_block(hid_t dataset, std::uint64_t first, std::size_t n,
                                      std::size_t width, const double* data, bool narrow) {
    std::string error;
    try {
        write_column_block_here(dataset, first, n, width, data, narrow);
    } catch (const RuntimeFailure& e) {
        error = failure("write rows to", e);
    }
    agree(error);
}

void RawRowWriter::write_column_block_here(hid_t dataset, std::uint64_t first, std::size_t n,
                                           std::size_t width, const double* data, bool narrow) {
    auto file_space = h5_space(H5Dget_space(dataset), "dataspace");
    const hsize_t start[2] = {first, 0};
    const hsize_t count[2] = {n, std::max<std::size_t>(width, 1)};
    const int rank = width == 0 ? 1 : 2;
    const hsize_t mem_dims[2] = {std::max<hsize_t>(n, 1), count[1]};
    auto mem_space = h5_space(H5Screate_simple(rank, mem_dims, nullptr), "memory dataspace");
    if (n == 0) {
        // A rank without rows still takes part in the collective call.
        check_h5(H5Sselect_none(file_space), "empty selection");
        check_h5(H5Sselect_none(mem_space), "empty selection");
    } else {
        check_h5(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                 "selecting rows");
    }
    if (narrow) {
        const std::size_t count_values = n * std::max<std::size_t>(width, 1);
        narrow_.resize(std::max<std::size_t>(count_values, 1));
        for (std::size_t i = 0; i < count_values; ++i)
            narrow_[i] = static_cast<float>(data[i]);
        check_h5(
            H5Dwrite(dataset, H5T_NATIVE_FLOAT, mem_space, file_space, transfer_, narrow_.data()),
            "writing rows");
    } else {
        check_h5(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, mem_space, file_space, transfer_, data),
                 "writing rows");
    }
    // Ask rather than assume (as HighFive's parallel example does): HDF5 silently falls back
    // to independent I/O for some layouts and type conversions.
    std::uint32_t local = 0, global = 0;
    check_h5(H5Pget_mpio_no_collective_cause(transfer_, &local, &global), "collective-I/O query");
    if (global != H5D_MPIO_COLLECTIVE && broken_.size() < 8)
        broken_.push_back("global cause " + std::to_string(global) + ", local cause " +
                          std::to_string(local));
}

std::string RawRowWriter::failure(const std::string& what, const std::exception& e) const {
    std::string reason = e.what();
    const auto parent = std::filesystem::path(path_).parent_path();
    const auto directory = parent.empty() ? std::filesystem::path(".") : parent;
    std::error_code ec;
    const auto space = std::filesystem::space(directory, ec);
    if (!ec && space.available < (std::uintmax_t{64} << 20))
        reason += "; no space left on device? the file system of " + directory.string() + " has " +
                  std::to_string(space.available >> 20) + " MB free";
    return "cannot " + what + " " + path_ + ": " + reason;
}

void RawRowWriter::agree(const std::string& error) const {
    int rank = 0, ranks = 1;
    MPI_Comm_rank(comm_, &rank);
    MPI_Comm_size(comm_, &ranks);
    int first = error.empty() ? ranks : rank;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm_);
    if (first == ranks)
        return;
    std::string message = error;
    int length = static_cast<int>(message.size());
    MPI_Bcast(&length, 1, MPI_INT, first, comm_);
    message.resize(static_cast<std::size_t>(length));
    MPI_Bcast(message.data(), length, MPI_CHAR, first, comm_);
    if (ranks > 1)
        message += " (reported by rank " + std::to_string(first) + ")";
    throw CollectiveFailure(message);
}

void RawRowWriter::write(std::uint64_t first, std::size_t n, std::span<const double> inputs,
                         std::span<const std::span<const double>> outputs, std::size_t stride) {
    write_rows(first, n, inputs, outputs, stride);
}

void RawRowWriter::write_rows(std::uint64_t first, std::size_t n, std::span<const double> inputs,
                              std::span<const std::span<const double>> outputs,
                              std::size_t stride) {
    static const double nothing = 0.0;
    for (std::size_t j = 0; j < input_sets_.size(); ++j)
        write_column_block(input_sets_[j], first, n, 0, n ? inputs.data() + j * stride : &nothing);
    const std::size_t years = layout_.years.size();
    for (std::size_t v = 0; v < output_sets_.size(); ++v) {
        std::size_t column = 0;
        for (std::size_t k = 0; k < layout_.outputs.size(); ++k) {
            const auto& spec = layout_.outputs[k];
            if (!spec.kept) {
                column += spec.per_year ? years : 1;
                continue;
            }
            if (!spec.per_year) {
                write_column_block(output_sets_[v][k], first, n, 0,
                                   n ? outputs[v].data() + column * stride : &nothing,
                                   layout_.single_precision);
                ++column;
                continue;
            }
            // Block columns are year-major; the file's rows are sample-major.
            scratch_.resize(std::max<std::size_t>(n * years, 1));
            for (std::size_t t = 0; t < years; ++t) {
                const double* src = outputs[v].data() + (column + t) * stride;
                for (std::size_t i = 0; i < n; ++i)
                    scratch_[i * years + t] = src[i];
            }
            write_column_block(output_sets_[v][k], first, n, years, scratch_.data(),
                               layout_.single_precision);
            column += years;
        }
    }
}

void RawRowWriter::flush() {
    std::string error;
    try {
        check_h5(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flushing the result file");
    } catch (const RuntimeFailure& e) {
        error = failure("flush", e);
    }
    agree(error);
}

void RawRowWriter::close() {
    std::string error;
    try {
        input_sets_.clear();
        output_sets_.clear();
        transfer_.reset();
        file_.close("the result file");
    } catch (const RuntimeFailure& e) {
        error = failure("close", e);
    }
    agree(error);
}

} // namespace chiprace::io
