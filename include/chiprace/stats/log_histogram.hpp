#pragma once
// A mergeable quantile sketch with a guaranteed relative value error: a histogram whose
// buckets are the binades of the double format, each cut into 2^m equal parts (log-linear
// buckets, as in HdrHistogram). A value's bucket is its bit pattern shifted right, so adding
// costs a shift and an increment.
//
// Guarantee: for the "lower" sample quantile x = x_(⌊q·(n−1)⌋) of the finite values, the
// estimate x̂ satisfies |x̂ − x| ≤ 2^−(m+1)·|x| (values of magnitude below the smallest
// normal double, ≈2.2e−308, count as 0) whenever |x| ≥ 2^−(range_binades − 1)·M, M the
// largest magnitude of that sign added. Counts are integers, so merging is exact, associative
// and commutative: the sketch is identical for any cut and merge order of the run.
//
// Memory is bounded: each sign keeps at most max_buckets(m) buckets (range_binades binades
// below its largest magnitude; 65,536 consecutive integers in exact_integers mode), 10 bytes
// each, so a sketch never holds more than memory_ceiling(m) bytes whatever the values. Smaller
// magnitudes are counted in the lowest kept bucket (as DDSketch collapses its lowest buckets):
// their quantiles are off by less than 2^−(range_binades−1)·M, about 6e−39·M. The lowest kept
// bucket depends only on the largest magnitude, so the collapse too is the same for any cut and
// merge order. No run of the bundled experiments comes near the bound (their widest columns,
// paired differences of outputs, span about 65 binades). Non-finite values are never counted
// here (RunningMoments counts them; summaries report them as n_non_finite).

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace chiprace::stats {

class LogHistogram {
public:
    /// m = mantissa_bits ∈ [1, 16]: relative error ≤ 2^−(m+1). m = exact_integers: one
    /// bucket per integer, for integer-valued columns (years, counts), whose quantiles are
    /// then exact.
    explicit LogHistogram(unsigned mantissa_bits = 8);
    static constexpr unsigned exact_integers = 0;
    /// Binades kept below each sign's largest magnitude (mantissa_bits ≥ 1).
    static constexpr unsigned range_binades = 128;
    /// Consecutive integers kept below each sign's largest magnitude (exact_integers).
    static constexpr std::size_t integer_range = std::size_t{1} << 16;
    /// Buckets one sign may hold: the bound of the sketch's memory.
    [[nodiscard]] static std::size_t max_buckets(unsigned mantissa_bits);
    /// Bytes one sketch may hold at most (both signs, 64-bit totals and 16-bit staging counts,
    /// the vectors' headers): what a run's memory estimate counts per sketch.
    /// (weighted: a sketch filled by add_weighted, whose staging buckets are 32-bit.)
    [[nodiscard]] static std::size_t memory_ceiling(unsigned mantissa_bits, bool weighted = false);

    /// Adds the finite values; non-finite ones are skipped (RunningMoments counts them).
    void add(std::span<const double> values);
    /// The same, when the caller already knows the smallest and largest finite value (the
    /// moments pass does): saves a pass over the values.
    void add(std::span<const double> values, double lo, double hi);
    void merge(const LogHistogram& other);

    [[nodiscard]] std::uint64_t count() const;
    /// Buckets held per side (positive, negative): the span of keys each side counts.
    [[nodiscard]] std::pair<std::size_t, std::size_t> buckets() const {
        return {positive_.size, negative_.size};
    }
    [[nodiscard]] unsigned mantissa_bits() const { return bits_; }
    [[nodiscard]] double relative_error_bound() const;
    /// The lower q-quantile of the values added, within the relative bound; NaN when empty.
    /// The result is clamped to [lo, hi] (pass the exact min and max when known).
    [[nodiscard]] double quantile(double q, double lo, double hi) const;
    /// quantile() at each level, counting the values once.
    [[nodiscard]] std::vector<double> quantiles(std::span<const double> levels, double lo,
                                                double hi) const;

    /// Weighted adds (calibration, docs/calibration.md): each finite value counts units[i]
    /// (its weight in integer units, so that merging stays exact) instead of 1; values of 0
    /// units are left out. A sketch takes either kind of add, never both.
    void add_weighted(std::span<const double> values, std::span<const std::uint64_t> units);
    /// The same, given the smallest and largest finite value of every value (whatever its
    /// weight): a column of positive values then takes one pass.
    void add_weighted(std::span<const double> values, std::span<const std::uint64_t> units,
                      double lo, double hi);
    /// Weighted lower quantiles of a sketch filled by add_weighted: at level q, the first
    /// bucket whose cumulative weight exceeds floor(q·(n−1))·W/n, W the total weight and n the
    /// number of values of positive weight. With every weight equal this is exactly the
    /// bucket quantiles() finds for the same values.
    [[nodiscard]] std::vector<double> weighted_quantiles(std::span<const double> levels, double lo,
                                                         double hi, std::uint64_t n) const;

    /// Flat form for sending between ranks and for checkpoints: compact (varint counts, runs
    /// of empty buckets as one entry) and exact.
    [[nodiscard]] std::vector<std::uint64_t> serialize() const;
    static LogHistogram deserialize(std::span<const std::uint64_t> data);
    /// The flat form of the merge of sketches held in memory and of serialized ones, without
    /// building the merged sketch: a checkpoint sums every thread's and rank's sketches, and
    /// dense copies of them cost far more than the ledger's write.
    static std::vector<std::uint64_t>
    serialize_sum(std::span<const LogHistogram* const> held,
                  std::span<const std::span<const std::uint64_t>> serialized);

private:
    // Each value's increment lands on a random-looking bucket of a wide array, so the add is
    // bound by cache misses. New counts therefore go to 16-bit buckets, four times denser than
    // the 64-bit totals, folded into the totals before any of them could overflow; the totals
    // are allocated at the first fold only (a run of fewer than 65,536 samples never needs
    // them), so growing a side moves 2 bytes per bucket, not 10.
    // A side counts the keys [first_key, first_key + size): the span of the keys seen, keys
    // below last − cap + 1 counted in the first bucket (floor_of), the bound on memory. That
    // span alone decides the sketch's quantiles and flat form. The storage around it may be
    // wider (slack, zeros outside the span) so that a side widened block after block by new
    // extremes is copied a few times rather than at every block.
    struct Side {
        std::uint64_t cap = 0;             // most buckets held (max_buckets)
        std::uint64_t first_key = 0;       // key of the first bucket counted
        std::uint64_t size = 0;            // buckets counted; 0: nothing yet
        std::uint64_t base_key = 0;        // key of recent[0] (and counts[0])
        std::vector<std::uint16_t> recent; // storage; zero outside the counted span
        std::vector<std::uint64_t> counts; // empty until the first fold, then as recent
        bool weighted = false;             // staged in wide (add_weighted), recent unused
        std::vector<std::uint32_t> wide;   // storage of a weighted side's staged units
        [[nodiscard]] std::size_t storage() const { return weighted ? wide.size() : recent.size(); }
        /// The lowest key kept when the largest is `last`.
        [[nodiscard]] std::uint64_t floor_of(std::uint64_t last) const {
            return last >= cap ? last - cap + 1 : 0;
        }
        [[nodiscard]] std::uint64_t last_key() const { return first_key + size - 1; }
        /// The 16-bit bucket of the first key counted.
        [[nodiscard]] std::uint16_t* first_recent() {
            return recent.data() + (first_key - base_key);
        }
        void grow_to(std::uint64_t lo_key, std::uint64_t hi_key);
        /// Makes the buckets span [first, last] exactly, the counts below first collapsed
        /// into first's bucket.
        void rebuild(std::uint64_t first, std::uint64_t last);
        void add(const Side& other);
        void fold();
        /// Count of the i-th bucket of the span.
        [[nodiscard]] std::uint64_t at(std::size_t i) const {
            const std::size_t j = first_key - base_key + i;
            return (weighted ? std::uint64_t{wide[j]} : std::uint64_t{recent[j]}) +
                   (counts.empty() ? 0 : counts[j]);
        }
    };
    static constexpr std::uint64_t max_recent = 0xffff;
    static constexpr std::uint64_t max_value_units = std::uint64_t{1} << 16;
    static constexpr std::uint64_t max_staged_units = 0xffffffff;

    /// Makes room for n more values in the 16-bit buckets.
    void reserve_recent(std::size_t n);
    void add_positive(std::span<const double> values, double lo, double hi);
    template <bool integers>
    void add_mixed(std::span<const double> values);

    [[nodiscard]] std::uint64_t key(double magnitude) const;
    /// The value of the bucket where the cumulative count first exceeds each threshold.
    [[nodiscard]] std::vector<double> walk(std::span<const long double> thresholds, double lo,
                                           double hi) const;
    [[nodiscard]] double bucket_midpoint(std::uint64_t key) const;

    unsigned bits_;
    std::uint64_t zeros_ = 0;
    std::uint64_t recent_values_ = 0; // values in the 16-bit buckets: bounds every one of them
    std::uint64_t staged_units_ = 0;  // weight units in the 32-bit buckets (add_weighted)
    Side positive_;
    Side negative_; // keyed by magnitude
};

} // namespace chiprace::stats
