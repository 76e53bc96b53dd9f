#pragma once
// Dimension scales (/time, /quantile_level, /sample, /parameter, ...) that any number of
// datasets can be attached to.

#include "chiprace/io/hdf5_handle.hpp"

#include <initializer_list>
#include <span>
#include <vector>

namespace chiprace::io {

/// The creation list of a dimension scale's dataset. A scale lists every dataset attached to
/// it in its REFERENCE_LIST attribute; in a version-1 object header (HDF5's default) an
/// attribute must fit in 64 KiB, about 4,000 datasets. Tracking the attributes' creation order
/// gives the scale a version-2 header (as netCDF-4 does), and the phase change (0, 0) keeps its
/// attributes in dense storage (a fractal heap), where an attribute has no size limit. The
/// file itself keeps HDF5's default format bounds, readable by HDF5 1.8 and later.
Hdf5Handle dimension_scale_creation_list();

/// Attaches datasets to dimension scales in the layout of HDF5's H5DSattach_scale (a
/// DIMENSION_LIST on the dataset, a REFERENCE_LIST entry on the scale), so h5py, netCDF-4 and
/// H5DS read it as theirs. H5DSattach_scale rewrites the scale's whole REFERENCE_LIST for each
/// dataset: quadratic, measured at 50 s for the summaries of 100 policies. Here each scale's
/// list is rewritten once, by finish().
class DimensionScaleAttacher {
public:
    /// scales[d]: the scale of dimension d of dataset, or H5I_INVALID_HID for none. The
    /// scales must stay open until finish().
    void attach(hid_t dataset, std::initializer_list<hid_t> scales);
    /// Appends the back-references to each scale's REFERENCE_LIST. Without it the file lists
    /// scales that do not list their datasets: call it before closing the file.
    void finish();

private:
    struct BackReference {
        hobj_ref_t dataset;
        unsigned int dimension;
    };
    struct Pending {
        hid_t scale;
        std::vector<BackReference> entries;
    };
    std::vector<Pending> pending_;
};

/// Removes from scale's REFERENCE_LIST the entries of the given datasets (about to be
/// deleted), in one rewrite rather than one H5DSdetach_scale each.
void forget_attached(hid_t scale, std::span<const hobj_ref_t> datasets);

} // namespace chiprace::io
