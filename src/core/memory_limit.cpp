#include "chiprace/core/memory_limit.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/statvfs.h>
#include <vector>

namespace chiprace {

namespace {

std::string human(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return text;
}

std::optional<double> env_number(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0')
        return std::nullopt;
    char* end = nullptr;
    const double x = std::strtod(v, &end);
    if (end == v || x <= 0)
        return std::nullopt;
    return x;
}

std::optional<double> file_number(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string word;
    if (!(in >> word) || word == "max")
        return std::nullopt;
    try {
        const double x = std::stod(word);
        // cgroup v1 writes "no limit" as a page-rounded 2^63.
        return x > 0 && x < 0x1.0p60 ? std::optional<double>(x) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// The tightest memory limit of this process's control group and its ancestors.
std::optional<double> cgroup_limit() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    std::optional<double> best;
    auto take = [&](std::optional<double> x) {
        if (x && (!best || *x < *best))
            best = x;
    };
    while (std::getline(in, line)) {
        // "0::/path" (v2), "N:memory:/path" or "N:cpu,memory:/path" (v1)
        const auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos)
            continue;
        const std::string controllers = line.substr(a + 1, b - a - 1);
        std::filesystem::path rel = line.substr(b + 1);
        const bool v2 = controllers.empty();
        const bool v1 = ("," + controllers + ",").find(",memory,") != std::string::npos;
        if (!v2 && !v1)
            continue;
        const std::filesystem::path root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        const char* file = v2 ? "memory.max" : "memory.limit_in_bytes";
        for (std::filesystem::path p = rel.relative_path();; p = p.parent_path()) {
            take(file_number(root / p / file));
            if (p.empty())
                break;
        }
    }
    return best;
}

std::optional<double> mem_available() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemAvailable:")
            return kib * 1024.0;
    return std::nullopt;
}

} // namespace

int ranks_on_node_from_environment() {
    for (const char* name :
         {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"})
        if (const auto n = env_number(name))
            return static_cast<int>(*n);
    return 1;
}

std::optional<MemoryLimit> rank_memory_limit(int ranks_on_node) {
    const double n = std::max(1, ranks_on_node);
    const std::string shared =
        ranks_on_node > 1 ? " shared by " + std::to_string(ranks_on_node) + " ranks on this node"
                          : "";
    std::optional<MemoryLimit> best;
    auto take = [&](double bytes, std::string source, int shared_by) {
        if (!best || bytes < best->bytes)
            best = MemoryLimit{bytes, std::move(source), shared_by};
    };
    const int node = std::max(1, ranks_on_node);
    if (const auto x = cgroup_limit())
        take(*x / n, "the control group's memory limit (" + human(*x) + ")" + shared, node);
    if (const auto mb = env_number("SLURM_MEM_PER_CPU")) {
        const double cpus = env_number("SLURM_CPUS_PER_TASK").value_or(1.0);
        take(*mb * cpus * 1024 * 1024,
             "Slurm's allocation (SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK)", 1);
    }
    if (const auto mb = env_number("SLURM_MEM_PER_NODE"))
        take(*mb * 1024 * 1024 / n,
             "Slurm's allocation (SLURM_MEM_PER_NODE, " + human(*mb * 1024 * 1024) + ")" + shared,
             node);
    if (const auto x = mem_available())
        take(*x / n, "the memory available on this node (MemAvailable, " + human(*x) + ")" + shared,
             node);
    return best;
}

std::optional<double> free_bytes_at(const std::string& path) {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(path, ec);
    while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.parent_path())
        p = p.parent_path();
    struct statvfs s {};
    if (::statvfs(p.c_str(), &s) != 0)
        return std::nullopt;
    return static_cast<double>(s.f_bavail) * static_cast<double>(s.f_frsize);
}

} // namespace chiprace
