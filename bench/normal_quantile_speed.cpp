// Time per value of the standard normal quantile: Boost's erfc_inv in double (the exact path)
// against AS 241 (the fast path), scalar and block; then the normal family's whole blocks,
// exact against fast.
// Not a test and not built by default:
//
//   cmake --build build/release --target normal_quantile_speed
//   build/release/normal_quantile_speed [values, default 1e7] [repeats, default 5]
//
// Inputs are uniform in (0, 1) in random order, so branches are as unpredictable as in a run;
// each figure is the fastest of the repeats (the machine is shared).

#include "chiprace/random/distribution.hpp"
#include "chiprace/random/normal_quantile.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Double = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

/// Fastest of `repeats` runs of f, in ns per value; the checksum keeps the work observable.
template <class F>
double ns_per_value(std::size_t n, int repeats, std::span<const double> out, F f) {
    double best = 1e300, checksum = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        f();
        const std::chrono::duration<double, std::nano> took = Clock::now() - start;
        best = std::min(best, took.count() / static_cast<double>(n));
        checksum += out[static_cast<std::size_t>(r) % out.size()];
    }
    std::fprintf(stderr, "(checksum %.17g)\n", checksum);
    return best;
}

} // namespace

int main(int argc, char** argv) {
    const auto n = static_cast<std::size_t>(argc > 1 ? std::atof(argv[1]) : 1e7);
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    std::mt19937_64 engine(20240611);
    std::vector<double> u(n), z(n);
    for (auto& v : u)
        v = (static_cast<double>(engine() >> 11) + 0.5) * 0x1p-53;

    const double boost = ns_per_value(n, repeats, z, [&] {
        for (std::size_t i = 0; i < n; ++i)
            z[i] = -std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * u[i], Double());
    });
    const double scalar = ns_per_value(n, repeats, z, [&] {
        for (std::size_t i = 0; i < n; ++i)
            z[i] = chiprace::random::normal_quantile(u[i]);
    });
    const double block =
        ns_per_value(n, repeats, z, [&] { chiprace::random::normal_quantiles(u, z); });

    // A run's columns are blocks of a few thousand values; time whole distributions that way.
    using chiprace::random::Distribution, chiprace::random::QuantileMethod;
    constexpr std::size_t column = 4096;
    auto by_columns = [&](const Distribution& d, QuantileMethod method) {
        for (std::size_t s = 0; s < n; s += column) {
            const std::size_t m = std::min(column, n - s);
            d.quantiles(std::span(u).subspan(s, m), std::span(z).subspan(s, m), method);
        }
    };

    std::printf("%zu values, fastest of %d:\n", n, repeats);
    std::printf("  Boost erfc_inv (double)        %6.2f ns/value\n", boost);
    std::printf("  AS 241, scalar                 %6.2f ns/value (%.1fx)\n", scalar,
                boost / scalar);
    std::printf("  AS 241, block                  %6.2f ns/value (%.1fx)\n", block, boost / block);
    for (const Distribution& d : {Distribution(chiprace::random::Normal{1, 2}),
                                  Distribution(chiprace::random::TruncNormal{
                                      0.1, 0.1, 0, std::numeric_limits<double>::infinity()}),
                                  Distribution(chiprace::random::LogNormal{11.5, 16})}) {
        const double exact =
            ns_per_value(n, repeats, z, [&] { by_columns(d, QuantileMethod::exact); });
        const double fast =
            ns_per_value(n, repeats, z, [&] { by_columns(d, QuantileMethod::fast); });
        std::printf("  %-30s exact %6.2f, fast %6.2f ns/value (%.1fx)\n", d.describe().c_str(),
                    exact, fast, exact / fast);
    }
}
