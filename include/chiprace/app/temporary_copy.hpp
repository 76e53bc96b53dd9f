#pragma once
// A copy of a result file that a second-pass command (analyze, discover) writes into and then
// publishes over the original, so that an interrupted or failed write leaves the original as it
// was (and at worst the copy behind). Deleted on destruction unless published.

#include <string>

namespace chiprace::app {

class TemporaryCopy {
public:
    /// Copies original to path; throws RuntimeFailure when it cannot.
    TemporaryCopy(const std::string& original, std::string path);
    TemporaryCopy(const TemporaryCopy&) = delete;
    TemporaryCopy& operator=(const TemporaryCopy&) = delete;
    ~TemporaryCopy();
    [[nodiscard]] const std::string& path() const { return path_; }
    void published() { published_ = true; }

private:
    void discard();
    std::string path_;
    bool published_ = false;
};

} // namespace chiprace::app
