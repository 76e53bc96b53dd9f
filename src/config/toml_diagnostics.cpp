#include "chiprace/config/toml_diagnostics.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace chiprace::config {

namespace {
Diagnostic from_region(const toml::source_region& where, std::string message) {
    Diagnostic d;
    d.file = where.path ? *where.path : std::string("--set");
    if (d.file.rfind("--set", 0) == 0) {
        d.line = d.column = 0; // a position inside the synthetic "value = …" text misleads
    } else {
        d.line = where.begin.line;
        d.column = where.begin.column;
    }
    d.message = std::move(message);
    return d;
}
} // namespace

Diagnostic diagnostic_at(const toml::node& node, std::string message) {
    return from_region(node.source(), std::move(message));
}

Diagnostic diagnostic_at(const toml::key& key, std::string message) {
    return from_region(key.source(), std::move(message));
}

Diagnostic diagnostic_at_entry(const toml::key& key, const toml::node& value, std::string message) {
    auto from_override = [](const toml::source_region& where) {
        return where.path && where.path->rfind("--set", 0) == 0;
    };
    if (const toml::table* t = value.as_table()) {
        for (const auto& [k, v] : *t)
            if (from_override(v.source()))
                return diagnostic_at(v, std::move(message));
    }
    if (from_override(value.source()))
        return diagnostic_at(value, std::move(message));
    return diagnostic_at(key, std::move(message));
}

std::optional<double> toml_number(const toml::node& node) {
    if (node.is_integer())
        return static_cast<double>(node.as_integer()->get());
    if (node.is_floating_point())
        return node.as_floating_point()->get();
    return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto c : candidates) {
        const auto d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(c);
        }
    }
    // A name cut short ('frontier_gap' for 'frontier_gap_years') is too far from its candidate
    // for an edit distance, yet no less plain a slip; it is only suggested when unambiguous.
    if (!best && word.size() >= 4) {
        std::size_t starts = 0;
        for (const auto c : candidates)
            if (c.size() > word.size() && c.starts_with(word)) {
                ++starts;
                best = std::string(c);
            }
        if (starts != 1)
            best.reset();
    }
    return best;
}

std::string unknown_key_message(std::string_view key, std::string_view table,
                                std::span<const std::string_view> known) {
    std::string msg = "unknown key '" + std::string(key) + "' in [" + std::string(table) + "]";
    if (const auto guess = closest_match(key, known)) {
        msg += "; did you mean '" + *guess + "'?";
    } else if (!known.empty()) {
        msg += "; expected one of:";
        for (std::size_t i = 0; i < known.size(); ++i)
            msg += (i == 0 ? " " : ", ") + std::string(known[i]);
    }
    return msg;
}

} // namespace chiprace::config
