#include "chiprace/io/checkpoint_file.hpp"

#include "chiprace/core/fault_injection.hpp"
#include "chiprace/io/durable_rename.hpp"
#include "chiprace/io/exclusive_file.hpp"
#include "chiprace/io/hdf5_write.hpp"

#include <bit>
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace chiprace::io {

namespace {

/// FNV-1a over the ledger's contents: damage shows as a mismatch. The strings are mixed byte
/// by byte, the arrays (nearly all of a ledger) a 64-bit word at a time, eight times fewer steps.
std::string checksum(const Checkpoint& c) {
    constexpr std::uint64_t prime = 0x100000001b3ull;
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix_bytes = [&](std::string_view text) {
        for (const char ch : text) {
            h ^= static_cast<unsigned char>(ch);
            h *= prime;
        }
    };
    auto mix_word = [&](std::uint64_t w) {
        h ^= w;
        h *= prime;
    };
    mix_bytes(c.config_resolved);
    mix_bytes(c.software_version);
    for (const std::uint64_t v : {c.seed, c.block_size, c.runs})
        mix_word(v);
    for (const auto& [a, b] : c.done) {
        mix_word(a);
        mix_word(b);
    }
    mix_word(c.pieces.size());
    for (const double v : c.pieces)
        mix_word(std::bit_cast<std::uint64_t>(v));
    mix_word(c.sketches.size());
    for (const std::uint64_t v : c.sketches)
        mix_word(v);
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

} // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
    const std::string tmp = path + ".tmp";
    {
        clear_for_exclusive_creation(tmp); // a link in its place is refused, never followed
        auto file = h5_file(H5Fcreate(tmp.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT),
                            "creating " + tmp);
        write_attribute(file, "format", std::string("chiprace-checkpoint"));
        write_attribute(file, "format_version", checkpoint_format_version);
        write_attribute(file, "software_version", c.software_version);
        write_attribute(file, "seed", static_cast<std::int64_t>(c.seed));
        write_attribute(file, "block_size", static_cast<std::int64_t>(c.block_size));
        write_attribute(file, "n_samples", static_cast<std::int64_t>(c.runs));
        write_attribute(file, "written_utc", c.written_utc);
        write_attribute(file, "checksum", checksum(c));
        write_string_dataset(file, "config_resolved", c.config_resolved);
        std::vector<std::uint64_t> done;
        for (const auto& [a, b] : c.done) {
            done.push_back(a);
            done.push_back(b);
        }
        const hsize_t rows[2] = {c.done.size(), 2};
        write_dataset(file, "done_blocks", std::span<const std::uint64_t>(done),
                      std::span<const hsize_t>(rows, 2));
        const hsize_t np = c.pieces.size(), ns = c.sketches.size();
        write_dataset(file, "pieces", std::span<const double>(c.pieces), std::span(&np, 1));
        write_dataset(file, "sketches", std::span<const std::uint64_t>(c.sketches),
                      std::span(&ns, 1));
        file.close(tmp);
    }
    // Markers and filler of a test's fault are named after the ledger: OUT.checkpoint.fault-*.
    fault_point("ledger-rename", 0, path);
    durable_rename(tmp, path);
}

Checkpoint read_checkpoint(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw RuntimeFailure("no checkpoint " + path + " (nothing to resume)");
    auto damaged = [&](const std::string& why) {
        return RuntimeFailure("checkpoint " + path + " is damaged (" + why +
                              "); it cannot be used: start the run again without --resume "
                              "(--force)");
    };
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw damaged("not a readable HDF5 file: truncated?");
    Checkpoint c;
    std::string stored_sum;
    try {
        auto file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening " + path);
        if (!has_attribute(file, "format") ||
            read_string_attribute(file, "format") != "chiprace-checkpoint")
            throw damaged("not a chiprace checkpoint");
        if (const auto version = read_int_attribute(file, "format_version");
            version < checkpoint_oldest_readable_version || version > checkpoint_format_version)
            throw RuntimeFailure("checkpoint " + path + " has format version " +
                                 std::to_string(version) + "; this chiprace reads versions " +
                                 std::to_string(checkpoint_oldest_readable_version) + " to " +
                                 std::to_string(checkpoint_format_version));
        c.software_version = read_string_attribute(file, "software_version");
        c.seed = static_cast<std::uint64_t>(read_int_attribute(file, "seed"));
        c.block_size = static_cast<std::uint64_t>(read_int_attribute(file, "block_size"));
        c.runs = static_cast<std::uint64_t>(read_int_attribute(file, "n_samples"));
        c.written_utc = read_string_attribute(file, "written_utc");
        stored_sum = read_string_attribute(file, "checksum");
        c.config_resolved = read_string_dataset(file, "config_resolved");
        const auto done = read_uint_dataset(file, "done_blocks");
        if (done.size() % 2 != 0)
            throw damaged("odd done_blocks");
        for (std::size_t i = 0; i < done.size(); i += 2)
            c.done.emplace_back(done[i], done[i + 1]);
        c.pieces = read_double_dataset(file, "pieces");
        c.sketches = read_uint_dataset(file, "sketches");
    } catch (const RuntimeFailure& e) {
        if (std::string(e.what()).find("checkpoint " + path) == 0)
            throw;
        throw damaged(e.what());
    }
    if (checksum(c) != stored_sum)
        throw damaged("checksum mismatch");
    return c;
}

} // namespace chiprace::io
