#pragma once
// Turning a TOML node into a located diagnostic, and suggesting the key a user meant.

#include "chiprace/core/diagnostic.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>

namespace chiprace::config {

/// A diagnostic at node's position; values given with --set are located at "--set …".
Diagnostic diagnostic_at(const toml::node& node, std::string message);
/// Same, at a key's position (for unknown or misplaced keys).
Diagnostic diagnostic_at(const toml::key& key, std::string message);
/// A problem of a whole entry (a parameter, a policy): at the `--set` override that changed
/// one of its values if there is one, since that is what the user has to fix, else at the key.
Diagnostic diagnostic_at_entry(const toml::key& key, const toml::node& value, std::string message);

/// A TOML integer or float as a double; nothing for any other type.
std::optional<double> toml_number(const toml::node& node);

/// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidate when it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

/// "unknown key 'smaples' in [experiment]; did you mean 'samples'?" (or the list of keys).
std::string unknown_key_message(std::string_view key, std::string_view table,
                                std::span<const std::string_view> known);

} // namespace chiprace::config
