#include "chiprace/app/headline_selection.hpp"

#include <algorithm>
#include <sstream>

namespace chiprace::app {

namespace {

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> list;
    std::istringstream in(text);
    for (std::string w; in >> w;)
        list.push_back(w);
    return list;
}

} // namespace

HeadlineSelection headline_selection(const io::ResultOverview& o) {
    HeadlineSelection h;
    for (const auto& wanted : words(o.attribute("headline_years")))
        for (std::size_t r = 0; r < o.years.size(); ++r)
            if (std::to_string(o.years[r]) == wanted)
                h.year_rows.push_back(r);
    if (h.year_rows.empty() && !o.years.empty())
        h.year_rows = {0, o.years.size() - 1};
    h.outputs = words(o.attribute("headline_outputs"));
    if (h.outputs.empty())
        for (const auto& s : o.summaries)
            if (s.per_year && h.outputs.size() < 3 &&
                std::find(h.outputs.begin(), h.outputs.end(), s.name) == h.outputs.end())
                h.outputs.push_back(s.name);
    return h;
}

} // namespace chiprace::app
