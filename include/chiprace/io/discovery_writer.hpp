#pragma once
// Scenario discovery results in the result file (docs/file-format.md, "Scenario discovery"):
// /discovery/<name> holds the PRIM trajectory, the chosen box with its quasi-p-values and the
// CART leaves of one `chiprace discover`.

#include "chiprace/discovery/cart.hpp"
#include "chiprace/discovery/prim.hpp"
#include "chiprace/discovery/quasi_p.hpp"
#include "chiprace/io/result_layout.hpp"

#include <string>
#include <vector>

namespace chiprace::io {

struct DiscoveryRecord {
    std::string name;
    std::vector<std::string> inputs; // the analysed inputs, the columns of the limits
    discovery::PrimTrajectory trajectory;
    std::size_t chosen = 0;
    std::vector<discovery::LimitQuasiP> quasi_p; // of the chosen box
    std::vector<discovery::CartLeaf> cart_leaves;
    std::vector<Attribute> attributes; // case, settings, provenance
};

/// Whether path already has /discovery/<name>.
[[nodiscard]] bool discovery_exists(const std::string& path, const std::string& name);

/// Writes record into path (an existing result file, opened read-write) as /discovery/<name>,
/// replacing an earlier one of that name and nothing else.
void write_discovery(const std::string& path, const DiscoveryRecord& record);

/// The names under /discovery, for `chiprace info`.
[[nodiscard]] std::vector<std::string> list_discoveries(const std::string& path);

} // namespace chiprace::io
