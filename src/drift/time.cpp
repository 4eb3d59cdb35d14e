#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "kldiv/drift/drift.hpp"

namespace kldiv::drift {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// y-m-d of a day count from 1970-01-01 (Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

class cursor {
public:
    explicit cursor(std::string_view t) : t_(t) {}
    bool done() const noexcept { return i_ == t_.size(); }
    bool take(char c) noexcept {
        if (i_ < t_.size() && t_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    char peek() const noexcept { return i_ < t_.size() ? t_[i_] : '\0'; }
    // Exactly n digits.
    bool digits(int n, unsigned& out) noexcept {
        out = 0;
        for (int k = 0; k < n; ++k) {
            if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') return false;
            out = out * 10 + static_cast<unsigned>(t_[i_++] - '0');
        }
        return true;
    }
    // One or more digits after a decimal point, as a fraction.
    bool fraction(double& out) noexcept {
        out = 0.0;
        double scale = 0.1;
        const std::size_t start = i_;
        while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') {
            out += scale * (t_[i_++] - '0');
            scale /= 10.0;
        }
        return i_ > start;
    }

private:
    std::string_view t_;
    std::size_t i_ = 0;
};

}  // namespace

bool parse_time(std::string_view text, double& seconds) noexcept {
    cursor c(text);
    unsigned year = 0, month = 0, day = 0;
    if (!c.digits(4, year) || !c.take('-') || !c.digits(2, month) || !c.take('-') || !c.digits(2, day)) return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
    double s = static_cast<double>(days_from_civil(year, month, day)) * 86400.0;
    if (c.done()) {
        seconds = s;
        return true;
    }
    if (!c.take('T') && !c.take(' ')) return false;
    unsigned hour = 0, minute = 0, second = 0;
    if (!c.digits(2, hour) || !c.take(':') || !c.digits(2, minute)) return false;
    double fraction = 0.0;
    if (c.take(':')) {
        if (!c.digits(2, second)) return false;
        if ((c.take('.') || c.take(',')) && !c.fraction(fraction)) return false;
    }
    if (hour > 23 || minute > 59 || second > 60) return false;
    s += hour * 3600.0 + minute * 60.0 + second + fraction;
    if (c.take('Z')) {
        // UTC
    } else if (c.peek() == '+' || c.peek() == '-') {
        const double sign = c.take('+') ? -1.0 : (c.take('-'), 1.0);
        unsigned oh = 0, om = 0;
        if (!c.digits(2, oh)) return false;
        c.take(':');
        if (!c.done() && !c.digits(2, om)) return false;
        if (oh > 23 || om > 59) return false;
        s += sign * (oh * 3600.0 + om * 60.0);  // local time minus its offset is UTC
    }
    if (!c.done()) return false;
    seconds = s;
    return true;
}

std::string format_time(double seconds) {
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e15) return std::to_string(seconds);
    const double day_seconds = 86400.0;
    const auto days = static_cast<std::int64_t>(std::floor(seconds / day_seconds));
    double rest = seconds - static_cast<double>(days) * day_seconds;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    const auto whole = static_cast<unsigned>(std::floor(rest));
    const double fraction = rest - whole;
    char text[64];
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02u:%02u:%02u", static_cast<long long>(y), m, d, whole / 3600,
                  whole / 60 % 60, whole % 60);
    std::string out = text;
    if (fraction > 0.0) {
        std::snprintf(text, sizeof text, "%.6f", fraction);
        std::string digits = text + 1;  // ".250000"
        while (digits.back() == '0') digits.pop_back();
        if (digits.size() > 1) out += digits;
    }
    return out + "Z";
}

bool parse_duration(std::string_view text, double& seconds) noexcept {
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
    if (ec != std::errc{} || ptr == text.data()) return false;
    const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    double scale = 0.0;
    if (unit.empty() || unit == "s") {
        scale = 1.0;
    } else if (unit == "min") {
        scale = 60.0;
    } else if (unit == "h") {
        scale = 3600.0;
    } else if (unit == "d") {
        scale = 86400.0;
    } else if (unit == "w") {
        scale = 604800.0;
    } else {
        return false;
    }
    if (!(value > 0.0) || !std::isfinite(value * scale)) return false;
    seconds = value * scale;
    return true;
}

}  // namespace kldiv::drift
