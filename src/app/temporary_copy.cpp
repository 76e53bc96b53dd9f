#include "chiprace/app/temporary_copy.hpp"

#include "chiprace/core/diagnostic.hpp"

#include <filesystem>

namespace chiprace::app {

namespace fs = std::filesystem;

TemporaryCopy::TemporaryCopy(const std::string& original, std::string path)
    : path_(std::move(path)) {
    std::error_code ec;
    fs::copy_file(original, path_, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        std::string msg = "cannot copy ";
        msg += original;
        msg += " to ";
        msg += path_;
        msg += ": ";
        msg += ec.message();
        discard();
        throw RuntimeFailure(msg);
    }
}

TemporaryCopy::~TemporaryCopy() {
    if (!published_)
        discard();
}

void TemporaryCopy::discard() {
    // Only a file we may have written: never, say, a directory that happens to have the name.
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(path_, ec)))
        fs::remove(path_, ec);
}

} // namespace chiprace::app
