#include "chiprace/model/model.hpp"

namespace chiprace::model {

std::size_t Model::first_column(std::size_t k) const {
    const auto& outs = outputs();
    const std::size_t t = years().size();
    std::size_t c = 0;
    for (std::size_t i = 0; i < k && i < outs.size(); ++i)
        c += outs[i].per_year ? t : 1;
    return c;
}

std::size_t Model::column_count() const {
    return first_column(outputs().size());
}

} // namespace chiprace::model
