#include "chiprace/app/calibration_report.hpp"

#include "chiprace/app/headline_selection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>

namespace chiprace::app {

namespace {

std::string number(double x) {
    std::ostringstream s;
    s << std::setprecision(5) << x;
    return s.str();
}

std::string percent(double share) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(share < 0.1 ? 2 : 1) << 100.0 * share << "%";
    return s.str();
}

std::string observation_text(const io::CalibrationView::Target& t) {
    const auto& p = t.parameters;
    if (t.observation == "normal")
        return "normal mean " + number(p[0]) + ", sd " + number(p[1]);
    if (t.observation == "lognormal")
        return "lognormal p05 " + number(p[0]) + ", p95 " + number(p[1]);
    if (t.observation == "interval")
        return "interval [" + number(p[0]) + ", " + number(p[1]) + "], tolerance " + number(p[2]);
    return t.observation;
}

/// Positions of the median, 5% and 95% levels in quantile_levels (size() where absent).
struct Levels {
    std::size_t median, lo, hi, count;
};

Levels find_levels(const io::ResultOverview& o) {
    const std::size_t nq = o.quantile_levels.size();
    Levels l{nq, nq, nq, nq};
    for (std::size_t q = 0; q < nq; ++q) {
        if (o.quantile_levels[q] == 0.5)
            l.median = q;
        if (o.quantile_levels[q] == 0.05)
            l.lo = q;
        if (o.quantile_levels[q] == 0.95)
            l.hi = q;
    }
    return l;
}

/// "mean  median [5%, 95%]" of one summary row, as far as the stored levels allow.
std::string cell(const io::OutputSummaryView& s, std::size_t row, const Levels& l) {
    std::ostringstream mean;
    mean << std::left << std::setw(8) << number(s.mean[row]) << ' ';
    std::string text = mean.str();
    const auto q = [&](std::size_t k) { return number(s.quantiles[row * l.count + k]); };
    if (l.median < l.count)
        text += q(l.median);
    if (l.lo < l.count && l.hi < l.count)
        text += " [" + q(l.lo) + ", " + q(l.hi) + "]";
    return text;
}

void print_targets(const io::ResultOverview& o, const io::CalibrationView& c, std::ostream& out) {
    std::string samples = o.attribute("n_samples_run");
    if (samples.empty())
        samples = o.attribute("n_samples");
    out << "\ncalibration  ";
    if (c.targets.empty())
        out << "no targets: every weight is 1 and the posterior is the prior "
               "(docs/calibration.md)\n";
    else
        out << c.targets.size() << " target(s); each future weighted by the likelihood of what "
            << "was observed (docs/calibration.md)\n";
    // Columns as wide as their widest entry: names and policies are the experiment's.
    std::vector<std::array<std::string, 3>> rows;
    std::array<std::size_t, 3> width{0, 0, 0};
    for (const auto& t : c.targets) {
        std::string what = t.output;
        if (t.year >= 0)
            what += "[" + std::to_string(t.year) + "]";
        if (!t.policy.empty())
            what += " under " + t.policy;
        rows.push_back({t.name, what, observation_text(t)});
        for (std::size_t k = 0; k < 3; ++k)
            width[k] = std::max(width[k], rows.back()[k].size());
    }
    for (std::size_t t = 0; t < rows.size(); ++t) {
        out << "  ";
        for (std::size_t k = 0; k < 3; ++k)
            out << std::left << std::setw(static_cast<int>(width[k] + 2)) << rows[t][k];
        out << std::right << "ESS alone " << number(c.targets[t].ess) << "\n";
    }
    out << "  effective sample size (Kish)  " << number(c.ess) << " of " << samples << " samples ("
        << percent(c.ess_fraction) << ")\n"
        << "  weights                       " << c.n_positive
        << " samples with weight > 0, max weight " << number(c.max_weight) << "\n";
    if (!c.posterior_written)
        out << "warning: no posterior: the effective sample size " << number(c.ess)
            << " is below min_ess " << number(c.min_ess) << " and on_low_ess = \"" << c.on_low_ess
            << "\"; the summaries above are the prior's (docs/calibration.md)\n";
    else if (!(c.ess >= c.min_ess))
        out << "warning: the effective sample size " << number(c.ess) << " is below min_ess "
            << number(c.min_ess)
            << ": the posterior rests on few futures (widen the observations or run more "
               "samples; docs/calibration.md)\n";
}

/// Prior and posterior, side by side: per group and output, a line per year shown.
void print_outputs(const io::ResultOverview& o, bool all, std::ostream& out) {
    const Levels levels = find_levels(o);
    const auto headline = headline_selection(o);
    const bool has_policies =
        std::any_of(o.summaries.begin(), o.summaries.end(),
                    [](const auto& s) { return s.group.rfind("policies/", 0) == 0; });
    std::string header = "mean     ";
    if (levels.median < levels.count)
        header += "median";
    if (levels.lo < levels.count && levels.hi < levels.count)
        header += " [5%, 95%]";
    out << "\nprior and posterior (weighted by the calibration): " << header << "\n";
    auto shown = [&](const io::OutputSummaryView& s) {
        if (all || !has_policies)
            return true;
        return s.group.rfind("policies/", 0) == 0 && s.per_year &&
               std::find(headline.outputs.begin(), headline.outputs.end(), s.name) !=
                   headline.outputs.end();
    };
    // Policies in the file's order, outputs in the headline's order unless --all.
    std::vector<const io::OutputSummaryView*> order;
    for (const auto& p : o.posterior)
        if (shown(p))
            order.push_back(&p);
    if (!all && has_policies) {
        auto rank = [&](const io::OutputSummaryView* s) {
            return std::find(headline.outputs.begin(), headline.outputs.end(), s->name) -
                   headline.outputs.begin();
        };
        std::stable_sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
            return a->group != b->group ? a->group < b->group : rank(a) < rank(b);
        });
    }
    std::vector<std::array<std::string, 4>> rows; // label, prior, posterior, units
    for (const auto* p : order) {
        const auto prior = std::find_if(o.summaries.begin(), o.summaries.end(), [&](const auto& s) {
            return s.group == p->group && s.name == p->name;
        });
        if (prior == o.summaries.end())
            continue;
        std::vector<std::size_t> years;
        if (!p->per_year)
            years = {0};
        else if (all || !has_policies)
            for (std::size_t r = 0; r < o.years.size(); ++r)
                years.push_back(r);
        else
            years = headline.year_rows;
        std::string group = p->group;
        if (group.rfind("policies/", 0) == 0)
            group = group.substr(9);
        for (const auto r : years) {
            std::string label = (group.empty() ? "" : group + "  ") + p->name;
            if (p->per_year)
                label += "[" + std::to_string(o.years[r]) + "]";
            rows.push_back({label, cell(*prior, r, levels), cell(*p, r, levels), p->units});
        }
    }
    std::size_t label_width = 0, prior_width = std::string("prior").size();
    for (const auto& r : rows) {
        label_width = std::max(label_width, r[0].size());
        prior_width = std::max(prior_width, r[1].size());
    }
    const auto columns = [&](const std::string& label, const std::string& prior) {
        out << "  " << std::left << std::setw(static_cast<int>(label_width + 2)) << label
            << std::setw(static_cast<int>(prior_width + 3)) << prior << std::right;
    };
    columns("", "prior");
    out << "posterior\n";
    for (const auto& r : rows) {
        columns(r[0], r[1]);
        out << std::left << std::setw(static_cast<int>(prior_width + 3)) << r[2] << std::right
            << r[3] << "\n";
    }
}

/// The inputs whose spread the evidence narrowed most: posterior std / prior std, smallest
/// first, with the shift of the mean in prior standard deviations.
void print_inputs(const io::CalibrationView& c, bool all, std::ostream& out) {
    struct Row {
        std::string name;
        double ratio, prior_mean, posterior_mean, shift;
    };
    std::vector<Row> rows;
    for (const auto& prior : c.prior_inputs)
        for (const auto& post : c.posterior_inputs)
            if (post.name == prior.name) {
                const bool spread = prior.std_dev > 0.0;
                const double nan = std::numeric_limits<double>::quiet_NaN();
                rows.push_back({prior.name, spread ? post.std_dev / prior.std_dev : nan, prior.mean,
                                post.mean,
                                spread ? (post.mean - prior.mean) / prior.std_dev : nan});
            }
    if (rows.empty())
        return;
    // NaN (an input without spread) last; ties by name, so the order never depends on HDF5's.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (std::isnan(a.ratio) != std::isnan(b.ratio))
            return std::isnan(b.ratio);
        if (!std::isnan(a.ratio) && a.ratio != b.ratio)
            return a.ratio < b.ratio;
        return a.name < b.name;
    });
    constexpr std::size_t top = 5;
    const std::size_t shown = all ? rows.size() : std::min(top, rows.size());
    out << "\n"
        << (all ? "inputs" : "most narrowed inputs")
        << " (posterior std / prior std, smallest first; shift of the mean in prior sds)\n"
        << "  " << std::left << std::setw(30) << "input" << std::setw(11) << "std ratio"
        << std::setw(14) << "prior mean" << std::setw(16) << "posterior mean"
        << "shift" << std::right << "\n";
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& r = rows[i];
        // An input without spread (a fixed value) has no ratio nor shift.
        const bool spread = !std::isnan(r.ratio);
        std::ostringstream shift;
        shift << std::showpos << std::setprecision(3) << r.shift;
        out << "  " << std::left << std::setw(30) << r.name << std::setw(11)
            << (spread ? number(r.ratio) : "-") << std::setw(14) << number(r.prior_mean)
            << std::setw(16) << number(r.posterior_mean) << (spread ? shift.str() : "-")
            << std::right << "\n";
    }
}

} // namespace

void print_calibration(const io::ResultOverview& o, bool all, std::ostream& out) {
    if (!o.calibration)
        return;
    const auto& c = *o.calibration;
    print_targets(o, c, out);
    if (!c.posterior_written)
        return;
    print_outputs(o, all, out);
    print_inputs(c, all, out);
    if (!all)
        out << "\n(chiprace info --all lists the prior and posterior of every output, year and "
               "input)\n";
}

} // namespace chiprace::app
