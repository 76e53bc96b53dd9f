#include "chiprace/random/counter_stream.hpp"
#include "chiprace/stats/column_summary.hpp"
#include "chiprace/stats/dyadic_reduction.hpp"
#include "chiprace/stats/log_histogram.hpp"
#include "chiprace/stats/running_moments.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <doctest/doctest.h>
#include <limits>
#include <vector>

using namespace chiprace::stats;

namespace {

std::vector<double> skewed_values(std::size_t n, std::uint64_t seed) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        chiprace::random::CounterStream s(seed, i, chiprace::random::StreamPurpose::sample_inputs);
        const double u = s.uniform_open01();
        x[i] = std::exp(3.0 * (u - 0.3)) - 1.0; // both signs, a long right tail
    }
    return x;
}

bool same_bits(const RunningMoments& a, const RunningMoments& b) {
    return a.count == b.count && a.non_finite == b.non_finite &&
           std::bit_cast<std::uint64_t>(a.mean) == std::bit_cast<std::uint64_t>(b.mean) &&
           std::bit_cast<std::uint64_t>(a.m2) == std::bit_cast<std::uint64_t>(b.m2) &&
           a.min == b.min && a.max == b.max;
}

struct Moments1 {
    RunningMoments m;
    void merge(const Moments1& r) { m.merge(r.m); }
};

/// Reduces blocks of x cut into `workers` contiguous shares, as ranks would.
RunningMoments reduce_cut(const std::vector<double>& x, std::size_t block, int workers) {
    const std::uint64_t blocks = (x.size() + block - 1) / block;
    DyadicReduction<Moments1> total;
    for (int w = 0; w < workers; ++w) {
        const std::uint64_t first = blocks * w / workers, end = blocks * (w + 1) / workers;
        DyadicReduction<Moments1> mine;
        for (std::uint64_t b = first; b < end; ++b) {
            const std::size_t start = b * block, n = std::min(block, x.size() - start);
            mine.push_block(b, {RunningMoments::of(std::span(x).subspan(start, n))});
        }
        for (auto& piece : mine.pieces())
            total.push(std::move(piece));
    }
    return std::move(total).finish()->m;
}

} // namespace

TEST_CASE("moments of a block match a direct computation") {
    const std::vector<double> x{1.0, 2.0, 4.0, NAN, 8.0, INFINITY};
    const auto m = RunningMoments::of(x);
    CHECK(m.count == 4);
    CHECK(m.non_finite == 2);
    CHECK(m.mean == doctest::Approx(3.75));
    CHECK(m.variance() ==
          doctest::Approx((2.75 * 2.75 + 1.75 * 1.75 + 0.25 * 0.25 + 4.25 * 4.25) / 3));
    CHECK(m.min == 1.0);
    CHECK(m.max == 8.0);
}

TEST_CASE("merged moments equal the moments of the concatenation") {
    const auto x = skewed_values(10007, 9);
    auto left = RunningMoments::of(std::span(x).first(3001));
    left.merge(RunningMoments::of(std::span(x).subspan(3001)));
    const auto whole = RunningMoments::of(x);
    CHECK(left.count == whole.count);
    CHECK(left.mean == doctest::Approx(whole.mean).epsilon(1e-13));
    CHECK(left.m2 == doctest::Approx(whole.m2).epsilon(1e-12));
    CHECK(left.min == whole.min);
    CHECK(left.max == whole.max);
}

TEST_CASE("the dyadic reduction gives the same bits for any cut") {
    const auto x = skewed_values(100003, 4);
    const auto one = reduce_cut(x, 1000, 1);
    for (const int workers : {2, 3, 5, 7, 64, 101, 150}) {
        INFO("workers = " << workers);
        CHECK(same_bits(one, reduce_cut(x, 1000, workers)));
    }
    // A plain sequential fold would differ in the last bits for some cut: make sure the test
    // would notice a reduction that depends on the cut.
    RunningMoments seq_a, seq_b;
    for (std::size_t b = 0; b < 101; ++b) {
        const std::size_t start = b * 1000, n = std::min<std::size_t>(1000, x.size() - start);
        seq_a.merge(RunningMoments::of(std::span(x).subspan(start, n)));
    }
    RunningMoments left, right;
    for (std::size_t b = 0; b < 101; ++b) {
        const std::size_t start = b * 1000, n = std::min<std::size_t>(1000, x.size() - start);
        (b < 37 ? left : right).merge(RunningMoments::of(std::span(x).subspan(start, n)));
    }
    left.merge(right);
    seq_b = left;
    CHECK(seq_a.count == seq_b.count);
    CHECK(seq_a.mean == doctest::Approx(one.mean).epsilon(1e-12));
}

TEST_CASE("the dyadic reduction rejects out-of-order pieces") {
    DyadicReduction<Moments1> r;
    r.push_block(0, {});
    CHECK_THROWS_AS(r.push_block(2, {}), std::logic_error);
}

TEST_CASE("log histogram quantiles stay within the stated relative error of exact quantiles") {
    const auto x = skewed_values(50000, 11);
    auto sorted = x;
    std::sort(sorted.begin(), sorted.end());
    for (const unsigned bits : {4u, 8u, 12u}) {
        LogHistogram h(bits);
        h.add(x);
        CHECK(h.count() == x.size());
        const double bound = h.relative_error_bound();
        CHECK(bound == std::ldexp(1.0, -static_cast<int>(bits) - 1));
        for (const double q : {0.0, 0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1.0}) {
            const auto rank = static_cast<std::size_t>(std::floor(q * (x.size() - 1)));
            const double exact = sorted[rank];
            const double est = h.quantile(q, sorted.front(), sorted.back());
            INFO("bits " << bits << " q " << q << " exact " << exact << " est " << est);
            CHECK(std::abs(est - exact) <= bound * std::abs(exact));
        }
    }
}

TEST_CASE("log histogram handles zeros, negatives and non-finite values") {
    LogHistogram h(8);
    const std::vector<double> x{0.0, -0.0, -5.0, 3.0, NAN, INFINITY, 1e-320};
    h.add(x);
    CHECK(h.count() == 5); // NaN and inf excluded; the subnormal counts as zero
    CHECK(h.quantile(0.0, -5.0, 3.0) == doctest::Approx(-5.0).epsilon(h.relative_error_bound()));
    CHECK(h.quantile(0.5, -5.0, 3.0) == 0.0);
    CHECK(h.quantile(1.0, -5.0, 3.0) == doctest::Approx(3.0).epsilon(h.relative_error_bound()));
    CHECK(std::isnan(LogHistogram(8).quantile(0.5, 0, 1)));
}

TEST_CASE("log histogram merges exactly, in any order, and survives serialization") {
    const auto x = skewed_values(30000, 12);
    LogHistogram whole(8), a(8), b(8), c(8);
    whole.add(x);
    a.add(std::span(x).first(10000));
    b.add(std::span(x).subspan(10000, 10000));
    c.add(std::span(x).subspan(20000));
    LogHistogram abc = a, cba = c;
    abc.merge(b);
    abc.merge(c);
    cba.merge(b);
    cba.merge(a);
    CHECK(abc.serialize() == whole.serialize());
    CHECK(cba.serialize() == whole.serialize());
    CHECK(LogHistogram::deserialize(whole.serialize()).serialize() == whole.serialize());
    CHECK_THROWS(LogHistogram::deserialize(std::vector<std::uint64_t>{8, 0, 5}));
    CHECK_THROWS(a.merge(LogHistogram(9)));
}

TEST_CASE("moment blocks and sketch sets round-trip through serialization") {
    MomentsBlock m;
    m.columns = {RunningMoments::of(std::vector<double>{1, 2, 3}), RunningMoments{}};
    const auto back = MomentsBlock::deserialize(m.serialize());
    REQUIRE(back.columns.size() == 2);
    CHECK(same_bits(back.columns[0], m.columns[0]));
    CHECK(same_bits(back.columns[1], m.columns[1]));
    SketchSet s(2, 8);
    s.columns[0].add(std::vector<double>{1, 2, 3});
    CHECK(SketchSet::deserialize(s.serialize()).serialize() == s.serialize());
}

TEST_CASE("a summary reports NaN statistics for a column without finite values") {
    RunningMoments m = RunningMoments::of(std::vector<double>{NAN, NAN});
    LogHistogram h(8);
    const double levels[] = {0.5};
    const auto s = summarize(m, h, levels);
    CHECK(s.n_finite == 0);
    CHECK(s.n_non_finite == 2);
    CHECK(std::isnan(s.mean));
    CHECK(std::isnan(s.quantiles[0]));
}

TEST_CASE("log histogram counts stay exact past the 16-bit staging buckets") {
    // 200,000 equal values land in one bucket: more than a 16-bit count holds, so the staged
    // counts must be folded into the 64-bit totals along the way (in adds of 1024 and in one
    // add larger than the staging limit).
    chiprace::stats::LogHistogram blocks(8), whole(8);
    const std::vector<double> block(1024, 3.5);
    for (int i = 0; i < 200; ++i)
        blocks.add(block);
    const std::vector<double> many(204'800, 3.5);
    whole.add(many);
    CHECK(blocks.count() == 204'800);
    CHECK(whole.count() == 204'800);
    CHECK(blocks.serialize() == whole.serialize());
    const auto round_trip = chiprace::stats::LogHistogram::deserialize(blocks.serialize());
    CHECK(round_trip.count() == 204'800);
    CHECK(round_trip.quantile(0.5, 3.5, 3.5) == 3.5);
    // Zeros and negatives take the general path, staged the same way.
    chiprace::stats::LogHistogram mixed(8);
    std::vector<double> signs(1024);
    for (std::size_t i = 0; i < signs.size(); ++i)
        signs[i] = i % 3 == 0 ? 0.0 : (i % 3 == 1 ? -2.0 : 2.0);
    for (int i = 0; i < 100; ++i)
        mixed.add(signs);
    CHECK(mixed.count() == 102'400);
    CHECK(mixed.quantile(0.0, -2.0, 2.0) == -2.0);
    CHECK(mixed.quantile(0.5, -2.0, 2.0) == 0.0);
    CHECK(mixed.quantile(1.0, -2.0, 2.0) == 2.0);
}

TEST_CASE("log histogram serialization is compact: varint counts, empty buckets as runs") {
    // 1,000 values spread over 40 binades: 10,240 buckets in range, at most 1,000 of them used.
    // Dense 64-bit counts would be 80 KB; the compact form is about a byte per used bucket
    // plus a couple per run of empty ones.
    std::vector<double> x(1000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = std::ldexp(1.0 + 0.37 * static_cast<double>(i % 7) / 7.0, static_cast<int>(i % 40));
    LogHistogram h(8);
    h.add(x);
    std::vector<double> negatives{-0.5, -1e6, 0.0};
    h.add(negatives);
    const auto words = h.serialize();
    CHECK(words.size() * 8 < 3 * 1000 + 64);
    const auto back = LogHistogram::deserialize(words);
    CHECK(back.serialize() == words);
    CHECK(back.count() == 1003);
    for (const double q : {0.0, 0.001, 0.25, 0.5, 0.9, 1.0})
        CHECK(back.quantile(q, -1e6, 0x1.0p40) == h.quantile(q, -1e6, 0x1.0p40));
    // Large counts take several varint bytes and stay exact.
    LogHistogram big(8);
    const std::vector<double> same(60000, 2.5);
    for (int i = 0; i < 100; ++i)
        big.add(same);
    CHECK(LogHistogram::deserialize(big.serialize()).count() == 6'000'000);
    // Damage is refused, never read as another sketch: a flipped byte, a cut, padding.
    auto flipped = words;
    flipped[words.size() / 2] ^= 0x80;
    auto cut = words;
    cut.pop_back();
    auto padded = words;
    padded.push_back(0);
    for (const auto& bad : {flipped, cut, padded})
        CHECK_THROWS(LogHistogram::deserialize(bad));
}

TEST_CASE("sums of sketches serialize as their merge does, without merging them") {
    // Sketches over different ranges and signs (a thread's, a rank's message, a resumed
    // ledger's), some of them empty: the flat form of the sum is the flat form of the merge.
    const auto x = skewed_values(30000, 21);
    std::vector<double> mixed(x.begin(), x.begin() + 5000);
    for (std::size_t i = 0; i < mixed.size(); i += 3)
        mixed[i] = -mixed[i] * 1e3;
    mixed[7] = 0.0;
    SketchSet a(3, 8), b(3, 8), c(3, 8);
    a.columns[0].add(std::span(x).first(10000));
    b.columns[0].add(std::span(x).subspan(10000, 10000));
    c.columns[0].add(mixed);
    b.columns[1].add(mixed);
    c.columns[2].add(std::vector<double>{1e-200, 1e200}); // far apart: one long empty run
    SketchSet merged = a;
    merged.merge(b);
    merged.merge(c);
    const auto expected = merged.serialize();
    const SketchSet* in_memory[] = {&a, &b};
    const auto c_flat = c.serialize();
    const std::span<const std::uint64_t> flat[] = {c_flat};
    CHECK(SketchSet::serialize_sum(in_memory, flat) == expected);
    const auto a_flat = a.serialize(), b_flat = b.serialize();
    const std::span<const std::uint64_t> all_flat[] = {a_flat, b_flat, c_flat};
    CHECK(SketchSet::serialize_sum({}, all_flat) == expected);
    const SketchSet* all_memory[] = {&c, &a, &b};
    CHECK(SketchSet::serialize_sum(all_memory, {}) == expected);
    const auto back = SketchSet::deserialize(expected);
    CHECK(back.columns[0].count() == 25000);
    CHECK(back.columns[2].count() == 2);
    // Different widths or precisions are refused.
    SketchSet narrow(2, 8), coarse(3, 6);
    const SketchSet* wrong_width[] = {&a, &narrow};
    CHECK_THROWS(SketchSet::serialize_sum(wrong_width, {}));
    const SketchSet* wrong_bits[] = {&a, &coarse};
    CHECK_THROWS(SketchSet::serialize_sum(wrong_bits, {}));
}

namespace {

/// Values over the whole double range, both signs, with the values no sketch counts: zeros,
/// subnormals, infinities, NaN.
std::vector<double> extreme_values(std::size_t n, std::uint64_t seed) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        chiprace::random::CounterStream s(seed, i, chiprace::random::StreamPurpose::sample_inputs);
        const double u = s.uniform_open01();
        const double magnitude = std::ldexp(1.0 + u, static_cast<int>(u * 2040.0) - 1020);
        x[i] = (i % 5 == 0 ? -magnitude : magnitude);
    }
    x[3] = 0.0;
    x[4] = 1e-320;
    x[6] = INFINITY;
    x[8] = -INFINITY;
    x[9] = NAN;
    x[10] = std::numeric_limits<double>::max();
    x[11] = std::numeric_limits<double>::min();
    return x;
}

} // namespace

TEST_CASE("a sketch fed values over the whole double range stays under its memory ceiling") {
    const auto x = extreme_values(20000, 31);
    for (const unsigned bits : {1u, 8u, 12u}) {
        LogHistogram h(bits);
        for (std::size_t i = 0; i < x.size(); i += 1000)
            h.add(std::span(x).subspan(i, 1000));
        const auto [pos, neg] = h.buckets();
        INFO("bits " << bits << " buckets " << pos << " " << neg);
        CHECK(pos == LogHistogram::max_buckets(bits)); // full: the range is far wider
        CHECK(neg == LogHistogram::max_buckets(bits));
        CHECK(LogHistogram::max_buckets(bits) == std::size_t{128} << bits);
        CHECK(LogHistogram::memory_ceiling(bits) >= 2 * 10 * LogHistogram::max_buckets(bits));
        CHECK(h.count() == x.size() - 3); // ±inf and NaN are not counted, zeros are
        // Quantiles in the kept range keep their relative bound: the largest value, exactly
        // the largest double.
        const double top = h.quantile(1.0, -std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::max());
        CHECK(std::abs(top - std::numeric_limits<double>::max()) <=
              h.relative_error_bound() * std::numeric_limits<double>::max());
        // The flat form of a bounded sketch reads back to the same sketch.
        CHECK(LogHistogram::deserialize(h.serialize()).serialize() == h.serialize());
    }
    // Integer columns keep 65,536 consecutive magnitudes per sign.
    LogHistogram years(LogHistogram::exact_integers);
    std::vector<double> counts(300000);
    for (std::size_t i = 0; i < counts.size(); ++i)
        counts[i] = static_cast<double>(i * 7 % 1000003);
    years.add(counts);
    CHECK(years.buckets().first == LogHistogram::integer_range);
    CHECK(years.count() == counts.size());
    CHECK(years.quantile(1.0, 0, 1000002) == *std::max_element(counts.begin(), counts.end()));
}

TEST_CASE("bounded sketches merge to the same bytes in any order and cut") {
    // Parts whose ranges lie far apart: one wholly below another's kept range, so the
    // collapse happens in merges, in sums of serialized parts and in single adds.
    const auto x = extreme_values(12000, 32);
    std::vector<double> low(2000), high(2000);
    for (std::size_t i = 0; i < low.size(); ++i) {
        low[i] = std::ldexp(1.0 + 0.001 * static_cast<double>(i), -900 + static_cast<int>(i % 50));
        high[i] = -std::ldexp(1.0 + 0.001 * static_cast<double>(i), 900 - static_cast<int>(i % 50));
    }
    std::vector<std::span<const double>> pieces{low, high};
    for (std::size_t i = 0; i < x.size(); i += 3000)
        pieces.push_back(std::span(x).subspan(i, 3000));
    LogHistogram whole(8);
    std::vector<double> all;
    for (const auto& p : pieces)
        all.insert(all.end(), p.begin(), p.end());
    whole.add(all);
    const auto expected = whole.serialize();

    std::vector<std::size_t> order(pieces.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    int permutations = 0;
    do {
        LogHistogram merged(8);
        for (const auto i : order) {
            LogHistogram part(8);
            part.add(pieces[i]);
            merged.merge(part);
        }
        CHECK(merged.serialize() == expected);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()) && permutations < 200);

    // One sketch fed the pieces in turn, and the sum of held and serialized parts.
    LogHistogram fed(8);
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it)
        fed.add(*it);
    CHECK(fed.serialize() == expected);
    std::vector<LogHistogram> parts;
    for (const auto& p : pieces) {
        parts.emplace_back(8);
        parts.back().add(p);
    }
    std::vector<std::vector<std::uint64_t>> flat;
    for (std::size_t i = 2; i < parts.size(); ++i)
        flat.push_back(parts[i].serialize());
    const LogHistogram* held[] = {&parts[1], &parts[0]};
    const std::vector<std::span<const std::uint64_t>> flat_spans(flat.begin(), flat.end());
    CHECK(LogHistogram::serialize_sum(held, flat_spans) == expected);
    CHECK(LogHistogram::deserialize(expected).serialize() == expected);
    CHECK(whole.count() == all.size() - 3);
}

TEST_CASE("a serialized sketch wider than the bound is bounded as it is read") {
    // The flat form of an unbounded sketch (a ledger written before sketches were bounded):
    // one count at each end of a side twice as wide as the bound.
    const std::uint64_t wide = 2 * LogHistogram::max_buckets(8);
    std::vector<std::uint8_t> bytes;
    auto varint = [&](std::uint64_t v) {
        for (; v >= 0x80; v >>= 7)
            bytes.push_back(static_cast<std::uint8_t>(v | 0x80));
        bytes.push_back(static_cast<std::uint8_t>(v));
    };
    for (const std::uint64_t v :
         {std::uint64_t{8}, std::uint64_t{0}, std::uint64_t{300000}, wide, std::uint64_t{1},
          std::uint64_t{0}, wide - 2, std::uint64_t{1}, std::uint64_t{0}, std::uint64_t{0}})
        varint(v);
    std::vector<std::uint64_t> words(1 + (bytes.size() + 7) / 8, 0);
    words[0] = bytes.size();
    for (std::size_t i = 0; i < bytes.size(); ++i)
        words[1 + i / 8] |= std::uint64_t{bytes[i]} << (8 * (i % 8));
    const auto h = LogHistogram::deserialize(words);
    CHECK(h.buckets().first == LogHistogram::max_buckets(8));
    CHECK(h.count() == 2);
}

TEST_CASE("a sketch fed block by block counts as one fed value by value") {
    // The add's batches, its storage with slack around the counted span, its shortcut for
    // constant columns and its scratch slots for zeros are invisible: every value is counted
    // once, in its bucket, whatever the blocks. The reference adds one value at a time.
    std::vector<double> x;
    for (int block = 0; block < 40; ++block) {
        for (int i = 0; i < 700; ++i) {
            chiprace::random::CounterStream s(7, static_cast<std::uint64_t>(block * 700 + i),
                                              chiprace::random::StreamPurpose::sample_inputs);
            const double u = s.uniform_open01();
            // Extremes creeping outwards block by block, both signs, some zeros and NaN.
            const double spread = std::ldexp(1.0, block / 2);
            x.push_back(i % 11 == 0 ? 0.0 : (u - 0.3) * spread);
        }
        x[x.size() - 5] = NAN;
    }
    std::vector<double> constant(3000, 3.5);
    constant[17] = NAN;
    constant[2000] = INFINITY;
    for (const auto& values : {x, constant}) {
        LogHistogram by_block(8), by_value(8);
        for (std::size_t i = 0; i < values.size(); i += 700)
            by_block.add(
                std::span(values).subspan(i, std::min<std::size_t>(700, values.size() - i)));
        for (const double v : values)
            by_value.add(std::span(&v, 1));
        CHECK(by_block.serialize() == by_value.serialize());
        CHECK(by_block.count() == by_value.count());
        const double levels[] = {0.95, 0.0, 1.0, 0.5, 0.05}; // any order
        const auto q = by_block.quantiles(levels, -1e300, 1e300);
        for (std::size_t i = 0; i < 5; ++i)
            CHECK(q[i] == by_value.quantile(levels[i], -1e300, 1e300));
    }
    LogHistogram c(8);
    c.add(constant);
    CHECK(c.count() == constant.size() - 2);
    CHECK(c.quantile(0.5, 3.5, 3.5) == 3.5);
}
