#include "chiprace/io/discovery_writer.hpp"

#include "chiprace/io/hdf5_write.hpp"

#include <cmath>
#include <limits>
#include <variant>

namespace chiprace::io {

namespace {

constexpr const char* top = "discovery";

void describe(hid_t parent, const std::string& name, const std::string& units,
              const std::string& description) {
    auto ds = h5_dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening " + name);
    write_attribute(ds, "units", units);
    write_attribute(ds, "description", description);
}

void write_column(hid_t g, const std::string& name, const std::vector<double>& v,
                  const std::string& units, const std::string& description) {
    const hsize_t n = v.size();
    write_dataset(g, name, std::span<const double>(v), std::span(&n, 1));
    describe(g, name, units, description);
}

void write_counts(hid_t g, const std::string& name, const std::vector<std::uint64_t>& v,
                  const std::string& description) {
    const hsize_t n = v.size();
    write_dataset(g, name, std::span<const std::uint64_t>(v), std::span(&n, 1));
    describe(g, name, "1", description);
}

void write_matrix(hid_t g, const std::string& name, const std::vector<double>& v, hsize_t rows,
                  hsize_t columns, std::span<const std::string> inputs,
                  const std::string& description) {
    const hsize_t dims[2] = {rows, columns};
    write_dataset(g, name, std::span<const double>(v), std::span(dims, 2));
    describe(g, name, "as the input", description);
    auto ds = h5_dataset(H5Dopen2(g, name.c_str(), H5P_DEFAULT), "opening " + name);
    write_attribute(ds, "inputs", inputs);
}

} // namespace

bool discovery_exists(const std::string& path, const std::string& name) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
    return link_exists(file, top) && link_exists(file, std::string(top) + "/" + name);
}

std::vector<std::string> list_discoveries(const std::string& path) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
    if (!link_exists(file, top))
        return {};
    auto g = h5_group(H5Gopen2(file, top, H5P_DEFAULT), "opening /discovery");
    return list_links(g);
}

namespace {

void write_group(hid_t file, const DiscoveryRecord& record) {
    const std::string where = std::string(top) + "/" + record.name;
    if (link_exists(file, top) && link_exists(file, where))
        check_h5(H5Ldelete(file, where.c_str(), H5P_DEFAULT), "removing the earlier /" + where);
    auto parent = require_group(file, top);
    auto g = create_group(parent, record.name);
    const auto& t = record.trajectory;
    const std::size_t steps = t.steps.size(), d = record.inputs.size();

    write_attribute(g, "description",
                    std::string("scenario discovery (chiprace discover): the PRIM peeling and "
                                "pasting trajectory, the chosen box and a CART summary"));
    write_attribute(g, "inputs", std::span<const std::string>(record.inputs));
    write_attribute(g, "chosen", static_cast<std::int64_t>(record.chosen));
    write_attribute(g, "rows", static_cast<std::int64_t>(t.rows));
    write_attribute(g, "cases", static_cast<std::int64_t>(t.cases));
    write_attribute(g, "peels", static_cast<std::int64_t>(t.peels));
    write_attribute(g, "pastes", static_cast<std::int64_t>(t.pastes));
    for (const auto& a : record.attributes)
        std::visit([&](const auto& v) { write_attribute(g, a.name, v); }, a.value);

    std::vector<double> coverage, density, mass, mean, lower, upper;
    std::vector<std::uint64_t> res_dim, rows, cases;
    for (const auto& s : t.steps) {
        coverage.push_back(s.coverage);
        density.push_back(s.density);
        mass.push_back(s.mass);
        mean.push_back(s.mean);
        res_dim.push_back(s.restricted);
        rows.push_back(s.rows);
        cases.push_back(s.cases);
        lower.insert(lower.end(), s.limits.lower.begin(), s.limits.lower.end());
        upper.insert(upper.end(), s.limits.upper.begin(), s.limits.upper.end());
    }
    write_column(g, "coverage", coverage, "1", "cases in the box / all cases, per step");
    write_column(g, "density", density, "1", "cases in the box / rows in the box, per step");
    write_column(g, "mass", mass, "1", "rows in the box / all rows, per step");
    write_column(g, "mean", mean, "1", "mean of the 0/1 case flag in the box (= density)");
    write_counts(g, "res_dim", res_dim, "number of restricted inputs, per step");
    write_counts(g, "rows", rows, "rows in the box, per step");
    write_counts(g, "cases", cases, "cases of interest in the box, per step");
    write_matrix(g, "lower", lower, steps, d, record.inputs,
                 "lower limit of each input per step (closed: lower <= x); the initial box's "
                 "is the input's minimum");
    write_matrix(g, "upper", upper, steps, d, record.inputs,
                 "upper limit of each input per step (closed: x <= upper); the initial box's "
                 "is the input's maximum");

    auto box = create_group(g, "box");
    write_attribute(box, "step", static_cast<std::int64_t>(record.chosen));
    const auto& chosen = t.steps.at(record.chosen);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> qp_lower(d, nan), qp_upper(d, nan);
    for (const auto& q : record.quasi_p) {
        qp_lower.at(q.input) = q.lower;
        qp_upper.at(q.input) = q.upper;
    }
    write_matrix(box, "lower", chosen.limits.lower, 1, d, record.inputs,
                 "the chosen box's lower limits (1, inputs)");
    write_matrix(box, "upper", chosen.limits.upper, 1, d, record.inputs,
                 "the chosen box's upper limits (1, inputs)");
    write_matrix(box, "initial_lower", t.initial.lower, 1, d, record.inputs,
                 "each input's minimum over all rows (the initial box)");
    write_matrix(box, "initial_upper", t.initial.upper, 1, d, record.inputs,
                 "each input's maximum over all rows (the initial box)");
    write_matrix(box, "quasi_p_lower", qp_lower, 1, d, record.inputs,
                 "quasi-p-value of the lower limit (one-sided binomial test of the box's "
                 "density against the box without that limit); NaN where not restricted");
    write_matrix(box, "quasi_p_upper", qp_upper, 1, d, record.inputs,
                 "quasi-p-value of the upper limit; NaN where not restricted");

    if (!record.cart_leaves.empty()) {
        auto cart = create_group(g, "cart");
        write_attribute(cart, "description",
                        std::string("leaves of a classification tree of the case flag (Gini "
                                    "splits on quantile-bin edges): lower < x <= upper, -inf "
                                    "and inf where the path does not split on the input"));
        std::vector<double> cl, cu;
        std::vector<std::uint64_t> cr, cc, cd;
        for (const auto& leaf : record.cart_leaves) {
            cl.insert(cl.end(), leaf.lower.begin(), leaf.lower.end());
            cu.insert(cu.end(), leaf.upper.begin(), leaf.upper.end());
            cr.push_back(leaf.rows);
            cc.push_back(leaf.cases);
            cd.push_back(leaf.depth);
        }
        const hsize_t leaves = record.cart_leaves.size();
        write_matrix(cart, "lower", cl, leaves, d, record.inputs,
                     "exclusive lower limit of each leaf");
        write_matrix(cart, "upper", cu, leaves, d, record.inputs,
                     "inclusive upper limit of each leaf");
        write_counts(cart, "rows", cr, "rows in each leaf");
        write_counts(cart, "cases", cc, "cases of interest in each leaf");
        write_counts(cart, "depth", cd, "depth of each leaf");
    }
}

} // namespace

void write_discovery(const std::string& path, const DiscoveryRecord& record) {
    auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening " + path);
    write_group(file, record);
    // Buffered writes fail here, if anywhere: the caller must not publish the file then.
    file.close(path);
}

} // namespace chiprace::io
