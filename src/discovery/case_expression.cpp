#include "chiprace/discovery/case_expression.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

namespace chiprace::discovery {

namespace {

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    CaseExpression parse() {
        CaseExpression e;
        skip();
        std::string name = identifier("an output name or regret(");
        skip();
        if (name == "regret" && peek() == '(') {
            ++pos_;
            e.regret = true;
            skip();
            e.output = identifier("an output name");
            e.year = year();
            skip();
            expect(',');
            skip();
            const auto direction = identifier("higher or lower");
            if (direction == "higher")
                e.higher_is_better = true;
            else if (direction == "lower")
                e.higher_is_better = false;
            else
                fail("'higher' or 'lower' (which direction of the output is better)", direction);
            skip();
            expect(')');
        } else {
            e.output = name;
            e.year = year();
        }
        skip();
        e.comparison = comparison();
        skip();
        e.threshold = number();
        skip();
        if (pos_ != s_.size())
            fail("the end of the expression", s_.substr(pos_));
        return e;
    }

private:
    [[noreturn]] void fail(const std::string& expected, const std::string& found) const {
        std::string msg = "bad case expression '";
        msg += s_;
        msg += "': expected ";
        msg += expected;
        msg += " at column ";
        msg += std::to_string(pos_ + 1);
        msg += found.empty() ? std::string(", found the end") : ", found '" + found + "'";
        msg += " (e.g. 'frontier_gap_years[2030] < 1' or "
               "'regret(frontier_gap_years[2030], higher) > 0.5')";
        throw BadCaseExpression(msg);
    }
    [[nodiscard]] char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    [[nodiscard]] std::string rest() const { return s_.substr(pos_, 12); }
    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
            ++pos_;
    }
    void expect(char c) {
        if (peek() != c)
            fail(std::string("'") + c + "'", rest());
        ++pos_;
    }
    std::string identifier(const char* what) {
        const std::size_t start = pos_;
        while (pos_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
            ++pos_;
        if (pos_ == start || std::isdigit(static_cast<unsigned char>(s_[start])))
            fail(what, rest());
        return s_.substr(start, pos_ - start);
    }
    std::optional<int> year() {
        skip();
        if (peek() != '[')
            return std::nullopt;
        ++pos_;
        skip();
        int y = 0;
        const auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), y);
        if (ec != std::errc())
            fail("a year", rest());
        pos_ = static_cast<std::size_t>(end - s_.data());
        skip();
        expect(']');
        return y;
    }
    stats::Comparison comparison() {
        const char c = peek();
        if (c != '<' && c != '>')
            fail("one of < <= > >=", rest());
        ++pos_;
        const bool equal = peek() == '=';
        if (equal)
            ++pos_;
        if (c == '<')
            return equal ? stats::Comparison::less_equal : stats::Comparison::less;
        return equal ? stats::Comparison::greater_equal : stats::Comparison::greater;
    }
    double number() {
        double v = 0.0;
        const auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
        if (ec != std::errc() || !std::isfinite(v))
            fail("a finite number", rest());
        pos_ = static_cast<std::size_t>(end - s_.data());
        return v;
    }

    const std::string& s_;
    std::size_t pos_ = 0;
};

} // namespace

CaseExpression parse_case_expression(const std::string& text) {
    return Parser(text).parse();
}

std::string CaseExpression::text() const {
    std::ostringstream out;
    std::string term = output;
    if (year)
        term += "[" + std::to_string(*year) + "]";
    if (regret)
        out << "regret(" << term << ", " << (higher_is_better ? "higher" : "lower") << ")";
    else
        out << term;
    // The shortest text that reads back as the same double.
    char number[32];
    const auto end = std::to_chars(number, number + sizeof number, threshold).ptr;
    out << ' ' << stats::comparison_symbol(comparison) << ' ' << std::string_view(number, end);
    return out.str();
}

bool CaseExpression::holds(double value) const {
    switch (comparison) {
    case stats::Comparison::less:
        return value < threshold;
    case stats::Comparison::less_equal:
        return value <= threshold;
    case stats::Comparison::greater:
        return value > threshold;
    case stats::Comparison::greater_equal:
        return value >= threshold;
    }
    return false;
}

double regret_of(double value, double best, bool higher_is_better) {
    return higher_is_better ? best - value : value - best;
}

} // namespace chiprace::discovery
