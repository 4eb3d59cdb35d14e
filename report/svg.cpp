#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "kldiv/text.hpp"

namespace kldiv::report {
namespace {

constexpr const char* font_family = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";
constexpr double font_size = 12.0;
constexpr double title_size = 15.0;
constexpr double overflow_zone = 28.0;  // pixels past the end of a value axis for ±∞ bars
constexpr const char* grid_color = "#E3E3E3";
constexpr const char* axis_color = "#333333";
constexpr const char* muted_color = "#555555";

// A pixel coordinate: two decimals are plenty; a non-finite coordinate would be a bug, never emitted.
std::string px(double x) {
    if (!std::isfinite(x)) x = 0.0;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", x);
    std::string s = buffer;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

double text_width(std::string_view s, double size = font_size) {
    return static_cast<double>(code_points(s)) * size * 0.6;
}

// At most `max_chars` code points, with "…" when cut.
std::string shorten(std::string_view s, std::size_t max_chars) {
    if (code_points(s) <= max_chars) return std::string(s);
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
            if (n == max_chars - 1) break;
            ++n;
        }
        out += s[i];
    }
    return out + "…";
}

// Words of `text` in lines no wider than `max_width` pixels (estimated) at the given font size.
std::vector<std::string> wrap(std::string_view text, double max_width, double size) {
    std::vector<std::string> lines;
    std::string current;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find(' ', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(at, end - at);
        const std::string candidate = current.empty() ? std::string(word) : current + " " + std::string(word);
        if (!current.empty() && text_width(candidate, size) > max_width) {
            lines.push_back(current);
            current = std::string(word);
        } else {
            current = candidate;
        }
        at = end + 1;
    }
    if (!current.empty()) lines.push_back(current);
    return lines;
}

constexpr double note_size = 11.0, note_line = 14.0;

// Pixels the small print under a chart needs.
double note_height(std::string_view note, double width) {
    if (note.empty()) return 0;
    return note_line * static_cast<double>(wrap(note, width - 16, note_size).size()) + 8;
}

std::string text(double x, double y, std::string_view content, std::string_view attributes = {});

// The small print under a chart, wrapped, ending at the bottom edge.
std::string note_block(std::string_view note, double width, double height) {
    if (note.empty()) return {};
    const std::vector<std::string> lines = wrap(note, width - 16, note_size);
    std::string out;
    double y = height - 8 - note_line * static_cast<double>(lines.size() - 1);
    for (const std::string& l : lines) {
        out += text(8, y, l, "font-size=\"11\" fill=\"#555555\"");
        y += note_line;
    }
    return out;
}

std::string text(double x, double y, std::string_view content, std::string_view attributes) {
    std::string out = "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"";
    if (!attributes.empty()) out += " " + std::string(attributes);
    return out + ">" + escape(content) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view color, double width = 1.0,
                 std::string_view extra = {}) {
    std::string out = "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) +
                      "\" stroke=\"" + std::string(color) + "\" stroke-width=\"" + px(width) + "\"";
    if (!extra.empty()) out += " " + std::string(extra);
    return out + "/>";
}

std::string rect(double x, double y, double w, double h, std::string_view fill, std::string_view tooltip = {},
                 std::string_view extra = {}) {
    if (w < 0) {
        x += w;
        w = -w;
    }
    if (h < 0) {
        y += h;
        h = -h;
    }
    std::string out = "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(w) + "\" height=\"" + px(h) +
                      "\" fill=\"" + std::string(fill) + "\"";
    if (!extra.empty()) out += " " + std::string(extra);
    if (tooltip.empty()) return out + "/>";
    return out + "><title>" + escape(tooltip) + "</title></rect>";
}

std::string svg_open(double width, double height, std::string_view title) {
    return "<svg class=\"kldiv-chart\" viewBox=\"0 0 " + px(width) + " " + px(height) + "\" width=\"" + px(width) +
           "\" height=\"" + px(height) + "\" role=\"img\" font-family=\"" + font_family + "\" font-size=\"" +
           px(font_size) + "\"><title>" + escape(title) + "</title>" + rect(0, 0, width, height, "#FFFFFF");
}

std::string title_text(double x, std::string_view title) {
    if (title.empty()) return {};
    return text(x, 20, title, "font-size=\"" + px(title_size) + "\" font-weight=\"bold\" fill=\"#111111\"");
}

struct legend_entry {
    std::string name, color;
    bool as_line = false;
    bool dashed = false;
};

// One row of legend entries starting at (x, y); returns the markup.
std::string legend_row(double x, double y, const std::vector<legend_entry>& entries) {
    std::string out = "<g class=\"legend\">";
    for (const legend_entry& e : entries) {
        if (e.as_line) {
            out += line(x, y - 4, x + 22, y - 4, e.color, 2.5, e.dashed ? "stroke-dasharray=\"6 4\"" : "");
            x += 28;
        } else {
            out += rect(x, y - 10, 12, 12, e.color);
            x += 17;
        }
        out += text(x, y, e.name, std::string("fill=\"") + axis_color + "\"");
        x += text_width(e.name) + 22;
    }
    return out + "</g>";
}

double legend_width(const std::vector<legend_entry>& entries) {
    double w = 0;
    for (const legend_entry& e : entries) w += (e.as_line ? 28 : 17) + text_width(e.name) + 22;
    return w;
}

// Relative luminance of "#RRGGBB" (WCAG), to pick black or white text on a fill.
double luminance(std::string_view color) {
    if (color.size() != 7 || color[0] != '#') return 1.0;
    const auto channel = [&](int at) {
        const double c = std::stoi(std::string(color.substr(at, 2)), nullptr, 16) / 255.0;
        return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

std::string text_color_on(std::string_view fill) { return luminance(fill) > 0.25 ? "#000000" : "#FFFFFF"; }

// The finite range of a set of values, or an empty one.
struct finite_range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    bool pos_inf = false, neg_inf = false;
    void add(double v) {
        if (std::isnan(v)) return;
        if (std::isinf(v)) {
            (v > 0 ? pos_inf : neg_inf) = true;
            return;
        }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return lo > hi; }
};

// A zig-zag "break" drawn across a bar end (vertical bar: across x at height y; horizontal: across y at x).
std::string break_mark(double x, double y, double thickness, bool vertical_bar) {
    // two white diagonal strokes across the bar
    std::string out;
    for (double offset : {-3.0, 3.0}) {
        if (vertical_bar) {
            out += line(x - 2, y + offset + 3, x + thickness + 2, y + offset - 3, "#FFFFFF", 2.0);
        } else {
            out += line(x + offset - 3, y - 2, x + offset + 3, y + thickness + 2, "#FFFFFF", 2.0);
        }
    }
    return out;
}

std::string series_color_of(const bar_series& s, std::size_t i) {
    return s.color.empty() ? std::string(palette::series_color(i)) : s.color;
}

std::string tooltip_value(const std::string& category, const std::string& series_name, double v) {
    std::string t = category;
    if (!series_name.empty()) t += " — " + series_name;
    return t + ": " + format_value(v, 6);
}

// Calls f(series index, category index, value, colour, tooltip) for every bar, series by series.
template <class F>
void for_each_bar(const bar_chart& chart, F&& f) {
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const bar_series& ser = chart.series[s];
        const std::string color = series_color_of(ser, s);
        for (std::size_t i = 0; i < chart.categories.size() && i < ser.values.size(); ++i) {
            f(s, i, ser.values[i], color, tooltip_value(chart.categories[i], ser.name, ser.values[i]));
        }
    }
}

// The value axis along the bottom of a horizontal chart: grid lines over the plot, ticks and their
// labels, the overflow zones where ±∞ bars end (between plot_left/right and domain_left/right),
// the axis line and the axis title.
struct bottom_axis {
    double top = 0, bottom = 0;
    double plot_left = 0, plot_right = 0;
    double domain_left = 0, domain_right = 0;
};

std::string bottom_value_axis(const bottom_axis& a, const linear_scale& x, const ticks& t, std::string_view title) {
    std::string out = "<g class=\"x-axis\">";
    for (double v : t.values) {
        const double xx = x(v);
        out += line(xx, a.top, xx, a.bottom, grid_color);
        out += line(xx, a.bottom, xx, a.bottom + 5, axis_color);
        out += text(xx, a.bottom + 18, tick_label(v, t.step), "text-anchor=\"middle\" fill=\"#333333\"");
    }
    const auto zone = [&](double from, double to, const char* mark) {
        out += rect(std::min(from, to) + 4, a.top, std::fabs(to - from) - 8, a.bottom - a.top, "#F4F4F4", {},
                    "class=\"overflow\"");
        out += text((from + to) / 2, a.bottom + 19, mark, "text-anchor=\"middle\" fill=\"#333333\" font-size=\"15\"");
        out += line(from, a.bottom, to, a.bottom, axis_color, 1, "stroke-dasharray=\"3 3\"");
    };
    if (a.domain_right < a.plot_right) zone(a.domain_right, a.plot_right, "∞");
    if (a.domain_left > a.plot_left) zone(a.domain_left, a.plot_left, "−∞");
    out += line(a.domain_left, a.bottom, a.domain_right, a.bottom, axis_color);
    if (!title.empty()) {
        out +=
            text((a.domain_left + a.domain_right) / 2, a.bottom + 36, title, "text-anchor=\"middle\" fill=\"#111111\"");
    }
    return out + "</g>";
}

// What both orientations of a bar chart share: the value range (0 always included, so bar lengths
// are proportional to values), its ticks, and the legend.
struct bar_frame {
    finite_range range;
    ticks t;
    std::vector<legend_entry> legend;
    bool show_legend = false;
};

bar_frame frame_of(const bar_chart& chart) {
    bar_frame f;
    f.range.add(0.0);
    for (const bar_series& s : chart.series) {
        for (double v : s.values) f.range.add(v);
    }
    f.t = nice_ticks(f.range.lo, f.range.hi, 6);
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        f.legend.push_back({chart.series[i].name, series_color_of(chart.series[i], i)});
    }
    f.show_legend = chart.series.size() > 1 || (chart.series.size() == 1 && !chart.series[0].name.empty());
    return f;
}

std::string render_vertical(const bar_chart& chart) {
    const std::size_t n = chart.categories.size();
    const std::size_t ns = chart.series.size();
    const auto [range, t, legend, show_legend] = frame_of(chart);

    const double width = chart.width;
    // Category labels: rotate when they do not fit in a band.
    double max_label = 0;
    for (const std::string& c : chart.categories) max_label = std::max(max_label, text_width(shorten(c, 18)));
    double tick_w = 0;
    for (double v : t.values) tick_w = std::max(tick_w, text_width(tick_label(v, t.step)));
    double left = 28 + tick_w + 10;
    const double right = 16;
    double plot_w = width - left - right;
    double band = n ? plot_w / static_cast<double>(n) : plot_w;
    const bool rotate = max_label + 4 > band;
    constexpr std::size_t rotated_chars = 14;
    if (rotate) {
        // Rotated labels are shorter, and the first one must not run off the left edge.
        max_label = 0;
        for (const std::string& c : chart.categories)
            max_label = std::max(max_label, text_width(shorten(c, rotated_chars)));
        left = std::max(left, max_label * 0.71 - band / 2 + 10);
        plot_w = width - left - right;
        band = n ? plot_w / static_cast<double>(n) : plot_w;
    }
    // Show every k-th label when even rotated labels would overlap.
    const std::size_t label_every =
        rotate ? std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(15.0 / std::max(band, 1e-9)))) : 1;
    const double label_h = rotate ? max_label * 0.72 + 14 : 18;

    const double top = (chart.title.empty() ? 14 : 34) + (show_legend ? 24 : 0) + (range.pos_inf ? 16 : 8);
    const double bottom = label_h + (chart.category_label.empty() ? 6 : 24) + 4 + note_height(chart.note, width);
    const double height = chart.height > 0 ? chart.height : top + 270 + bottom;

    const double plot_top = top;
    const double zone = overflow_zone + 8;
    const double plot_bottom = height - bottom;
    const double domain_top = plot_top + (range.pos_inf ? zone : 0);
    const double domain_bottom = plot_bottom - (range.neg_inf ? zone : 0);
    const linear_scale y(t.lo, t.hi, domain_bottom, domain_top);
    const linear_scale x(0, static_cast<double>(std::max<std::size_t>(n, 1)), left, left + plot_w);

    std::string out = svg_open(width, height, chart.title);
    out += title_text(8, chart.title);
    if (show_legend) out += legend_row(left, chart.title.empty() ? 24 : 46, legend);

    // grid, ticks, axis title
    out += "<g class=\"y-axis\">";
    for (double v : t.values) {
        const double yy = y(v);
        out += line(left, yy, left + plot_w, yy, grid_color);
        out += line(left - 5, yy, left, yy, axis_color);
        out += text(left - 8, yy + 4, tick_label(v, t.step), "text-anchor=\"end\" fill=\"#333333\"");
    }
    if (range.pos_inf) {
        out += rect(left, plot_top, plot_w, zone - 4, "#F4F4F4", {}, "class=\"overflow\"");
        out += text(left - 8, plot_top + 14, "∞", "text-anchor=\"end\" fill=\"#333333\" font-size=\"15\"");
        out += line(left, plot_top, left, domain_top, axis_color, 1, "stroke-dasharray=\"3 3\"");
    }
    if (range.neg_inf) {
        out += rect(left, domain_bottom + 4, plot_w, zone - 4, "#F4F4F4", {}, "class=\"overflow\"");
        out += text(left - 8, plot_bottom - 8, "−∞", "text-anchor=\"end\" fill=\"#333333\" font-size=\"15\"");
        out += line(left, domain_bottom, left, plot_bottom, axis_color, 1, "stroke-dasharray=\"3 3\"");
    }
    out += line(left, domain_top, left, domain_bottom, axis_color);
    if (!chart.value_label.empty()) {
        const double cy = (domain_top + domain_bottom) / 2;
        out += "<text transform=\"translate(14 " + px(cy) + ") rotate(-90)\" text-anchor=\"middle\" fill=\"#111111\">" +
               escape(chart.value_label) + "</text>";
    }
    out += "</g>";

    // bars
    const double group_w = band * 0.8;
    const double bar_w = ns ? group_w / static_cast<double>(ns) : group_w;
    const double zero = y(0.0);
    out += "<g class=\"bars\">";
    for_each_bar(chart, [&](std::size_t s, std::size_t i, double v, const std::string& color, const std::string& tip) {
        const double bx = x(static_cast<double>(i)) + band * 0.1 + bar_w * static_cast<double>(s);
        if (std::isnan(v)) {
            out += text(bx + bar_w / 2, zero - 3, "n/a", "text-anchor=\"middle\" font-size=\"9\" fill=\"#555555\"");
            return;
        }
        if (std::isinf(v)) {
            const double end = v > 0 ? plot_top + 14 : plot_bottom - 14;
            out += rect(bx, zero, bar_w, end - zero, color, tip, "class=\"bar infinite\"");
            out += break_mark(bx, v > 0 ? domain_top - 7 : domain_bottom + 7, bar_w, true);
            out += text(bx + bar_w / 2, v > 0 ? end - 3 : end + 13, v > 0 ? "∞" : "−∞",
                        "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"" + color + "\"");
            return;
        }
        out += rect(bx, zero, bar_w, y(v) - zero, color, tip, "class=\"bar\"");
        if (chart.value_labels) {
            out += text(bx + bar_w / 2, v >= 0 ? y(v) - 3 : y(v) + 11, format_value(v, 4),
                        "text-anchor=\"middle\" font-size=\"9\" fill=\"#333333\"");
        }
    });
    out += "</g>";
    // zero line above the bars, category axis labels
    out += line(left, zero, left + plot_w, zero, axis_color, 1.2);
    out += "<g class=\"x-axis\">";
    for (std::size_t i = 0; i < n; i += label_every) {
        const double cx = x(static_cast<double>(i) + 0.5);
        const std::string label = shorten(chart.categories[i], rotate ? rotated_chars : 18);
        if (rotate) {
            out += "<text transform=\"translate(" + px(cx + 4) + " " + px(plot_bottom + 10) +
                   ") rotate(-45)\" text-anchor=\"end\" fill=\"#333333\">" + escape(label) + "</text>";
        } else {
            out += text(cx, plot_bottom + 15, label, "text-anchor=\"middle\" fill=\"#333333\"");
        }
    }
    if (!chart.category_label.empty()) {
        out += text(left + plot_w / 2, plot_bottom + label_h + 16, chart.category_label,
                    "text-anchor=\"middle\" fill=\"#111111\"");
    }
    out += "</g>";
    out += note_block(chart.note, width, height);
    return out + "</svg>";
}

std::string render_horizontal(const bar_chart& chart) {
    const std::size_t n = chart.categories.size();
    const std::size_t ns = chart.series.size();
    const auto [range, t, legend, show_legend] = frame_of(chart);

    double max_label = 0;
    for (const std::string& c : chart.categories) max_label = std::max(max_label, text_width(shorten(c, 24)));

    const double width = chart.width;
    const double band = ns > 1 ? 12.0 * static_cast<double>(ns) + 8 : 30;
    const double left = 12 + max_label + (chart.category_label.empty() ? 0 : 0) + 8;
    const double right = chart.value_labels ? 60 : 24;
    const double top = (chart.title.empty() ? 14 : 34) + (show_legend ? 24 : 0) + 4;
    const double plot_top = top;
    const double plot_h = band * static_cast<double>(n);
    const double plot_bottom = plot_top + plot_h;
    const double bottom = 44 + note_height(chart.note, width);
    const double height = chart.height > 0 ? chart.height : plot_bottom + bottom;
    const double plot_left = left, plot_right = width - right;
    const double zone = 2 * overflow_zone;  // wide enough for a tick label and the ∞ mark
    const double domain_left = plot_left + (range.neg_inf ? zone : 0);
    const double domain_right = plot_right - (range.pos_inf ? zone : 0);
    const linear_scale x(t.lo, t.hi, domain_left, domain_right);

    std::string out = svg_open(width, height, chart.title);
    out += title_text(8, chart.title);
    if (show_legend) out += legend_row(left, chart.title.empty() ? 24 : 46, legend);

    out += bottom_value_axis({plot_top, plot_bottom, plot_left, plot_right, domain_left, domain_right}, x, t,
                             chart.value_label);

    const double zero = x(0.0);
    const double bar_h = ns ? (band - 6) / static_cast<double>(ns) : band;
    out += "<g class=\"bars\">";
    for_each_bar(chart, [&](std::size_t s, std::size_t i, double v, const std::string& color, const std::string& tip) {
        const double by = plot_top + band * static_cast<double>(i) + 3 + bar_h * static_cast<double>(s);
        if (std::isnan(v)) {
            out += text(zero + 3, by + bar_h - 2, "n/a", "font-size=\"9\" fill=\"#555555\"");
            return;
        }
        if (std::isinf(v)) {
            const double end = v > 0 ? plot_right - 16 : plot_left + 16;
            out += rect(zero, by, end - zero, bar_h, color, tip, "class=\"bar infinite\"");
            out += break_mark(v > 0 ? domain_right + 14 : domain_left - 14, by, bar_h, false);
            out += text(v > 0 ? end + 3 : end - 3, by + bar_h / 2 + 5, v > 0 ? "∞" : "−∞",
                        std::string(v > 0 ? "" : "text-anchor=\"end\" ") +
                            "font-size=\"13\" font-weight=\"bold\" fill=\"" + color + "\"");
            return;
        }
        out += rect(zero, by, x(v) - zero, bar_h, color, tip, "class=\"bar\"");
        if (chart.value_labels) {
            out += text(v >= 0 ? x(v) + 4 : x(v) - 4, by + bar_h / 2 + 4, format_value(v, 4),
                        std::string(v >= 0 ? "" : "text-anchor=\"end\" ") + "font-size=\"10\" fill=\"#333333\"");
        }
    });
    out += "</g>";
    out += line(zero, plot_top, zero, plot_bottom, axis_color, 1.2);
    out += "<g class=\"y-axis\">";
    for (std::size_t i = 0; i < n; ++i) {
        out += text(left - 8, plot_top + band * (static_cast<double>(i) + 0.5) + 4, shorten(chart.categories[i], 24),
                    "text-anchor=\"end\" fill=\"#333333\"");
    }
    out += "</g>";
    out += note_block(chart.note, width, height);
    return out + "</svg>";
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : kldiv::valid_utf8(text)) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // XML and HTML allow no control character but tab, newline and carriage return: the
                // others (a NUL or an ESC in a label) become U+FFFD, as bytes that are not UTF-8 do.
                const auto u = static_cast<unsigned char>(c);
                out +=
                    (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f ? "\xef\xbf\xbd" : std::string(1, c);
        }
    }
    return out;
}

std::string format_value(double x, int significant) {
    if (std::isnan(x)) return "n/a";
    if (std::isinf(x)) return x > 0 ? "∞" : "−∞";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", std::clamp(significant, 1, 17), x);
    std::string s = buffer;
    if (s == "-0") return "0";
    if (!s.empty() && s[0] == '-') s = "−" + s.substr(1);
    return s;
}

namespace palette {
const char* series_color(std::size_t i) {
    static constexpr const char* cycle[] = {blue, orange, green, vermillion, purple, sky_blue, yellow, black};
    return cycle[i % (sizeof cycle / sizeof cycle[0])];
}
}  // namespace palette

ticks nice_ticks(double lo, double hi, int target) {
    if (!std::isfinite(lo) && !std::isfinite(hi)) lo = 0.0, hi = 1.0;
    if (!std::isfinite(lo)) lo = hi;
    if (!std::isfinite(hi)) hi = lo;
    if (lo > hi) std::swap(lo, hi);
    if (lo == hi) {
        if (lo == 0.0) {
            hi = 1.0;
        } else {
            const double d = std::fabs(lo) * 0.1;
            lo -= d;
            hi += d;
        }
    }
    target = std::max(target, 1);
    const double raw = (hi - lo) / target;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double r = raw / magnitude;
    const double unit = r <= 1.0 ? 1.0 : r <= 2.0 ? 2.0 : r <= 5.0 ? 5.0 : 10.0;
    ticks t;
    t.step = unit * magnitude;
    // Widen to multiples of the step (a hair of slack so 0.30000000000000004 stays 0.3).
    const double first = std::floor(lo / t.step + 1e-9);
    const double last = std::ceil(hi / t.step - 1e-9);
    t.lo = first * t.step;
    t.hi = last * t.step;
    const long count = std::lround(last - first);
    for (long i = 0; i <= count; ++i) {
        double v = (first + static_cast<double>(i)) * t.step;
        if (std::fabs(v) < t.step * 1e-9) v = 0.0;
        t.values.push_back(v);
    }
    return t;
}

std::string tick_label(double value, double step) {
    if (std::fabs(value) < std::fabs(step) * 1e-9) value = 0.0;
    char buffer[64];
    const double a = std::fabs(step);
    if (a != 0 && (a < 1e-4 || a >= 1e7)) {
        std::snprintf(buffer, sizeof buffer, "%.3g", value);
    } else {
        const int decimals = a == 0 ? 0 : std::max(0, static_cast<int>(-std::floor(std::log10(a) + 1e-9)));
        std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    }
    std::string s = buffer;
    if (!s.empty() && s[0] == '-') s = "−" + s.substr(1);
    return s;
}

linear_scale::linear_scale(double d0, double d1, double r0, double r1)
    : d0_(d0), r0_(r0), k_(d1 != d0 ? (r1 - r0) / (d1 - d0) : 0.0) {}

double linear_scale::operator()(double x) const { return r0_ + (x - d0_) * k_; }

std::string render(const bar_chart& chart) {
    return chart.horizontal ? render_horizontal(chart) : render_vertical(chart);
}

std::string render(const stacked_bar_chart& chart) {
    // Totals of the finite parts fix the axis; an infinite segment runs into the overflow zone.
    finite_range range;
    range.add(0.0);
    for (const stacked_bar& b : chart.bars) {
        double total = 0;
        for (const segment& s : b.segments) {
            if (std::isinf(s.value)) range.add(s.value);
            if (std::isfinite(s.value) && s.value > 0) total += s.value;
        }
        range.add(total);
    }
    const ticks t = nice_ticks(0.0, range.hi, 6);

    std::vector<legend_entry> legend;
    std::map<std::string, std::string> legend_colors;
    std::size_t color_index = 0;
    for (const stacked_bar& b : chart.bars) {
        for (const segment& s : b.segments) {
            if (legend_colors.count(s.legend)) continue;
            const std::string color = s.color.empty() ? palette::series_color(color_index) : s.color;
            ++color_index;
            legend_colors[s.legend] = color;
            if (!s.legend.empty()) legend.push_back({s.legend, color});
        }
    }
    double max_label = 0, max_total = 0;
    for (const stacked_bar& b : chart.bars) {
        max_label = std::max({max_label, text_width(b.label, 13), text_width(b.note, 11)});
        max_total = std::max(max_total, text_width(b.total));
    }
    const double width = chart.width;
    const double left = 14 + max_label + 12;
    const double right = max_total + 20;
    const double bar_h = 32, row = 68;
    const double top = (chart.title.empty() ? 14 : 34) + (legend.empty() ? 0 : 24) + 10;
    const double plot_h = row * static_cast<double>(chart.bars.size());
    const double plot_bottom = top + plot_h;
    const double height = plot_bottom + 48 + note_height(chart.note, width);
    const double plot_right = width - right;
    // An infinite segment gets a wide overflow zone, so its label and break mark have room.
    const double zone = range.pos_inf ? 2.5 * overflow_zone : 0;
    const double domain_right = plot_right - zone;
    const linear_scale x(t.lo, t.hi, left, domain_right);

    std::string out = svg_open(width, height, chart.title);
    out += title_text(8, chart.title);
    if (!legend.empty()) out += legend_row(left, chart.title.empty() ? 24 : 46, legend);
    out += bottom_value_axis({top, plot_bottom, left, plot_right, left, domain_right}, x, t, chart.value_label);
    out += line(left, top, left, plot_bottom, axis_color, 1.2);
    out += "<g class=\"bars\">";
    for (std::size_t b = 0; b < chart.bars.size(); ++b) {
        const stacked_bar& bar = chart.bars[b];
        const double by = top + row * static_cast<double>(b) + 10;
        out += text(left - 10, by + (bar.note.empty() ? bar_h / 2 + 5 : bar_h / 2 - 1), bar.label,
                    "text-anchor=\"end\" font-size=\"13\" font-weight=\"bold\" fill=\"#111111\"");
        if (!bar.note.empty()) {
            out += text(left - 10, by + bar_h / 2 + 13, bar.note,
                        std::string("text-anchor=\"end\" font-size=\"11\" fill=\"") + muted_color + "\"");
        }
        double at = 0;  // finite position reached so far
        double end_px = x(0);
        double below_x = -1e9;  // right end of the last label written under the bar
        for (const segment& s : bar.segments) {
            const std::string color = legend_colors[s.legend];
            const std::string tip = (s.label.empty() ? s.legend : s.label) + " (" + format_value(s.value, 6) + ")";
            if (std::isnan(s.value) || s.value < 0) continue;
            double x0 = x(at), x1;
            if (std::isinf(s.value)) {
                x1 = plot_right - 16;
                out += rect(x0, by, x1 - x0, bar_h, color, tip, "class=\"segment infinite\"");
                out += break_mark(std::max(domain_right + 8, (x0 + x1) / 2), by, bar_h, false);
                if (s.label.empty()) {
                    out += text(x1 + 3, by + bar_h / 2 + 6, "∞",
                                "font-size=\"15\" font-weight=\"bold\" fill=\"" + color + "\"");
                }
            } else {
                at += s.value;
                x1 = x(at);
                out += rect(x0, by, x1 - x0, bar_h, color, tip, "class=\"segment\"");
                out += line(x1, by, x1, by + bar_h, "#FFFFFF", 1.0);
            }
            end_px = x1;
            if (s.label.empty()) continue;
            if (text_width(s.label) + 10 <= x1 - x0) {
                out += text((x0 + x1) / 2, by + bar_h / 2 + 4, s.label,
                            "text-anchor=\"middle\" fill=\"" + text_color_on(color) + "\"");
            } else {
                // Too narrow: label under the bar, starting at the segment, with a tick to it.
                const double lx = std::min(std::max(x0, below_x + 8), width - 4 - text_width(s.label, 11));
                out += line((x0 + x1) / 2, by + bar_h, (x0 + x1) / 2, by + bar_h + 5, color, 1.5);
                out += text(lx, by + bar_h + 17, s.label, "font-size=\"11\" fill=\"#222222\"");
                below_x = lx + text_width(s.label, 11);
            }
        }
        if (!bar.total.empty()) {
            out += text(end_px + 6, by + bar_h / 2 + 5, bar.total, "fill=\"#111111\" font-weight=\"bold\"");
        }
    }
    out += "</g>";
    out += note_block(chart.note, width, height);
    return out + "</svg>";
}

std::string render(const line_chart& chart) {
    finite_range xr, yr;
    for (const line_series& s : chart.series) {
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            xr.add(s.x[i]);
            yr.add(s.y[i]);
        }
    }
    for (const point_marker& p : chart.points) {
        if (std::isfinite(p.x) && std::isfinite(p.y)) xr.add(p.x), yr.add(p.y);
    }
    for (const interval_marker& m : chart.intervals) yr.add(m.y0), yr.add(m.y1);
    if (chart.y_from_zero) yr.add(0.0);
    const ticks tx = nice_ticks(xr.empty() ? 0.0 : xr.lo, xr.empty() ? 1.0 : xr.hi, 7);
    const ticks ty = nice_ticks(yr.empty() ? 0.0 : yr.lo, yr.empty() ? 1.0 : yr.hi, 6);

    std::vector<legend_entry> legend;
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        const line_series& s = chart.series[i];
        if (s.name.empty()) continue;
        legend.push_back({s.name, s.color.empty() ? palette::series_color(i) : s.color, true, s.dashed});
    }
    double tick_w = 0;
    for (double v : ty.values) tick_w = std::max(tick_w, text_width(tick_label(v, ty.step)));
    const double width = chart.width, height = chart.height;
    const double left = 28 + tick_w + 10, right = 20;
    double legend_rows = legend.empty() ? 0 : std::ceil(legend_width(legend) / (width - left - right));
    const double top = (chart.title.empty() ? 14 : 34) + 24 * legend_rows + 10;
    const double bottom = 50 + note_height(chart.note, width);
    const linear_scale x(tx.lo, tx.hi, left, width - right);
    const linear_scale y(ty.lo, ty.hi, height - bottom, top);
    const double plot_bottom = height - bottom;

    std::string out = svg_open(width, height, chart.title);
    out += title_text(8, chart.title);
    // Legend, wrapped into rows that fit.
    {
        std::vector<legend_entry> row;
        double row_w = 0, ly = chart.title.empty() ? 24 : 46;
        for (const legend_entry& e : legend) {
            const double w = legend_width({e});
            if (!row.empty() && row_w + w > width - left - right) {
                out += legend_row(left, ly, row);
                row.clear();
                row_w = 0;
                ly += 24;
            }
            row.push_back(e);
            row_w += w;
        }
        if (!row.empty()) out += legend_row(left, ly, row);
    }
    out += "<g class=\"axes\">";
    for (double v : ty.values) {
        out += line(left, y(v), width - right, y(v), grid_color);
        out += line(left - 5, y(v), left, y(v), axis_color);
        out += text(left - 8, y(v) + 4, tick_label(v, ty.step), "text-anchor=\"end\" fill=\"#333333\"");
    }
    for (double v : tx.values) {
        out += line(x(v), top, x(v), plot_bottom, grid_color);
        out += line(x(v), plot_bottom, x(v), plot_bottom + 5, axis_color);
        out += text(x(v), plot_bottom + 18, tick_label(v, tx.step), "text-anchor=\"middle\" fill=\"#333333\"");
    }
    out += line(left, top, left, plot_bottom, axis_color);
    out += line(left, plot_bottom, width - right, plot_bottom, axis_color);
    if (!chart.y_label.empty()) {
        out += "<text transform=\"translate(14 " + px((top + plot_bottom) / 2) +
               ") rotate(-90)\" text-anchor=\"middle\" fill=\"#111111\">" + escape(chart.y_label) + "</text>";
    }
    if (!chart.x_label.empty()) {
        out += text((left + width - right) / 2, plot_bottom + 38, chart.x_label,
                    "text-anchor=\"middle\" fill=\"#111111\"");
    }
    out += "</g><g class=\"lines\">";
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        const line_series& s = chart.series[i];
        const std::string color = s.color.empty() ? palette::series_color(i) : s.color;
        std::string d;
        bool pen_down = false;
        for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
            if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k])) {
                pen_down = false;
                continue;
            }
            d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + px(x(s.x[k])) + " " + px(y(s.y[k]));
            pen_down = true;
        }
        if (d.empty()) continue;
        out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2.5\"" +
               (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "><title>" + escape(s.name) + "</title></path>";
    }
    out += "</g><g class=\"markers\">";
    for (const interval_marker& m : chart.intervals) {
        const double xx = x(m.x), y0 = y(m.y0), y1 = y(m.y1);
        const double dir = y1 < y0 ? -1.0 : 1.0;  // pixel direction from y0 to y1
        out += line(xx, y0, xx, y1, "#333333", 1.4);
        for (const auto& [tip, sign] : {std::pair{y0, -dir}, std::pair{y1, dir}}) {
            out += "<polygon points=\"" + px(xx) + "," + px(tip) + " " + px(xx - 4) + "," + px(tip - sign * 8) + " " +
                   px(xx + 4) + "," + px(tip - sign * 8) + "\" fill=\"#333333\"/>";
        }
        out += text(xx + 7, (y0 + y1) / 2 + 4, m.label,
                    "fill=\"#111111\" font-size=\"11\" paint-order=\"stroke\" stroke=\"#FFFFFF\" stroke-width=\"3\"");
    }
    for (const point_marker& p : chart.points) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
        const std::string color = p.color.empty() ? std::string(palette::black) : p.color;
        out += line(x(p.x), y(p.y), x(p.x), plot_bottom, color, 1.2, "stroke-dasharray=\"4 3\"");
        out += "<circle cx=\"" + px(x(p.x)) + "\" cy=\"" + px(y(p.y)) + "\" r=\"5\" fill=\"" + color +
               "\" stroke=\"#FFFFFF\" stroke-width=\"1.5\"/>";
        if (!p.label.empty()) {
            const bool flip = x(p.x) + 8 + text_width(p.label) > width - right;
            out += text(flip ? x(p.x) - 8 : x(p.x) + 8, y(p.y) - 9, p.label,
                        std::string(flip ? "text-anchor=\"end\" " : "") +
                            "font-weight=\"bold\" fill=\"#111111\" paint-order=\"stroke\" stroke=\"#FFFFFF\" "
                            "stroke-width=\"3\"");
        }
    }
    out += "</g>";
    out += note_block(chart.note, width, height);
    return out + "</svg>";
}

}  // namespace kldiv::report
