#include "chiprace/io/finishing_rollback.hpp"

#include "chiprace/io/hdf5_write.hpp"

#include <hdf5_hl.h>
#include <vector>

namespace chiprace::io {

namespace {

/// The datasets under a group, by path from the file's root.
std::vector<std::string> datasets_under(hid_t file, const std::string& group) {
    std::vector<std::string> found;
    auto g = h5_group(H5Gopen2(file, group.c_str(), H5P_DEFAULT), "opening " + group);
    const auto visit = [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET)
            static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    check_h5(H5Ovisit(g, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &found), "listing " + group);
    for (auto& name : found)
        name = group + "/" + name;
    return found;
}

/// Detaches every scale of `scales` from every dimension of the dataset it is attached to.
void detach(hid_t file, const std::string& path, const std::vector<Hdf5Handle>& scales) {
    auto ds = h5_dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "opening " + path);
    auto space = h5_space(H5Dget_space(ds), "dataspace of " + path);
    const int rank = H5Sget_simple_extent_ndims(space);
    for (const auto& scale : scales)
        for (unsigned dim = 0; dim < static_cast<unsigned>(std::max(rank, 0)); ++dim)
            if (H5DSis_attached(ds, scale, dim) > 0)
                check_h5(H5DSdetach_scale(ds, scale, dim), "detaching a scale from " + path);
}

} // namespace

void roll_back_finishing(const std::string& path, const ResultLayout& layout) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
    std::vector<Hdf5Handle> scales;
    for (const char* name : {"time", "quantile_level", "parameter", "sensitivity_year"})
        if (link_exists(file, name))
            scales.push_back(h5_dataset(H5Dopen2(file, name, H5P_DEFAULT), "opening a scale"));
    std::vector<std::string> groups = layout.variant_groups;
    groups.insert(groups.end(), layout.contrast_groups.begin(), layout.contrast_groups.end());
    for (const auto& group : groups)
        for (const char* part : {"summary", "sensitivity", "posterior"}) {
            const std::string where = ResultLayout::join(group, part);
            if (!link_exists(file, where))
                continue;
            for (const auto& ds : datasets_under(file, where))
                detach(file, ds, scales);
            check_h5(H5Ldelete(file, where.c_str(), H5P_DEFAULT), "deleting " + where);
        }
    // A calibrated run's diagnostics and input summaries; its targets and weights stay.
    for (const char* where : {"calibration/diagnostics", "calibration/inputs"}) {
        if (!link_exists(file, where))
            continue;
        for (const auto& ds : datasets_under(file, std::string("/") + where))
            detach(file, ds, scales);
        check_h5(H5Ldelete(file, where, H5P_DEFAULT), std::string("deleting /") + where);
    }
    // /robustness: its own scales (policy, versus, threshold) go with it; /quantile_level must
    // first forget the regret quantiles.
    if (link_exists(file, "robustness")) {
        for (const auto& ds : datasets_under(file, "/robustness"))
            detach(file, ds, scales);
        check_h5(H5Ldelete(file, "robustness", H5P_DEFAULT), "deleting /robustness");
    }
    scales.clear();
    for (const char* name : {"parameter", "sensitivity_year"})
        if (link_exists(file, name))
            check_h5(H5Ldelete(file, name, H5P_DEFAULT), std::string("deleting /") + name);
    check_h5(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing " + path);
    file.close(path);
}

} // namespace chiprace::io
