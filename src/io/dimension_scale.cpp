#include "chiprace/io/dimension_scale.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace chiprace::io {

namespace {

// The names and types of HDF5's dimension-scale specification (H5DSpublic.h, H5DS.c of
// HDF5 1.10): a reader cannot tell these from H5DSattach_scale's.
constexpr const char* dimension_list = "DIMENSION_LIST";
constexpr const char* reference_list = "REFERENCE_LIST";

struct ReferenceListEntry { // H5DS's ds_list_t
    hobj_ref_t ref;
    unsigned int dim_idx;
};

Hdf5Handle reference_list_type() {
    auto type = h5_type(H5Tcreate(H5T_COMPOUND, sizeof(ReferenceListEntry)), "REFERENCE_LIST type");
    check_h5(H5Tinsert(type, "dataset", offsetof(ReferenceListEntry, ref), H5T_STD_REF_OBJ),
             "REFERENCE_LIST type");
    check_h5(H5Tinsert(type, "dimension", offsetof(ReferenceListEntry, dim_idx), H5T_NATIVE_INT),
             "REFERENCE_LIST type");
    return type;
}

hobj_ref_t reference_to(hid_t object) {
    hobj_ref_t ref{};
    check_h5(H5Rcreate(&ref, object, ".", H5R_OBJECT, -1), "referring to a dimension scale");
    return ref;
}

std::vector<ReferenceListEntry> read_reference_list(hid_t scale) {
    std::vector<ReferenceListEntry> entries;
    if (H5Aexists(scale, reference_list) <= 0)
        return entries;
    auto attr = h5_attribute(H5Aopen(scale, reference_list, H5P_DEFAULT), "opening REFERENCE_LIST");
    auto space = h5_space(H5Aget_space(attr), "dataspace of REFERENCE_LIST");
    const auto n = H5Sget_simple_extent_npoints(space);
    if (n < 0)
        throw RuntimeFailure("HDF5: size of a REFERENCE_LIST");
    entries.resize(static_cast<std::size_t>(n));
    auto type = reference_list_type();
    if (n > 0)
        check_h5(H5Aread(attr, type, entries.data()), "reading REFERENCE_LIST");
    return entries;
}

void write_reference_list(hid_t scale, const std::vector<ReferenceListEntry>& entries) {
    if (H5Aexists(scale, reference_list) > 0)
        check_h5(H5Adelete(scale, reference_list), "replacing REFERENCE_LIST");
    if (entries.empty())
        return;
    const hsize_t n = entries.size();
    auto space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of REFERENCE_LIST");
    auto type = reference_list_type();
    auto attr =
        h5_attribute(H5Acreate2(scale, reference_list, type, space, H5P_DEFAULT, H5P_DEFAULT),
                     "creating REFERENCE_LIST (a dimension scale of a file written before "
                     "2026-12-04 lists at most about 4,000 datasets)");
    check_h5(H5Awrite(attr, type, entries.data()), "writing REFERENCE_LIST");
}

} // namespace

Hdf5Handle dimension_scale_creation_list() {
    auto dcpl = h5_plist(H5Pcreate(H5P_DATASET_CREATE), "dimension scale creation list");
    check_h5(H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED),
             "attribute creation order of a dimension scale");
    check_h5(H5Pset_attr_phase_change(dcpl, 0, 0), "dense attributes of a dimension scale");
    return dcpl;
}

void DimensionScaleAttacher::attach(hid_t dataset, std::initializer_list<hid_t> scales) {
    if (H5Aexists(dataset, dimension_list) != 0)
        throw std::logic_error("DimensionScaleAttacher: the dataset has scales already");
    auto space = h5_space(H5Dget_space(dataset), "dataspace of an attached dataset");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || static_cast<std::size_t>(rank) != scales.size())
        throw std::logic_error("DimensionScaleAttacher: one scale (or none) per dimension");
    const hobj_ref_t self = reference_to(dataset);
    std::vector<hobj_ref_t> refs(scales.size());
    std::vector<hvl_t> lists(scales.size(), hvl_t{0, nullptr});
    std::size_t d = 0;
    for (const hid_t scale : scales) {
        if (scale >= 0) {
            refs[d] = reference_to(scale);
            lists[d] = hvl_t{1, &refs[d]};
            auto it = std::find_if(pending_.begin(), pending_.end(),
                                   [&](const Pending& p) { return p.scale == scale; });
            if (it == pending_.end())
                it = pending_.insert(pending_.end(), Pending{scale, {}});
            it->entries.push_back({self, static_cast<unsigned int>(d)});
        }
        ++d;
    }
    auto type = h5_type(H5Tvlen_create(H5T_STD_REF_OBJ), "DIMENSION_LIST type");
    const hsize_t n = scales.size();
    auto list_space = h5_space(H5Screate_simple(1, &n, nullptr), "dataspace of DIMENSION_LIST");
    auto attr = h5_attribute(
        H5Acreate2(dataset, dimension_list, type, list_space, H5P_DEFAULT, H5P_DEFAULT),
        "creating DIMENSION_LIST");
    check_h5(H5Awrite(attr, type, lists.data()), "writing DIMENSION_LIST");
}

void DimensionScaleAttacher::finish() {
    for (auto& p : pending_) {
        auto entries = read_reference_list(p.scale);
        entries.reserve(entries.size() + p.entries.size());
        for (const auto& e : p.entries)
            entries.push_back({e.dataset, e.dimension});
        write_reference_list(p.scale, entries);
    }
    pending_.clear();
}

void forget_attached(hid_t scale, std::span<const hobj_ref_t> datasets) {
    if (datasets.empty())
        return;
    std::vector<hobj_ref_t> gone(datasets.begin(), datasets.end());
    std::sort(gone.begin(), gone.end());
    auto entries = read_reference_list(scale);
    std::erase_if(entries, [&](const ReferenceListEntry& e) {
        return std::binary_search(gone.begin(), gone.end(), e.ref);
    });
    write_reference_list(scale, entries);
}

} // namespace chiprace::io
