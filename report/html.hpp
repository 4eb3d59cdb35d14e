#pragma once
// A self-contained HTML page builder for kldiv's reports: one file with inline CSS and inline SVG,
// no JavaScript, no fonts, images or styles fetched from anywhere, readable offline and printable.
//
// Text given as std::string_view is plain text and is escaped; only raw_html() takes markup, which
// the caller builds with escape(). Machine-readable data goes into a
// <script type="application/json" id="..."> block (not executed by browsers), with <, > and &
// written as \u003c, \u003e, \u0026 so the block cannot be closed early by the data.

#include <string>
#include <string_view>
#include <vector>

#include "report/svg.hpp"

namespace kldiv::report {

struct table {
    std::string caption;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // plain text cells
    std::vector<bool> numeric;                   // per column: right-aligned with tabular figures
};

// A headline number: name (e.g. "D(P‖Q)"), value with unit, and a short note.
struct key_value {
    std::string name, value, note;
};

// JSON text made safe inside <script type="application/json">: <, > and & become \u003c, \u003e,
// \u0026 (they can only occur inside JSON strings, where the escapes mean the same characters).
std::string json_for_script(std::string_view json);

class html_page {
public:
    explicit html_page(std::string title, std::string subtitle = {});

    html_page& heading(std::string_view text, int level = 2);
    html_page& raw_html(std::string_view markup);
    html_page& figure(std::string_view svg, std::string_view caption);
    html_page& add(const table& t);
    html_page& summary(const std::vector<key_value>& items);
    html_page& json_data(std::string_view id, std::string_view json);
    html_page& footer(std::string_view text);

    // The whole document.
    std::string str() const;

private:
    std::string title_, subtitle_, body_, footer_, data_;
};

}  // namespace kldiv::report
