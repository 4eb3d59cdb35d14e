#pragma once
// A small SVG chart toolkit for kldiv's reports: grouped and signed bar charts, stacked
// (decomposition) bars and line charts with marked points.
//
// Every chart is a plain aggregate rendered by a free function into an inline <svg> element (no
// JavaScript, no external references, no xmlns needed inside HTML). Charts are meant to be honest
// and readable:
//   - value axes always have ticks at "nice" steps (1, 2, 5 × 10^k) and a label that states the unit;
//   - bar axes always include 0, so bar lengths are proportional to values;
//   - every chart with more than one colour has a legend; colours come from the Okabe–Ito palette,
//     which stays distinguishable with the common forms of colour blindness;
//   - non-finite values never break the scale: the scale is fitted to the finite values, a +∞ (−∞)
//     bar runs past the end of the axis into a marked overflow zone, ends in a break mark and is
//     labelled "∞"; NaN values are left out and labelled "n/a".
// All text from the caller (titles, labels, legends) is escaped.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kldiv::report {

// Text made safe for HTML/SVG text and attribute values: & < > " ' become entities, and bytes that
// are not well-formed UTF-8 become U+FFFD (kldiv::valid_utf8), as they do in the JSON documents.
std::string escape(std::string_view text);

// A value for people: `significant` digits, "∞"/"−∞" for infinities, "n/a" for NaN, and the
// typographic minus sign.
std::string format_value(double x, int significant = 4);

// Okabe–Ito colours (Okabe & Ito 2008), safe for deuteranopia, protanopia and tritanopia.
namespace palette {
inline constexpr const char* blue = "#0072B2";
inline constexpr const char* orange = "#E69F00";
inline constexpr const char* sky_blue = "#56B4E9";
inline constexpr const char* green = "#009E73";
inline constexpr const char* vermillion = "#D55E00";
inline constexpr const char* purple = "#CC79A7";
inline constexpr const char* yellow = "#F0E442";
inline constexpr const char* black = "#000000";
inline constexpr const char* grey = "#7F7F7F";
// The i-th colour of the series cycle (blue, orange, green, vermillion, purple, sky blue, ...).
const char* series_color(std::size_t i);
}  // namespace palette

// Tick positions of a value axis: a "nice" step (1, 2 or 5 × 10^k) and the domain [lo, hi] widened
// to multiples of it, so the first and last ticks are the ends of the axis.
struct ticks {
    double lo = 0.0;
    double hi = 1.0;
    double step = 0.2;
    std::vector<double> values;  // lo, lo + step, ..., hi
};

// Ticks covering [lo, hi] with about `target` intervals. Non-finite bounds are ignored (an empty
// range becomes [0, 1]); lo == hi is widened around the value.
ticks nice_ticks(double lo, double hi, int target = 5);

// The label of a tick on an axis with the given step: just enough decimals for the step.
std::string tick_label(double value, double step);

// Maps the domain [d0, d1] linearly onto the range [r0, r1] (pixels).
class linear_scale {
public:
    linear_scale(double d0, double d1, double r0, double r1);
    double operator()(double x) const;

private:
    double d0_, r0_, k_;
};

struct bar_series {
    std::string name;            // legend entry
    std::vector<double> values;  // one per category; may be ±inf or NaN
    std::string color;           // empty: palette::series_color(index)
};

// Bars for each category, one per series side by side. Values may be negative (bars grow from 0).
// Vertical: categories along x, values up the y axis. Horizontal: categories down the y axis (first
// at the top), values along x; better for long labels or ranked lists.
struct bar_chart {
    std::string title;
    std::string value_label;     // axis title for the values, with the unit, e.g. "probability" or "bits"
    std::string category_label;  // axis title for the categories, e.g. "event"
    std::vector<std::string> categories;
    std::vector<bar_series> series;
    bool horizontal = false;
    bool value_labels = false;  // print each finite value at the end of its bar
    int width = 900;
    int height = 0;    // 0: chosen from the number of categories (horizontal) or 380
    std::string note;  // small print under the chart
};
std::string render(const bar_chart& chart);

// Horizontal bars made of segments laid end to end: a decomposition such as
// H(P,Q) = H(P) + D(P‖Q). All bars share one value axis, so totals compare at a glance.
struct segment {
    std::string legend;  // legend entry (segments with the same legend share a colour)
    std::string label;   // written inside the segment when it fits, e.g. "H(P) = 4.19"
    double value = 0.0;  // >= 0; +inf is drawn into the overflow zone and marked ∞
    std::string color;
};
struct stacked_bar {
    std::string label;  // e.g. "H(P,Q)"
    std::string note;   // a second, smaller line under the label
    std::vector<segment> segments;
    std::string total;  // written after the bar, e.g. "= 4.57 bits"
};
struct stacked_bar_chart {
    std::string title;
    std::string value_label;  // axis title with unit
    std::vector<stacked_bar> bars;
    int width = 900;
    std::string note;
};
std::string render(const stacked_bar_chart& chart);

// Lines through (x, y) points; points with a non-finite coordinate break the line.
struct line_series {
    std::string name;
    std::vector<double> x, y;
    std::string color;
    bool dashed = false;
};
// A point marked with a dot, a dashed drop line to the x axis and a label.
struct point_marker {
    double x = 0.0, y = 0.0;
    std::string label;
    std::string color;
};
// A vertical double-headed arrow from (x, y0) to (x, y1) with a label beside it, e.g. to show that
// the gap between two curves is constant.
struct interval_marker {
    double x = 0.0, y0 = 0.0, y1 = 0.0;
    std::string label;
};
struct line_chart {
    std::string title;
    std::string x_label;  // with unit
    std::string y_label;  // with unit
    std::vector<line_series> series;
    std::vector<point_marker> points;
    std::vector<interval_marker> intervals;
    bool y_from_zero = false;  // include 0 in the y axis
    int width = 900;
    int height = 420;
    std::string note;
};
std::string render(const line_chart& chart);

}  // namespace kldiv::report
