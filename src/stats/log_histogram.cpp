#include "chiprace/stats/log_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

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

std::size_t LogHistogram::memory_ceiling(unsigned mantissa_bits) {
    return sizeof(LogHistogram) +
           2 * max_buckets(mantissa_bits) * (sizeof(std::uint64_t) + sizeof(std::uint16_t));
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
    if (counts.empty()) {
        first_key = std::max(lo_key, floor_of(hi_key));
        counts.assign(hi_key - first_key + 1, 0);
        recent.assign(hi_key - first_key + 1, 0);
        return;
    }
    const std::uint64_t last = first_key + counts.size() - 1;
    const std::uint64_t new_last = std::max(last, hi_key);
    const std::uint64_t new_first = std::max(std::min(first_key, lo_key), floor_of(new_last));
    if (new_first > first_key) {
        rebuild(new_first, new_last);
        return;
    }
    if (new_first < first_key) {
        counts.insert(counts.begin(), first_key - new_first, 0);
        recent.insert(recent.begin(), first_key - new_first, 0);
        first_key = new_first;
    }
    if (new_last > last) {
        counts.resize(new_last - first_key + 1, 0);
        recent.resize(new_last - first_key + 1, 0);
    }
}

void LogHistogram::Side::rebuild(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> collapsed(last - first + 1, 0);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::uint64_t k = first_key + i;
        if (k <= last)
            collapsed[std::max(k, first) - first] += at(i);
    }
    counts = std::move(collapsed);
    recent.assign(counts.size(), 0); // staged counts are folded into the totals above
    first_key = first;
}

void LogHistogram::Side::add(const Side& other) {
    if (other.counts.empty())
        return;
    grow_to(other.first_key, other.first_key + other.counts.size() - 1);
    // Keys below this side's first bucket were collapsed away by its (larger) largest key.
    for (std::size_t i = 0; i < other.counts.size(); ++i)
        counts[std::max(other.first_key + i, first_key) - first_key] += other.at(i);
}

void LogHistogram::Side::fold() {
    for (std::size_t i = 0; i < counts.size(); ++i)
        counts[i] += recent[i];
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
    constexpr double tiny = std::numeric_limits<double>::min();
    if (lo > hi)
        return; // nothing finite
    if (lo >= tiny && bits_ != exact_integers) {
        positive_.grow_to(key(lo), key(hi));
        const std::uint64_t first = positive_.first_key;
        std::uint16_t* counts = positive_.recent.data();
        const unsigned shift = 52u - bits_;
        // Keys below the first bucket exist only past the range bound: the common case keeps
        // its loop free of the clamp.
        const bool collapsing = key(lo) < first;
        for (std::size_t done = 0; done < values.size(); done += max_recent) {
            const auto part =
                values.subspan(done, std::min<std::size_t>(max_recent, values.size() - done));
            reserve_recent(part.size());
            if (collapsing) {
                for (const double v : part)
                    if (std::isfinite(v))
                        ++counts[std::max(std::bit_cast<std::uint64_t>(v) >> shift, first) - first];
            } else {
                for (const double v : part)
                    if (std::isfinite(v))
                        ++counts[(std::bit_cast<std::uint64_t>(v) >> shift) - first];
            }
        }
        return;
    }
    // Mixed signs (contrasts between policies, revenue changes) or integer columns. The sign of
    // each value is a coin flip, so both passes use selects instead of branches: a mispredicted
    // branch per value cost more than everything else here.
    constexpr double largest = std::numeric_limits<double>::max();
    if (bits_ == exact_integers)
        for (const double v : values)
            if (std::fabs(v) <= largest && (v != std::trunc(v) || std::fabs(v) > 0x1.0p53))
                throw std::invalid_argument(
                    "LogHistogram: a non-integer value in an integer column");
    std::uint64_t pos_lo = ~0ull, pos_hi = 0, neg_lo = ~0ull, neg_hi = 0;
    for (const double v : values) {
        const double a = std::fabs(v);
        const bool counted = a >= tiny && a <= largest; // finite, not zero
        const auto k = key(counted ? a : 1.0);
        const bool pos = counted && v > 0, neg = counted && v < 0;
        pos_lo = std::min<std::uint64_t>(pos_lo, pos ? k : ~0ull);
        pos_hi = std::max<std::uint64_t>(pos_hi, pos ? k : 0ull);
        neg_lo = std::min<std::uint64_t>(neg_lo, neg ? k : ~0ull);
        neg_hi = std::max<std::uint64_t>(neg_hi, neg ? k : 0ull);
    }
    if (pos_lo <= pos_hi)
        positive_.grow_to(pos_lo, pos_hi);
    if (neg_lo <= neg_hi)
        negative_.grow_to(neg_lo, neg_hi);
    // Values that are not counted in a bucket (zeros, non-finite) increment a scratch slot.
    std::uint16_t scratch = 0;
    std::uint16_t* const pos_base = positive_.recent.empty() ? &scratch : positive_.recent.data();
    std::uint16_t* const neg_base = negative_.recent.empty() ? &scratch : negative_.recent.data();
    const std::uint64_t pos_first = positive_.first_key, neg_first = negative_.first_key;
    std::uint64_t zeros = 0;
    for (std::size_t done = 0; done < values.size(); done += max_recent) {
        const auto part =
            values.subspan(done, std::min<std::size_t>(max_recent, values.size() - done));
        reserve_recent(part.size());
        for (const double v : part) {
            const double a = std::fabs(v);
            const bool counted = a >= tiny && a <= largest;
            zeros += a < tiny ? 1 : 0; // NaN compares false
            const auto k = key(counted ? a : 1.0);
            const bool pos = counted && v > 0, neg = counted && v < 0;
            // Keys below a side's first bucket (past its range bound) go to that bucket.
            const std::uint64_t pos_index = pos ? std::max(k, pos_first) - pos_first : 0;
            const std::uint64_t neg_index = neg ? std::max(k, neg_first) - neg_first : 0;
            std::uint16_t* const slot =
                pos ? pos_base + pos_index : (neg ? neg_base + neg_index : &scratch);
            ++*slot;
        }
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
        for (std::size_t i = 0; i < s->counts.size(); ++i)
            n += s->at(i);
    return n;
}

double LogHistogram::quantile(double q, double lo, double hi) const {
    const std::uint64_t n = count();
    if (n == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const double clamped_q = std::clamp(q, 0.0, 1.0);
    const auto rank =
        static_cast<std::uint64_t>(std::floor(clamped_q * static_cast<double>(n - 1)));
    auto clamp = [&](double x) { return std::clamp(x, lo, hi); };
    std::uint64_t seen = 0;
    // Ascending order of value: negatives from the largest magnitude down, zeros, positives.
    for (std::size_t i = negative_.counts.size(); i-- > 0;) {
        seen += negative_.at(i);
        if (seen > rank)
            return clamp(-bucket_midpoint(negative_.first_key + i));
    }
    seen += zeros_;
    if (seen > rank)
        return clamp(0.0);
    for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
        seen += positive_.at(i);
        if (seen > rank)
            return clamp(bucket_midpoint(positive_.first_key + i));
    }
    return clamp(hi); // unreachable: the counts sum to n
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
            if (const Side* s = negative ? &h->negative_ : &h->positive_; !s->counts.empty())
                sides.push_back(s);
        std::vector<SerializedSide> parts;
        parts.reserve(readers.size());
        for (auto& in : readers)
            parts.emplace_back(in);
        // The merged side spans every part's buckets, as Side::add grows it.
        std::uint64_t lo = ~0ull, hi = 0;
        for (const Side* s : sides) {
            lo = std::min(lo, s->first_key);
            hi = std::max<std::uint64_t>(hi, s->first_key + s->counts.size() - 1);
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
        // As Side::add bounds it: buckets below the largest key's floor collapse into the
        // floor's bucket. Each part's keys below it are read on their own (a part spans at most
        // a bound's worth of keys, while the gap between parts can be any size).
        const std::uint64_t lowest = hi >= cap ? hi - cap + 1 : 0;
        std::uint64_t below = 0;
        if (lo < lowest) {
            for (const Side* s : sides)
                for (std::size_t i = 0; i < s->counts.size() && s->first_key + i < lowest; ++i)
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
                if (key >= s->first_key && key - s->first_key < s->counts.size())
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
        s->first_key = part.first();
        s->counts.resize(part.size());
        for (auto& n : s->counts)
            n = part.next();
        s->recent.assign(s->counts.size(), 0);
        // A sketch written before sketches were bounded (an old ledger) is bounded as read.
        if (s->counts.size() > s->cap) {
            const std::uint64_t last = s->first_key + s->counts.size() - 1;
            s->rebuild(s->floor_of(last), last);
        }
    }
    if (!in.at_end())
        corrupt();
    return h;
}

} // namespace chiprace::stats
