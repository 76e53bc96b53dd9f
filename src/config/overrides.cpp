#include "chiprace/config/overrides.hpp"

#include <cstdint>
#include <string_view>

namespace chiprace::config {

namespace {

std::vector<std::string> split_key_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        parts.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return parts;
}

/// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (b & 0x3F);
        }
        const std::uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < smallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

} // namespace

void apply_override(toml::table& root, const std::string& argument, DiagnosticList& errors) {
    // Found by fuzzing: the override is kept in /config_resolved, which must be valid UTF-8.
    if (!valid_utf8(argument)) {
        errors.add("--set", 0, 0, "an override is not valid UTF-8 text");
        return;
    }
    const std::string where = "--set " + argument;
    const auto eq = argument.find('=');
    if (eq == std::string::npos || eq == 0) {
        errors.add(where, 0, 0, "expected KEY.PATH=VALUE, e.g. --set experiment.samples=1000");
        return;
    }
    const auto keys = split_key_path(argument.substr(0, eq));
    for (const auto& k : keys) {
        if (k.empty()) {
            errors.add(where, 0, 0, "empty key in '" + argument.substr(0, eq) + "'");
            return;
        }
    }
    if (keys.size() == 2 && keys[0] == "experiment" && keys[1] == "include") {
        errors.add(where, 0, 0,
                   "includes are read before overrides apply; put include = [...] in "
                   "the experiment file");
        return;
    }
    const std::string value_text = argument.substr(eq + 1);

    // The value gets the argument as its source path, so later validation errors about it
    // point at the command line rather than at a file.
    toml::table parsed;
    try {
        parsed = toml::parse("value = " + value_text, std::string_view(where));
    } catch (const toml::parse_error&) {
        parsed = toml::table{};
        parsed.insert("value", value_text);
    }
    toml::node* value = parsed.get("value");

    toml::table* table = &root;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
        toml::node* next = table->get(keys[i]);
        if (next == nullptr) {
            table->insert(keys[i], toml::table{});
            next = table->get(keys[i]);
        }
        if (!next->is_table()) {
            errors.add(where, 0, 0, "'" + keys[i] + "' is a value, not a table");
            return;
        }
        table = next->as_table();
    }
    // The key, too, is located at the override: a replaced parameter or policy is reported
    // there, not at the file's line it replaced. The value is moved to keep its source.
    toml::key key(keys.back(), value->source());
    table->erase(keys.back());
    table->insert(std::move(key), std::move(*value));
}

} // namespace chiprace::config
