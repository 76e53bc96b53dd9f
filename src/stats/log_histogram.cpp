#include "chiprace/stats/log_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>

namespace chiprace::stats {

LogHistogram::LogHistogram(unsigned mantissa_bits) : bits_(mantissa_bits) {
    if (bits_ > 16)
        throw std::invalid_argument("LogHistogram: mantissa bits must be in [0, 16]");
    positive_.cap = negative_.cap = max_buckets(bits_);
}

std::size_t LogHistogram::max_buckets(unsigned mantissa_bits) {
    return mantissa_bits == exact_integers ? integer_range
                                           : std::size_t{range_binades} << mantissa_bits;
}

std::size_t LogHistogram::memory_ceiling(unsigned mantissa_bits, bool weighted) {
    return sizeof(LogHistogram) +
           2 * max_buckets(mantissa_bits) *
               (sizeof(std::uint64_t) + (weighted ? sizeof(std::uint32_t) : sizeof(std::uint16_t)));
}

std::uint64_t LogHistogram::key(double magnitude) const {
    if (bits_ == exact_integers)
        return static_cast<std::uint64_t>(magnitude);
    // Positive doubles order like their bit patterns: exponent then mantissa.
    return std::bit_cast<std::uint64_t>(magnitude) >> (52u - bits_);
}

double LogHistogram::bucket_midpoint(std::uint64_t k) const {
    if (bits_ == exact_integers)
        return static_cast<double>(k);
    const double lo = std::bit_cast<double>(k << (52u - bits_));
    const double hi = std::bit_cast<double>((k + 1) << (52u - bits_));
    return 0.5 * (lo + hi);
}

double LogHistogram::relative_error_bound() const {
    return std::ldexp(1.0, -int(bits_) - 1);
}

void LogHistogram::Side::grow_to(std::uint64_t lo_key, std::uint64_t hi_key) {
    if (size == 0) {
        first_key = base_key = std::max(lo_key, floor_of(hi_key));
        size = hi_key - first_key + 1;
        if (weighted)
            wide.assign(size, 0);
        else
            recent.assign(size, 0);
        counts.clear();
        return;
    }
    const std::uint64_t last = last_key();
    const std::uint64_t new_last = std::max(last, hi_key);
    const std::uint64_t new_first = std::max(std::min(first_key, lo_key), floor_of(new_last));
    if (new_first > first_key) {
        rebuild(new_first, new_last);
        return;
    }
    const std::uint64_t end = base_key + storage();
    if (new_first < base_key || new_last >= end) {
        // A column's extremes creep outwards over its first blocks: a quarter of the span as
        // slack on the side that grew bounds the copies to a few per side, and costs at most a
        // quarter more of the 16-bit storage. Storage stays within the cap, whose floor only
        // rises: what lies below it is zero.
        const std::uint64_t slack = std::max<std::uint64_t>((new_last - new_first + 1) / 4, 64);
        const std::uint64_t lowest = floor_of(new_last);
        const std::uint64_t new_base = std::max(
            lowest, new_first < base_key ? (new_first > slack ? new_first - slack : 0) : base_key);
        const std::uint64_t new_end =
            std::min(new_last >= end ? new_last + 1 + slack : end, new_base + cap);
        const std::size_t from = first_key - base_key, to = first_key - new_base;
        auto widen = [&](auto& storage) {
            std::remove_reference_t<decltype(storage)> wider(new_end - new_base, 0);
            std::copy_n(storage.begin() + static_cast<std::ptrdiff_t>(from), size,
                        wider.begin() + static_cast<std::ptrdiff_t>(to));
            storage = std::move(wider);
        };
        if (weighted)
            widen(wide);
        else
            widen(recent);
        if (!counts.empty()) {
            std::vector<std::uint64_t> wider_counts(new_end - new_base, 0);
            std::copy_n(counts.begin() + static_cast<std::ptrdiff_t>(from), size,
                        wider_counts.begin() + static_cast<std::ptrdiff_t>(to));
            counts = std::move(wider_counts);
        }
        base_key = new_base;
    }
    first_key = new_first;
    size = new_last - new_first + 1;
}

void LogHistogram::Side::rebuild(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> collapsed(last - first + 1, 0);
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint64_t k = first_key + i;
        if (k <= last)
            collapsed[std::max(k, first) - first] += at(i);
    }
    counts = std::move(collapsed);
    // Staged counts are folded into the totals above.
    if (weighted)
        wide.assign(counts.size(), 0);
    else
        recent.assign(counts.size(), 0);
    first_key = base_key = first;
    size = counts.size();
}

void LogHistogram::Side::add(const Side& other) {
    if (other.size == 0)
        return;
    grow_to(other.first_key, other.last_key());
    if (counts.empty())
        counts.assign(storage(), 0);
    // Keys below this side's first bucket were collapsed away by its (larger) largest key.
    for (std::size_t i = 0; i < other.size; ++i)
        counts[std::max(other.first_key + i, first_key) - base_key] += other.at(i);
}

void LogHistogram::Side::fold() {
    if (size == 0)
        return;
    if (counts.empty())
        counts.assign(storage(), 0);
    // Outside the span both are zero.
    if (weighted) {
        for (std::size_t j = first_key - base_key, end = j + size; j < end; ++j)
            counts[j] += wide[j];
        std::fill(wide.begin(), wide.end(), std::uint32_t{0});
        return;
    }
    for (std::size_t j = first_key - base_key, end = j + size; j < end; ++j)
        counts[j] += recent[j];
    std::fill(recent.begin(), recent.end(), std::uint16_t{0});
}

void LogHistogram::reserve_recent(std::size_t n) {
    if (n > max_recent)
        throw std::logic_error("LogHistogram: more values in one add than a 16-bit bucket holds");
    if (recent_values_ + n > max_recent) {
        positive_.fold();
        negative_.fold();
        recent_values_ = 0;
    }
    recent_values_ += n;
}

void LogHistogram::add(std::span<const double> values) {
    // Most columns hold only positive values (stocks, FLOP, prices): one min/max pass, one
    // growth, then a shift and an increment per value.
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (const double v : values) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    add(values, lo, hi);
}

void LogHistogram::add(std::span<const double> values, double lo, double hi) {
    if (lo > hi)
        return; // nothing finite
    if (lo >= std::numeric_limits<double>::min() && bits_ != exact_integers)
        add_positive(values, lo, hi);
    else if (bits_ == exact_integers)
        add_mixed<true>(values);
    else
        add_mixed<false>(values);
}

namespace {

// The increments of a column's values land on cache lines of a sketch that the other columns'
// adds have evicted since the last block: the add waits on memory. Addresses are therefore
// computed first, a batch at a time, vectorised and without branches, and the increments follow
// in a loop of their own, whose misses the processor overlaps.
constexpr std::size_t batch = 256;

// In the vectorised loops ("omp simd": -O2's cost model leaves them scalar, at several times
// the cost) flags are integer masks combined with & and |, selects are conditionals on
// values: && and std::min's references keep GCC from vectorising, and conditionals on the
// sign became branches, mispredicted on every other value of a mixed column.

/// All ones when the flag is set, else zero.
std::uint64_t mask_of(bool flag) {
    return 0 - std::uint64_t{flag};
}

/// p where mask is all ones, q where it is zero.
std::uint16_t* pick(std::uint64_t mask, std::uint16_t* p, std::uint16_t* q) {
    return reinterpret_cast<std::uint16_t*>((reinterpret_cast<std::uintptr_t>(p) & mask) |
                                            (reinterpret_cast<std::uintptr_t>(q) & ~mask));
}

/// ++*slot for each slot. The lines are fetched first: a prefetch holds no store buffer entry,
/// so many more misses are in flight than when each increment (a load and a store) waits.
void increment(std::span<std::uint16_t* const> slots) {
    for (std::uint16_t* const slot : slots)
        __builtin_prefetch(slot, 1);
    for (std::uint16_t* const slot : slots)
        ++*slot;
}

/// Values not counted in a bucket (zeros, non-finite) go to eight scratch slots in turn: a
/// column of zeros (two policies that agree) would otherwise chain every increment on the one
/// before.
struct Scratch {
    std::uint16_t slots[8] = {};
    std::uint16_t* at(std::size_t i) { return slots + (i & 7u); }
};

} // namespace

void LogHistogram::add_positive(std::span<const double> values, double lo, double hi) {
    constexpr double largest = std::numeric_limits<double>::max();
    positive_.grow_to(key(lo), key(hi));
    const std::uint64_t first = positive_.first_key;
    std::uint16_t* const counts = positive_.first_recent();
    const unsigned shift = 52u - bits_;
    Scratch scratch;
    std::uint16_t* slots[batch];
    for (std::size_t done = 0; done < values.size(); done += max_recent) {
        const auto part =
            values.subspan(done, std::min<std::size_t>(max_recent, values.size() - done));
        reserve_recent(part.size());
        if (lo == hi) {
            // A constant column (a lever's value, a cap reached in every future): one bucket,
            // whose increments would otherwise wait on each other, one per value.
            std::uint64_t finite = 0;
#pragma omp simd reduction(+ : finite)
            for (std::size_t i = 0; i < part.size(); ++i)
                finite += std::uint64_t{std::fabs(part[i]) <= largest};
            counts[std::max(key(lo), first) - first] += static_cast<std::uint16_t>(finite);
            continue;
        }
        for (std::size_t b = 0; b < part.size(); b += batch) {
            const std::size_t n = std::min(batch, part.size() - b);
#pragma omp simd
            for (std::size_t i = 0; i < n; ++i) {
                const double v = part[b + i];
                const std::uint64_t finite = mask_of(std::fabs(v) <= largest);
                // Keys below the first bucket (past the range bound) go to that bucket.
                const std::uint64_t k = std::bit_cast<std::uint64_t>(v) >> shift;
                const std::uint64_t index = ((k > first ? k : first) - first) & finite;
                slots[i] = pick(finite, counts + index, scratch.at(i));
            }
            increment(std::span(slots, n));
        }
    }
}

template <bool integers>
void LogHistogram::add_mixed(std::span<const double> values) {
    // Mixed signs (contrasts between policies, revenue changes) or integer columns.
    constexpr double tiny = std::numeric_limits<double>::min();
    constexpr double largest = std::numeric_limits<double>::max();
    const unsigned shift = 52u - bits_;
    // Zeros and non-finite values get the key of 1.0, their masks drop it.
    auto key_of = [shift](double magnitude) {
        if constexpr (integers)
            return static_cast<std::uint64_t>(magnitude);
        else
            return std::bit_cast<std::uint64_t>(magnitude) >> shift;
    };
    std::uint64_t pos_lo = ~0ull, pos_hi = 0, neg_lo = ~0ull, neg_hi = 0;
    std::uint64_t fractional = 0; // integer columns: counted rather than thrown at
    for (std::size_t b = 0; b < values.size(); b += batch) {
        const std::size_t n = std::min(batch, values.size() - b);
#pragma omp simd reduction(min : pos_lo, neg_lo) reduction(max : pos_hi, neg_hi)                  \
    reduction(+ : fractional)
        for (std::size_t i = 0; i < n; ++i) {
            const double v = values[b + i];
            const double a = std::fabs(v);
            const std::uint64_t counted = mask_of(a >= tiny) & mask_of(a <= largest);
            if constexpr (integers)
                fractional +=
                    counted & (std::uint64_t{v != std::trunc(v)} | std::uint64_t{a > 0x1.0p53});
            const std::uint64_t k = key_of(counted != 0 ? a : 1.0);
            const std::uint64_t pos = counted & mask_of(v > 0);
            const std::uint64_t neg = counted & mask_of(v < 0);
            pos_lo = (k | ~pos) < pos_lo ? (k | ~pos) : pos_lo;
            pos_hi = (k & pos) > pos_hi ? (k & pos) : pos_hi;
            neg_lo = (k | ~neg) < neg_lo ? (k | ~neg) : neg_lo;
            neg_hi = (k & neg) > neg_hi ? (k & neg) : neg_hi;
        }
    }
    if (fractional > 0)
        throw std::invalid_argument("LogHistogram: a non-integer value in an integer column");
    if (pos_lo <= pos_hi)
        positive_.grow_to(pos_lo, pos_hi);
    if (neg_lo <= neg_hi)
        negative_.grow_to(neg_lo, neg_hi);
    Scratch scratch;
    std::uint16_t* const pos_base = positive_.size == 0 ? scratch.at(0) : positive_.first_recent();
    std::uint16_t* const neg_base = negative_.size == 0 ? scratch.at(0) : negative_.first_recent();
    const std::uint64_t pos_first = positive_.first_key, neg_first = negative_.first_key;
    std::uint64_t zeros = 0;
    std::uint16_t* slots[batch];
    for (std::size_t done = 0; done < values.size(); done += max_recent) {
        const auto part =
            values.subspan(done, std::min<std::size_t>(max_recent, values.size() - done));
        reserve_recent(part.size());
        for (std::size_t b = 0; b < part.size(); b += batch) {
            const std::size_t n = std::min(batch, part.size() - b);
#pragma omp simd reduction(+ : zeros)
            for (std::size_t i = 0; i < n; ++i) {
                const double v = part[b + i];
                const double a = std::fabs(v);
                const std::uint64_t counted = mask_of(a >= tiny) & mask_of(a <= largest);
                zeros += std::uint64_t{a < tiny}; // NaN compares false
                const std::uint64_t k = key_of(counted != 0 ? a : 1.0);
                const std::uint64_t pos = counted & mask_of(v > 0);
                const std::uint64_t neg = counted & mask_of(v < 0);
                // Keys below a side's first bucket (past its range bound) go to that bucket.
                const std::uint64_t pos_index = ((k > pos_first ? k : pos_first) - pos_first) & pos;
                const std::uint64_t neg_index = ((k > neg_first ? k : neg_first) - neg_first) & neg;
                slots[i] =
                    pick(pos, pos_base + pos_index, pick(neg, neg_base + neg_index, scratch.at(i)));
            }
            increment(std::span(slots, n));
        }
    }
    zeros_ += zeros;
}

void LogHistogram::add_weighted(std::span<const double> values,
                                std::span<const std::uint64_t> units) {
    add_weighted(values, units, 0.0, -1.0);
}

void LogHistogram::add_weighted(std::span<const double> values,
                                std::span<const std::uint64_t> units, double lo, double hi) {
    if (units.size() != values.size())
        throw std::invalid_argument("LogHistogram: one weight per value");
    constexpr double tiny = std::numeric_limits<double>::min();
    constexpr double largest = std::numeric_limits<double>::max();
    const unsigned shift = 52u - bits_;
    const bool integers = bits_ == exact_integers;
    auto key_of = [shift, integers](double magnitude) {
        return integers ? static_cast<std::uint64_t>(magnitude)
                        : std::bit_cast<std::uint64_t>(magnitude) >> shift;
    };
    // The span of keys of the values that count: finite, of positive weight. Known at once when
    // every value is positive (it then spans every value's key, weighted or not: the same for
    // any cut, and the prior sketch's span when every weight is 1).
    std::uint64_t pos_lo = ~0ull, pos_hi = 0, neg_lo = ~0ull, neg_hi = 0;
    const bool positive = lo <= hi && lo >= tiny && !integers;
    if (positive) {
        pos_lo = key_of(lo);
        pos_hi = key_of(hi);
    }
    for (std::size_t b = 0; !positive && b < values.size(); b += batch) {
        const std::size_t n = std::min(batch, values.size() - b);
#pragma omp simd reduction(min : pos_lo, neg_lo) reduction(max : pos_hi, neg_hi)
        for (std::size_t i = 0; i < n; ++i) {
            const double v = values[b + i];
            const double a = std::fabs(v);
            const std::uint64_t counted =
                mask_of(a >= tiny) & mask_of(a <= largest) & mask_of(units[b + i] != 0);
            const std::uint64_t k = key_of(counted != 0 ? a : 1.0);
            const std::uint64_t pos = counted & mask_of(v > 0);
            const std::uint64_t neg = counted & mask_of(v < 0);
            pos_lo = (k | ~pos) < pos_lo ? (k | ~pos) : pos_lo;
            pos_hi = (k & pos) > pos_hi ? (k & pos) : pos_hi;
            neg_lo = (k | ~neg) < neg_lo ? (k | ~neg) : neg_lo;
            neg_hi = (k & neg) > neg_hi ? (k & neg) : neg_hi;
        }
    }
    // Weights are staged in 32-bit buckets (a weight takes at most 2^16 units), folded into the
    // 64-bit totals before any of them could overflow, as unit counts are in 16-bit ones.
    for (Side* side : {&positive_, &negative_}) {
        if (side->size == 0 && side->recent.empty() && side->counts.empty())
            side->weighted = true;
        if (!side->weighted)
            throw std::logic_error("LogHistogram: weighted adds to a sketch of counts");
    }
    std::uint64_t block_units = 0;
    for (const std::uint64_t u : units) {
        if (u > max_value_units)
            throw std::invalid_argument("LogHistogram: a weight above 2^16 units");
        block_units += u;
    }
    if (staged_units_ + block_units > max_staged_units) {
        positive_.fold();
        negative_.fold();
        staged_units_ = 0;
    }
    staged_units_ += block_units; // below 2^32 too: a block holds far fewer than 2^16 values
    for (auto [side, first, last] :
         {std::tuple{&positive_, pos_lo, pos_hi}, std::tuple{&negative_, neg_lo, neg_hi}})
        if (first <= last)
            side->grow_to(first, last);
    std::uint32_t scratch[8] = {};
    std::uint32_t* const pos_base =
        positive_.size == 0 ? scratch
                            : positive_.wide.data() + (positive_.first_key - positive_.base_key);
    std::uint32_t* const neg_base =
        negative_.size == 0 ? scratch
                            : negative_.wide.data() + (negative_.first_key - negative_.base_key);
    const std::uint64_t pos_first = positive_.first_key, neg_first = negative_.first_key;
    std::uint64_t zeros = 0;
    std::uint32_t* slots[batch];
    for (std::size_t b = 0; b < values.size(); b += batch) {
        const std::size_t n = std::min(batch, values.size() - b);
#pragma omp simd reduction(+ : zeros)
        for (std::size_t i = 0; i < n; ++i) {
            const double v = values[b + i];
            const double a = std::fabs(v);
            const std::uint64_t counted = mask_of(a >= tiny) & mask_of(a <= largest);
            zeros += units[b + i] & mask_of(a < tiny); // NaN compares false
            const std::uint64_t k = key_of(counted != 0 ? a : 1.0);
            const std::uint64_t pos = counted & mask_of(v > 0);
            const std::uint64_t neg = counted & mask_of(v < 0);
            // Keys below a side's first bucket (past its range bound) go to that bucket; a
            // value of 0 units may lie outside the span and goes to scratch.
            const std::uint64_t live = mask_of(units[b + i] != 0);
            const std::uint64_t pos_index =
                ((k > pos_first ? k : pos_first) - pos_first) & pos & live;
            const std::uint64_t neg_index =
                ((k > neg_first ? k : neg_first) - neg_first) & neg & live;
            const std::uint64_t use_pos = pos & live, use_neg = neg & live;
            const auto p = reinterpret_cast<std::uintptr_t>(pos_base + pos_index);
            const auto q = reinterpret_cast<std::uintptr_t>(neg_base + neg_index);
            const auto r = reinterpret_cast<std::uintptr_t>(scratch + (i & 7u));
            slots[i] = reinterpret_cast<std::uint32_t*>((p & use_pos) | (q & use_neg) |
                                                        (r & ~(use_pos | use_neg)));
        }
        for (std::size_t i = 0; i < n; ++i)
            __builtin_prefetch(slots[i], 1);
        for (std::size_t i = 0; i < n; ++i)
            *slots[i] += static_cast<std::uint32_t>(units[b + i]);
    }
    zeros_ += zeros;
}

void LogHistogram::merge(const LogHistogram& other) {
    if (other.bits_ != bits_)
        throw std::invalid_argument("LogHistogram: merging sketches of different precision");
    zeros_ += other.zeros_;
    positive_.add(other.positive_);
    negative_.add(other.negative_);
}

std::uint64_t LogHistogram::count() const {
    std::uint64_t n = zeros_;
    for (const Side* s : {&positive_, &negative_})
        for (std::size_t i = 0; i < s->size; ++i)
            n += s->at(i);
    return n;
}

double LogHistogram::quantile(double q, double lo, double hi) const {
    return quantiles(std::span(&q, 1), lo, hi).front();
}

std::vector<double> LogHistogram::quantiles(std::span<const double> levels, double lo,
                                            double hi) const {
    const std::uint64_t n = count();
    if (n == 0)
        return std::vector<double>(levels.size(), std::numeric_limits<double>::quiet_NaN());
    // Ranks below 2^64 are exact in long double's 64-bit significand.
    std::vector<long double> ranks;
    for (const double q : levels)
        ranks.push_back(static_cast<long double>(static_cast<std::uint64_t>(
            std::floor(std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1)))));
    return walk(ranks, lo, hi);
}

std::vector<double> LogHistogram::weighted_quantiles(std::span<const double> levels, double lo,
                                                     double hi, std::uint64_t n) const {
    const std::uint64_t total = count();
    if (n == 0 || total == 0)
        return std::vector<double>(levels.size(), std::numeric_limits<double>::quiet_NaN());
    // The unweighted rank scaled by the mean weight. When every value carries the same units u
    // (a power of two, the total below 2^64), total/n is u exactly and so is rank·u: the
    // comparison in walk() is then the unweighted one, and so are the quantiles.
    const long double mean_units = static_cast<long double>(total) / static_cast<long double>(n);
    std::vector<long double> thresholds;
    for (const double q : levels)
        thresholds.push_back(static_cast<long double>(static_cast<std::uint64_t>(std::floor(
                                 std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1)))) *
                             mean_units);
    return walk(thresholds, lo, hi);
}

std::vector<double> LogHistogram::walk(std::span<const long double> thresholds, double lo,
                                       double hi) const {
    std::vector<double> out(thresholds.size(), std::numeric_limits<double>::quiet_NaN());
    // One walk for all levels, in the order of their thresholds: a summary asks for several,
    // and each walk crosses most of the buckets.
    // An integer count exceeds t >= 0 exactly when it exceeds floor(t): integer comparisons
    // in the walk.
    std::vector<std::pair<std::uint64_t, std::size_t>> wanted; // floor(threshold), level
    for (std::size_t j = 0; j < thresholds.size(); ++j)
        wanted.emplace_back(static_cast<std::uint64_t>(std::floor(thresholds[j])), j);
    std::sort(wanted.begin(), wanted.end());
    std::size_t next = 0;
    std::uint64_t seen = 0;
    bool complete = false;
    // The value of the bucket where the count first exceeds a threshold is that level's
    // quantile.
    auto reached = [&] { return next < wanted.size() && (complete || seen > wanted[next].first); };
    auto take = [&](double x) {
        for (; reached(); ++next)
            out[wanted[next].second] = std::clamp(x, lo, hi);
    };
    // Ascending order of value: negatives from the largest magnitude down, zeros, positives.
    for (std::size_t i = negative_.size; i-- > 0 && next < wanted.size();) {
        seen += negative_.at(i);
        if (reached())
            take(-bucket_midpoint(negative_.first_key + i));
    }
    seen += zeros_;
    take(0.0);
    for (std::size_t i = 0; i < positive_.size && next < wanted.size(); ++i) {
        seen += positive_.at(i);
        if (reached())
            take(bucket_midpoint(positive_.first_key + i));
    }
    complete = true; // every count is seen: any threshold left is reached at the top
    take(hi);
    return out;
}

namespace {

// The flat form is a byte stream of LEB128 varints packed into words: a bucket count takes one
// or two bytes instead of eight, and a run of empty buckets (a sketch's range is mostly empty
// until many values have landed) takes a zero and its length. Checkpoints and the messages
// between ranks carry every column's sketch, so this is most of their size.
void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

[[noreturn]] void corrupt() {
    throw std::runtime_error("LogHistogram: corrupt serialized sketch");
}

class VarintReader {
public:
    explicit VarintReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    std::uint64_t next() {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (pos_ >= bytes_.size())
                corrupt();
            const std::uint8_t b = bytes_[pos_++];
            v |= std::uint64_t{b & 0x7fu} << shift;
            if ((b & 0x80u) == 0)
                return v;
        }
        corrupt();
    }
    [[nodiscard]] bool at_end() const { return pos_ == bytes_.size(); }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

} // namespace

namespace {

/// One side of a serialized sketch, read a bucket at a time in key order.
class SerializedSide {
public:
    explicit SerializedSide(VarintReader& in) : in_(&in), first_(in.next()), size_(in.next()) {
        if (size_ > (std::uint64_t{1} << 32))
            corrupt(); // no sketch of a run's column comes near 2^32 buckets (32 GB in memory)
    }
    [[nodiscard]] std::uint64_t first() const { return first_; }
    [[nodiscard]] std::uint64_t size() const { return size_; }
    [[nodiscard]] bool finished() const { return read_ == size_ && zeros_left_ == 0; }
    std::uint64_t next() {
        if (zeros_left_ > 0) {
            --zeros_left_;
            return 0;
        }
        if (read_ >= size_)
            corrupt();
        const auto n = in_->next();
        if (n != 0) {
            ++read_;
            return n;
        }
        const auto run = in_->next();
        if (run == 0 || run > size_ - read_)
            corrupt();
        read_ += run;
        zeros_left_ = run - 1;
        return 0;
    }

private:
    VarintReader* in_;
    std::uint64_t first_, size_;
    std::uint64_t read_ = 0, zeros_left_ = 0;
};

/// Appends bucket counts, a run of empty buckets as a zero and its length.
class SideWriter {
public:
    explicit SideWriter(std::vector<std::uint8_t>& out) : out_(out) {}
    void count(std::uint64_t n) {
        if (n == 0) {
            ++zeros_;
            return;
        }
        flush();
        put_varint(out_, n);
    }
    void flush() {
        if (zeros_ == 0)
            return;
        put_varint(out_, 0);
        put_varint(out_, zeros_);
        zeros_ = 0;
    }

private:
    std::vector<std::uint8_t>& out_;
    std::uint64_t zeros_ = 0;
};

/// The words of a flat form: the byte count, then the bytes, little-endian, zero-padded.
std::vector<std::uint64_t> pack_bytes(const std::vector<std::uint8_t>& bytes) {
    std::vector<std::uint64_t> out(1 + (bytes.size() + 7) / 8, 0);
    out[0] = bytes.size();
    for (std::size_t i = 0; i < bytes.size(); ++i)
        out[1 + i / 8] |= std::uint64_t{bytes[i]} << (8 * (i % 8));
    return out;
}

std::vector<std::uint8_t> unpack_bytes(std::span<const std::uint64_t> data) {
    if (data.empty() || data[0] > 8 * (data.size() - 1) || (data[0] + 7) / 8 != data.size() - 1)
        corrupt();
    std::vector<std::uint8_t> bytes(data[0]);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(data[1 + i / 8] >> (8 * (i % 8)));
    for (std::size_t i = bytes.size(); i < 8 * (data.size() - 1); ++i)
        if (((data[1 + i / 8] >> (8 * (i % 8))) & 0xffu) != 0)
            corrupt(); // padding must be zero: anything else is damage
    return bytes;
}

} // namespace

std::vector<std::uint64_t> LogHistogram::serialize() const {
    const LogHistogram* self = this;
    return serialize_sum(std::span(&self, 1), {});
}

std::vector<std::uint64_t>
LogHistogram::serialize_sum(std::span<const LogHistogram* const> held,
                            std::span<const std::span<const std::uint64_t>> serialized) {
    std::vector<std::vector<std::uint8_t>> bytes;
    bytes.reserve(serialized.size());
    for (const auto& data : serialized)
        bytes.push_back(unpack_bytes(data));
    std::vector<VarintReader> readers;
    readers.reserve(bytes.size());
    for (const auto& b : bytes)
        readers.emplace_back(b);

    std::optional<std::uint64_t> bits;
    std::uint64_t zeros = 0;
    auto same_bits = [&](std::uint64_t b) {
        if (bits && *bits != b)
            throw std::invalid_argument("LogHistogram: merging sketches of different precision");
        bits = b;
    };
    for (const LogHistogram* h : held) {
        same_bits(h->bits_);
        zeros += h->zeros_;
    }
    for (auto& in : readers) {
        const auto b = in.next();
        if (b > 16)
            corrupt();
        same_bits(b);
        zeros += in.next();
    }
    if (!bits)
        throw std::logic_error("LogHistogram: a sum of no sketches");
    const std::uint64_t cap = max_buckets(static_cast<unsigned>(*bits));

    std::vector<std::uint8_t> out;
    put_varint(out, *bits);
    put_varint(out, zeros);
    for (const bool negative : {false, true}) {
        std::vector<const Side*> sides;
        for (const LogHistogram* h : held)
            if (const Side* s = negative ? &h->negative_ : &h->positive_; s->size > 0)
                sides.push_back(s);
        std::vector<SerializedSide> parts;
        parts.reserve(readers.size());
        for (auto& in : readers)
            parts.emplace_back(in);
        // The merged side spans every part's buckets, as Side::add grows it.
        std::uint64_t lo = ~0ull, hi = 0;
        for (const Side* s : sides) {
            lo = std::min(lo, s->first_key);
            hi = std::max<std::uint64_t>(hi, s->last_key());
        }
        for (const auto& p : parts)
            if (p.size() > 0) {
                lo = std::min(lo, p.first());
                hi = std::max(hi, p.first() + p.size() - 1);
            }
        if (lo > hi) {
            put_varint(out, 0);
            put_varint(out, 0);
            continue;
        }
        if (sides.size() == 1 && parts.empty()) {
            // One sketch held, nothing received (a rank's own ledger on one rank, every ledger
            // of a one-rank run): its buckets as they are, within the bound by construction.
            const Side& s = *sides.front();
            put_varint(out, lo);
            put_varint(out, hi - lo + 1);
            SideWriter writer(out);
            for (std::size_t i = 0; i < s.size; ++i)
                writer.count(s.at(i));
            writer.flush();
            continue;
        }
        // As Side::add bounds it: buckets below the largest key's floor collapse into the
        // floor's bucket. Each part's keys below it are read on their own (a part spans at most
        // a bound's worth of keys, while the gap between parts can be any size).
        const std::uint64_t lowest = hi >= cap ? hi - cap + 1 : 0;
        std::uint64_t below = 0;
        if (lo < lowest) {
            for (const Side* s : sides)
                for (std::size_t i = 0; i < s->size && s->first_key + i < lowest; ++i)
                    below += s->at(i);
            for (auto& p : parts)
                for (std::uint64_t key = p.first();
                     p.size() > 0 && key < lowest && key - p.first() < p.size(); ++key)
                    below += p.next();
            lo = lowest;
        }
        put_varint(out, lo);
        put_varint(out, hi - lo + 1);
        SideWriter writer(out);
        for (std::uint64_t key = lo;; ++key) {
            std::uint64_t n = key == lo ? below : 0;
            for (const Side* s : sides)
                if (key >= s->first_key && key - s->first_key < s->size)
                    n += s->at(key - s->first_key);
            for (auto& p : parts)
                if (key >= p.first() && key - p.first() < p.size())
                    n += p.next();
            writer.count(n);
            if (key == hi)
                break;
        }
        writer.flush();
        for (const auto& p : parts)
            if (!p.finished())
                corrupt();
    }
    for (const auto& in : readers)
        if (!in.at_end())
            corrupt();
    return pack_bytes(out);
}

LogHistogram LogHistogram::deserialize(std::span<const std::uint64_t> data) {
    const auto bytes = unpack_bytes(data);
    VarintReader in(bytes);
    const auto bits = in.next();
    if (bits > 16)
        corrupt();
    LogHistogram h(static_cast<unsigned>(bits));
    h.zeros_ = in.next();
    for (Side* s : {&h.positive_, &h.negative_}) {
        SerializedSide part(in);
        s->first_key = s->base_key = part.first();
        s->size = part.size();
        s->counts.resize(part.size());
        for (auto& n : s->counts)
            n = part.next();
        s->recent.assign(s->counts.size(), 0);
        // A sketch written before sketches were bounded (an old ledger) is bounded as read.
        if (s->size > s->cap) {
            const std::uint64_t last = s->last_key();
            s->rebuild(s->floor_of(last), last);
        }
    }
    if (!in.at_end())
        corrupt();
    return h;
}

} // namespace chiprace::stats
