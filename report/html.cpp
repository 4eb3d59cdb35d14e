#include "report/html.hpp"

#include <algorithm>

namespace kldiv::report {
namespace {

constexpr const char* style = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #FAFAFA; color: #1A1A1A;
       font: 15px/1.55 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 28px 40px; background: #FFFFFF; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #E0E0E0; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.subtitle { color: #555555; margin: 0 0 18px; }
p { margin: 8px 0; }
code, .math { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.92em; }
figure { margin: 16px 0 24px; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #EEEEEE; }
figcaption { color: #444444; font-size: 13.5px; margin-top: 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0 6px; }
.card { flex: 1 1 260px; border: 1px solid #DDDDDD; border-radius: 6px; padding: 8px 12px; background: #FCFCFC; }
.card .name { font-size: 13px; color: #444444; }
.card .value { font-size: 21px; font-weight: bold; font-variant-numeric: tabular-nums; }
.card .note { font-size: 12px; color: #555555; }
table { border-collapse: collapse; margin: 10px 0 20px; font-size: 14px; }
caption { text-align: left; color: #444444; font-size: 13.5px; padding-bottom: 6px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #E6E6E6; }
th { background: #F2F2F2; text-align: left; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #FAFAFA; }
.callout { border-left: 4px solid #0072B2; background: #F3F8FC; padding: 8px 14px; margin: 14px 0; }
footer { color: #666666; font-size: 12.5px; margin-top: 34px; border-top: 1px solid #E0E0E0; padding-top: 8px; }
@media print { body { background: #FFFFFF; } main { padding: 0; } }
)css";

}  // namespace

std::string json_for_script(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (char c : json) {
        switch (c) {
            case '<':
                out += "\\u003c";
                break;
            case '>':
                out += "\\u003e";
                break;
            case '&':
                out += "\\u0026";
                break;
            default:
                out += c;
        }
    }
    return out;
}

html_page::html_page(std::string title, std::string subtitle)
    : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

html_page& html_page::heading(std::string_view text, int level) {
    level = std::clamp(level, 2, 4);
    const char digit = static_cast<char>('0' + level);
    body_.append("<h").append(1, digit).append(">").append(escape(text)).append("</h").append(1, digit).append(">\n");
    return *this;
}

html_page& html_page::raw_html(std::string_view markup) {
    body_ += markup;
    body_ += '\n';
    return *this;
}

html_page& html_page::figure(std::string_view svg, std::string_view caption) {
    body_ += "<figure>";
    body_ += svg;
    if (!caption.empty()) body_ += "<figcaption>" + escape(caption) + "</figcaption>";
    body_ += "</figure>\n";
    return *this;
}

html_page& html_page::add(const table& t) {
    const auto is_numeric = [&](std::size_t column) { return column < t.numeric.size() && t.numeric[column]; };
    body_ += "<table>";
    if (!t.caption.empty()) body_ += "<caption>" + escape(t.caption) + "</caption>";
    body_ += "<thead><tr>";
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        body_ += std::string(is_numeric(c) ? "<th class=\"num\">" : "<th>") + escape(t.header[c]) + "</th>";
    }
    body_ += "</tr></thead><tbody>\n";
    for (const auto& row : t.rows) {
        body_ += "<tr>";
        for (std::size_t c = 0; c < row.size(); ++c) {
            body_ += std::string(is_numeric(c) ? "<td class=\"num\">" : "<td>") + escape(row[c]) + "</td>";
        }
        body_ += "</tr>\n";
    }
    body_ += "</tbody></table>\n";
    return *this;
}

html_page& html_page::summary(const std::vector<key_value>& items) {
    body_ += "<div class=\"cards\">";
    for (const key_value& kv : items) {
        body_ += "<div class=\"card\"><div class=\"name\">" + escape(kv.name) + "</div><div class=\"value\">" +
                 escape(kv.value) + "</div>";
        if (!kv.note.empty()) body_ += "<div class=\"note\">" + escape(kv.note) + "</div>";
        body_ += "</div>";
    }
    body_ += "</div>\n";
    return *this;
}

html_page& html_page::json_data(std::string_view id, std::string_view json) {
    data_ += "<script type=\"application/json\" id=\"" + escape(id) + "\">" + json_for_script(json) + "</script>\n";
    return *this;
}

html_page& html_page::footer(std::string_view text) {
    footer_ += "<p>" + escape(text) + "</p>";
    return *this;
}

std::string html_page::str() const {
    std::string out;
    out.reserve(body_.size() + data_.size() + 4096);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out +=
        "<title>" + escape(title_) + "</title>\n<style>" + std::string(style) + "</style>\n</head>\n<body>\n<main>\n";
    out += "<h1>" + escape(title_) + "</h1>\n";
    if (!subtitle_.empty()) out += "<p class=\"subtitle\">" + escape(subtitle_) + "</p>\n";
    out += body_;
    if (!footer_.empty()) out += "<footer>" + footer_ + "</footer>\n";
    out += "</main>\n" + data_ + "</body>\n</html>\n";
    return out;
}

}  // namespace kldiv::report
