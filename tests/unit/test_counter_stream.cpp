#include "chiprace/random/counter_stream.hpp"
#include "chiprace/random/uniform_block.hpp"

#include <bit>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <doctest/doctest.h>
#include <set>
#include <vector>

using chiprace::random::CounterStream;
using chiprace::random::StreamPurpose;

namespace {
std::vector<double> draws(std::uint64_t seed, std::uint64_t index, StreamPurpose p, int n) {
    CounterStream s(seed, index, p);
    std::vector<double> out;
    for (int i = 0; i < n; ++i)
        out.push_back(s.uniform_open01());
    return out;
}
} // namespace

TEST_CASE("a sample's stream is a pure function of (seed, index, purpose)") {
    CHECK(draws(42, 7, StreamPurpose::sample_inputs, 16) ==
          draws(42, 7, StreamPurpose::sample_inputs, 16));
    // Computing other samples first changes nothing: there is no state between samples.
    (void)draws(42, 6, StreamPurpose::sample_inputs, 1000);
    CHECK(draws(42, 7, StreamPurpose::sample_inputs, 16) ==
          draws(42, 7, StreamPurpose::sample_inputs, 16));
}

TEST_CASE("different seeds, indices, purposes and substreams give different streams") {
    const auto base = draws(42, 7, StreamPurpose::sample_inputs, 8);
    CHECK(base != draws(43, 7, StreamPurpose::sample_inputs, 8));
    CHECK(base != draws(42, 8, StreamPurpose::sample_inputs, 8));
    CHECK(base != draws(42, 7, StreamPurpose::bootstrap, 8));
    CHECK(base != draws(42, 7 + (std::uint64_t{1} << 32), StreamPurpose::sample_inputs, 8));
    CounterStream a(42, 7, StreamPurpose::bootstrap, 0), b(42, 7, StreamPurpose::bootstrap, 1);
    CHECK(a() != b());
}

TEST_CASE("uniforms lie in the open interval and look uniform") {
    double sum = 0;
    const int n = 200000;
    std::set<double> distinct;
    for (int i = 0; i < n; ++i) {
        CounterStream s(1, static_cast<std::uint64_t>(i), StreamPurpose::sample_inputs);
        const double u = s.uniform_open01();
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
        sum += u;
        distinct.insert(u);
    }
    // Mean of U(0,1): 0.5 with standard error sqrt(1/12/n); 4 standard errors.
    CHECK(std::abs(sum / n - 0.5) < 4.0 * std::sqrt(1.0 / 12.0 / n));
    CHECK(distinct.size() == static_cast<std::size_t>(n));
}

TEST_CASE("the stream works as an engine for Boost.Random's distributions") {
    CounterStream s(5, 0, StreamPurpose::sample_inputs);
    boost::random::uniform_01<double> u01;
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    double sum = 0, sum_sq = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double z = normal(s);
        sum += z;
        sum_sq += z * z;
    }
    CHECK(std::abs(sum / n) < 4.0 / std::sqrt(n));
    // Var(z^2) = 2 for a standard normal.
    CHECK(std::abs(sum_sq / n - 1.0) < 4.0 * std::sqrt(2.0 / n));
    const double x = u01(s);
    CHECK(x >= 0.0);
    CHECK(x < 1.0);
}

TEST_CASE("the block generator gives exactly the per-sample streams' uniforms") {
    // Odd and even dimensions (the last block half used), a first index above 2^32 (both
    // counter words), several purposes and substreams, and block lengths that leave vector
    // remainders.
    for (const std::size_t dimension :
         {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{41}}) {
        for (const std::size_t n : {std::size_t{1}, std::size_t{13}, std::size_t{64}}) {
            for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{5'000'000'123}}) {
                const std::uint64_t seed = 0x1234'5678'9abc'def0ull + first;
                std::vector<double> block(dimension * n);
                chiprace::random::uniform_open01_block(
                    seed, first, n, chiprace::random::StreamPurpose::stratum_jitter, 3, dimension,
                    block);
                std::size_t mismatches = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    chiprace::random::CounterStream s(
                        seed, first + i, chiprace::random::StreamPurpose::stratum_jitter, 3);
                    for (std::size_t j = 0; j < dimension; ++j)
                        mismatches += std::bit_cast<std::uint64_t>(block[j * n + i]) !=
                                      std::bit_cast<std::uint64_t>(s.uniform_open01());
                }
                CHECK_MESSAGE(mismatches == 0,
                              "d = " << dimension << ", n = " << n << ", first = " << first);
            }
        }
    }
}
