#include "chiprace/io/row_copy.hpp"

#include "chiprace/io/hdf5_handle.hpp"

#include <algorithm>
#include <vector>

namespace chiprace::io {

void copy_rows(const std::string& from, const std::string& to, const ResultLayout& layout,
               std::uint64_t first, std::uint64_t end) {
    if (end <= first)
        return;
    auto src = h5_file(H5Fopen(from.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + from);
    auto dst = h5_file(H5Fopen(to.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + to);
    std::vector<std::pair<std::string, std::size_t>> datasets; // path, columns (0: 1-D)
    for (const auto& in : layout.inputs)
        datasets.emplace_back("inputs/" + in.name, 0);
    if (layout.calibration)
        datasets.emplace_back("calibration/weight", 0);
    for (const auto& group : layout.variant_groups)
        for (const auto& out : layout.outputs)
            if (out.kept)
                datasets.emplace_back(ResultLayout::join(group, "outputs/" + out.name).substr(1),
                                      out.per_year ? layout.years.size() : 0);
    std::vector<unsigned char> buffer;
    for (const auto& [path, width] : datasets) {
        auto in =
            h5_dataset(H5Dopen2(src, path.c_str(), H5P_DEFAULT), "opening " + from + ":" + path);
        auto out =
            h5_dataset(H5Dopen2(dst, path.c_str(), H5P_DEFAULT), "opening " + to + ":" + path);
        // The stored type, so that the bytes pass unchanged.
        auto type = h5_type(H5Dget_type(in), "type of " + path);
        const std::size_t row_bytes = H5Tget_size(type) * std::max<std::size_t>(1, width);
        const std::uint64_t step =
            std::max<std::uint64_t>(1, (std::uint64_t{64} << 20) / row_bytes);
        for (std::uint64_t a = first; a < end; a += step) {
            const std::uint64_t n = std::min(step, end - a);
            const int rank = width == 0 ? 1 : 2;
            const hsize_t start[2] = {a, 0};
            const hsize_t count[2] = {n, std::max<std::size_t>(1, width)};
            auto mem = h5_space(H5Screate_simple(rank, count, nullptr), "memory space");
            auto in_space = h5_space(H5Dget_space(in), "dataspace");
            auto out_space = h5_space(H5Dget_space(out), "dataspace");
            check_h5(H5Sselect_hyperslab(in_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                     "selecting rows");
            check_h5(H5Sselect_hyperslab(out_space, H5S_SELECT_SET, start, nullptr, count, nullptr),
                     "selecting rows");
            buffer.resize(n * row_bytes);
            check_h5(H5Dread(in, type, mem, in_space, H5P_DEFAULT, buffer.data()),
                     "reading rows of " + from + ":" + path);
            check_h5(H5Dwrite(out, type, mem, out_space, H5P_DEFAULT, buffer.data()),
                     "writing rows of " + to + ":" + path);
        }
    }
    dst.close(to);
}

} // namespace chiprace::io
