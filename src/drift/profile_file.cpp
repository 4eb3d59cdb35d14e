#include "kldiv/drift/profile_file.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/names.hpp"
#include "src/io/input_file.hpp"

namespace kldiv::drift {
namespace {

using json = nlohmann::ordered_json;
constexpr const char* function = "load_profile";
constexpr const char* format_name = "kldiv-drift-profile";
constexpr std::uint64_t max_profile_bytes = std::uint64_t{1} << 30;

// JSON has no infinity: ±inf as "inf" and "-inf" (min and max of a column without finite values are 0).
json number(double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

class reader {
public:
    explicit reader(const std::string& source) : source_(source) {}

    [[noreturn]] void fail(const std::string& where, const std::string& rule) const {
        throw error(function, source_ + ": " + where + ": " + rule);
    }

    const json& field(const json& object, const char* key, const std::string& where) const {
        if (!object.is_object()) fail(where, "is not a JSON object");
        const auto it = object.find(key);
        if (it == object.end()) fail(where, "has no field \"" + std::string(key) + "\"");
        return *it;
    }

    double real(const json& v, const std::string& where) const {
        if (v.is_number()) {
            const double x = v.get<double>();
            if (std::isfinite(x)) return x;
        }
        if (v.is_string() && (v == "inf" || v == "-inf")) fail(where, "is infinite, but it must be a finite number");
        fail(where, "is " + shown(v) + ", but it must be a finite number");
    }

    double count(const json& v, const std::string& where) const {
        const double x = real(v, where);
        if (x < 0.0 || x != std::floor(x) || x > 0x1p53) {
            fail(where, "is " + shown(v) + ", but a count is a whole number from 0 to 2^53");
        }
        return x;
    }

    std::size_t index(const json& v, const std::string& where, std::size_t most) const {
        const double x = count(v, where);
        if (x > static_cast<double>(most))
            fail(where, "is " + shown(v) + ", but it must be at most " + std::to_string(most));
        return static_cast<std::size_t>(x);
    }

    const std::string& text(const json& v, const std::string& where) const {
        if (!v.is_string()) fail(where, "is " + shown(v) + ", but it must be a string");
        return v.get_ref<const std::string&>();
    }

    bool flag(const json& v, const std::string& where) const {
        if (!v.is_boolean()) fail(where, "is " + shown(v) + ", but it must be true or false");
        return v.get<bool>();
    }

    const json& array(const json& v, const std::string& where, std::size_t most) const {
        if (!v.is_array()) fail(where, "is " + shown(v) + ", but it must be an array");
        if (v.size() > most) {
            fail(where,
                 "has " + std::to_string(v.size()) + " elements, but at most " + std::to_string(most) + " are allowed");
        }
        return v;
    }

    template <class E>
    E choice(const json& v, const std::string& where) const {
        const std::string& t = text(v, where);
        const auto parsed = kldiv::find<E>(t);
        if (!parsed) fail(where, "is \"" + t + "\", but it must be " + kldiv::listing<E>());
        return *parsed;
    }

private:
    static std::string shown(const json& v) {
        std::string s = v.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
        return s.size() > 40 ? s.substr(0, 40) + "..." : s;
    }
    const std::string& source_;
};

// A column's counts as JSON: what every count holds, plus the numeric summaries or the current-only
// categories.
json counts_json(const column_counts& n, bool numeric) {
    json j;
    j["counts"] = n.counts;
    j["missing"] = n.missing;
    if (numeric) {
        j["finite"] = n.finite;
        j["min"] = number(n.min);
        j["max"] = number(n.max);
        j["infinite"] = n.infinite;
        j["sum"] = {n.sum_hi, n.sum_lo};
        j["squares"] = {n.squares_hi, n.squares_lo};
    }
    if (!n.new_categories.empty()) {
        j["new_categories"] = n.new_categories;
        j["new_counts"] = n.new_counts;
    }
    return j;
}

// Reads counts_json's fields of `c` (at `at`) into n: `fine` counts, or any number when fine is 0.
void read_counts(const reader& r, const json& c, const std::string& at, bool numeric, std::size_t fine,
                 column_counts& n) {
    auto where = [&](const char* key) { return at + "." + key; };
    const json& counts = r.array(r.field(c, "counts", at), where("counts"), max_bins + 1);
    if (fine != 0 && counts.size() != fine) {
        r.fail(where("counts"), "has " + std::to_string(counts.size()) + " counts, but the column has " +
                                    std::to_string(fine) + " bins");
    }
    for (std::size_t k = 0; k < counts.size(); ++k) n.counts.push_back(r.count(counts[k], where("counts")));
    n.missing = r.count(r.field(c, "missing", at), where("missing"));
    if (numeric) {
        n.finite = r.count(r.field(c, "finite", at), where("finite"));
        n.min = r.real(r.field(c, "min", at), where("min"));
        n.max = r.real(r.field(c, "max", at), where("max"));
        if (n.min > n.max) r.fail(where("min"), "is above max");
        n.infinite = r.flag(r.field(c, "infinite", at), where("infinite"));
        const json& sum = r.array(r.field(c, "sum", at), where("sum"), 2);
        const json& squares = r.array(r.field(c, "squares", at), where("squares"), 2);
        if (sum.size() != 2 || squares.size() != 2) r.fail(where("sum"), "sum and squares are pairs [hi, lo]");
        n.sum_hi = r.real(sum[0], where("sum"));
        n.sum_lo = r.real(sum[1], where("sum"));
        n.squares_hi = r.real(squares[0], where("squares"));
        n.squares_lo = r.real(squares[1], where("squares"));
        double total = 0.0;
        for (const double x : n.counts) total += x;
        if (n.finite > total) r.fail(where("finite"), "is more than the values counted");
    }
    if (c.contains("new_categories")) {
        const json& names = r.array(c["new_categories"], where("new_categories"), max_bins);
        const json& counts_of = r.array(r.field(c, "new_counts", at), where("new_counts"), max_bins);
        if (names.size() != counts_of.size()) r.fail(where("new_counts"), "must have one count per new category");
        for (std::size_t k = 0; k < names.size(); ++k) {
            n.new_categories.push_back(r.text(names[k], where("new_categories")));
            n.new_counts.push_back(r.count(counts_of[k], where("new_counts")));
        }
    }
}

column_profile read_column(const reader& r, const json& c, std::size_t j) {
    const std::string at = "columns[" + std::to_string(j) + "]";
    auto where = [&](const char* key) { return at + "." + key; };
    column_profile out;
    column_bins& b = out.bins;
    b.name = r.text(r.field(c, "name", at), where("name"));
    b.type = r.choice<io::column_type>(r.field(c, "type", at), where("type"));
    b.declared = r.flag(r.field(c, "declared", at), where("declared"));
    std::size_t fine = 0;
    if (b.type == io::column_type::numeric) {
        b.continuous = r.flag(r.field(c, "continuous", at), where("continuous"));
        b.scale = r.real(r.field(c, "scale", at), where("scale"));
        if (!(b.scale > 0.0) || std::ldexp(1.0, std::ilogb(b.scale)) != b.scale) {
            r.fail(where("scale"), "must be a power of two");
        }
        const json& edges = r.array(r.field(c, "edges", at), where("edges"), max_bins);
        for (std::size_t k = 0; k < edges.size(); ++k) {
            b.edges.push_back(r.real(edges[k], where("edges") + "[" + std::to_string(k) + "]"));
            if (k > 0 && !(b.edges[k] > b.edges[k - 1])) {
                r.fail(where("edges"), "are not increasing at " + std::to_string(k));
            }
        }
        fine = b.edges.size() + 1;
        const json& groups = r.array(r.field(c, "groups", at), where("groups"), max_bins + 1);
        for (std::size_t k = 0; k < groups.size(); ++k) {
            b.groups.push_back(r.index(groups[k], where("groups") + "[" + std::to_string(k) + "]", fine));
            if (k > 0 && !(b.groups[k] > b.groups[k - 1])) {
                r.fail(where("groups"), "are not increasing at " + std::to_string(k));
            }
        }
        if (b.groups.size() < 2 || b.groups.front() != 0 || b.groups.back() != fine) {
            r.fail(where("groups"), "must run from 0 to the number of fine bins, " + std::to_string(fine));
        }
    } else {
        const json& categories = r.array(r.field(c, "categories", at), where("categories"), max_bins);
        std::set<std::string> seen;
        for (std::size_t k = 0; k < categories.size(); ++k) {
            b.categories.push_back(r.text(categories[k], where("categories") + "[" + std::to_string(k) + "]"));
            if (!seen.insert(b.categories.back()).second) {
                r.fail(where("categories"), "repeats \"" + b.categories.back() + "\"");
            }
        }
        fine = b.categories.size() + 1;
        for (std::size_t k = 0; k <= fine; ++k) b.groups.push_back(k);
    }
    if (b.type == io::column_type::boolean && b.categories != std::vector<std::string>{"false", "true"}) {
        r.fail(where("categories"), "of a boolean column must be [\"false\", \"true\"]");
    }
    read_counts(r, c, at, b.type == io::column_type::numeric, fine, out.counts);
    return out;
}

}  // namespace

std::string profile_text(const profile& p) {
    json out;
    out["format"] = format_name;
    out["version"] = 1;
    out["rows"] = p.rows;
    out["binning"] = {{"rule", name(p.binning.rule)},
                      {"bin_count", p.binning.bin_count},
                      {"resolution", p.binning.resolution},
                      {"max_sample", p.binning.max_sample}};
    json columns = json::array();
    for (const column_profile& c : p.columns) {
        json j;
        j["name"] = c.bins.name;
        j["type"] = name(c.bins.type);
        j["declared"] = c.bins.declared;
        if (c.bins.type == io::column_type::numeric) {
            j["continuous"] = c.bins.continuous;
            j["scale"] = c.bins.scale;
            j["edges"] = c.bins.edges;
            j["groups"] = c.bins.groups;
        } else {
            j["categories"] = c.bins.categories;
        }
        j.update(counts_json(c.counts, c.bins.type == io::column_type::numeric));
        columns.push_back(j);
    }
    out["columns"] = columns;
    return out.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace) + "\n";
}

profile parse_profile(std::string_view text, const std::string& source) {
    const reader r(source);
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) r.fail("the whole file", "is not JSON (a drift profile is the JSON of --save-profile)");
    if (!doc.is_object() || doc.value("format", json()) != format_name) {
        r.fail("field \"format\"", "is not \"kldiv-drift-profile\": this JSON is not a drift profile");
    }
    const json& version = r.field(doc, "version", "the profile");
    if (version != 1) r.fail("field \"version\"", "is not 1, the one version this kldiv reads");
    profile p;
    p.rows = r.index(r.field(doc, "rows", "the profile"), "field \"rows\"", std::size_t{1} << 53);
    const json& binning = r.field(doc, "binning", "the profile");
    p.binning.rule = r.choice<estimate::binning>(r.field(binning, "rule", "binning"), "binning.rule");
    p.binning.bin_count = r.index(r.field(binning, "bin_count", "binning"), "binning.bin_count", max_bins);
    p.binning.resolution = r.index(r.field(binning, "resolution", "binning"), "binning.resolution", max_bins);
    if (p.binning.bin_count == 0 || p.binning.resolution == 0 || p.binning.max_sample == 0) {
        r.fail("binning", "bin_count, resolution and max_sample must be at least 1");
    }
    p.binning.max_sample =
        r.index(r.field(binning, "max_sample", "binning"), "binning.max_sample", std::size_t{1} << 53);
    const json& columns = r.array(r.field(doc, "columns", "the profile"), "field \"columns\"", max_bins);
    std::set<std::string> names;
    for (std::size_t j = 0; j < columns.size(); ++j) {
        p.columns.push_back(read_column(r, columns[j], j));
        const column_counts& n = p.columns.back().counts;
        if (n.total() + n.missing != static_cast<double>(p.rows)) {
            r.fail("columns[" + std::to_string(j) + "]", "counts " + std::to_string(n.total() + n.missing) +
                                                             " rows with its missing ones, but the profile has " +
                                                             std::to_string(p.rows));
        }
        if (!names.insert(p.columns.back().bins.name).second) {
            r.fail("columns[" + std::to_string(j) + "].name", "repeats \"" + p.columns.back().bins.name + "\"");
        }
    }
    return p;
}

std::string counts_text(const current_counts& c) {
    json out;
    out["format"] = "kldiv-drift-counts";
    out["rows"] = c.rows;
    out["rows_without_time"] = c.rows_without_time;
    out["calendar"] = c.calendar;
    json windows = json::array();
    for (const window_counts& w : c.windows) {
        json columns = json::array();
        for (const column_counts& n : w.columns) columns.push_back(counts_json(n, true));
        windows.push_back({{"start", w.start}, {"end", w.end}, {"rows", w.rows}, {"columns", columns}});
    }
    out["windows"] = windows;
    return out.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

current_counts parse_counts(std::string_view text, const std::string& source) {
    const reader r(source);
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("format", json()) != "kldiv-drift-counts") {
        r.fail("the whole text", "is not the JSON of counts_text");
    }
    current_counts c;
    c.rows = r.index(r.field(doc, "rows", "the counts"), "rows", std::size_t{1} << 53);
    c.rows_without_time = r.index(r.field(doc, "rows_without_time", "the counts"), "rows_without_time", c.rows);
    c.calendar = r.flag(r.field(doc, "calendar", "the counts"), "calendar");
    const json& windows = r.array(r.field(doc, "windows", "the counts"), "windows", max_windows);
    for (std::size_t k = 0; k < windows.size(); ++k) {
        const std::string at = "windows[" + std::to_string(k) + "]";
        window_counts w;
        w.start = r.real(r.field(windows[k], "start", at), at + ".start");
        w.end = r.real(r.field(windows[k], "end", at), at + ".end");
        w.rows = r.index(r.field(windows[k], "rows", at), at + ".rows", c.rows);
        const json& columns = r.array(r.field(windows[k], "columns", at), at + ".columns", max_bins);
        for (std::size_t j = 0; j < columns.size(); ++j) {
            const std::string cat = at + ".columns[" + std::to_string(j) + "]";
            w.columns.emplace_back();
            read_counts(r, columns[j], cat, columns[j].contains("finite"), 0, w.columns.back());
        }
        if (k > 0 && !(w.start > c.windows.back().start)) r.fail(at + ".start", "windows must come in order");
        c.windows.push_back(std::move(w));
    }
    return c;
}

std::string samples_text(const std::vector<column_sample>& samples) {
    json columns = json::array();
    for (const column_sample& s : samples) {
        columns.push_back({{"name", s.name},
                           {"type", name(s.type)},
                           {"declared", s.declared},
                           {"sample", s.sample},
                           {"values", s.values},
                           {"min", number(s.min)},
                           {"max", number(s.max)},
                           {"categories", s.categories}});
    }
    return json{{"format", "kldiv-drift-samples"}, {"columns", columns}}.dump(
        -1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

std::vector<column_sample> parse_samples(std::string_view text, const std::string& source) {
    const reader r(source);
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("format", json()) != "kldiv-drift-samples") {
        r.fail("the whole text", "is not the JSON of samples_text");
    }
    std::vector<column_sample> out;
    const json& columns = r.array(r.field(doc, "columns", "the samples"), "columns", max_bins);
    for (std::size_t j = 0; j < columns.size(); ++j) {
        const std::string at = "columns[" + std::to_string(j) + "]";
        const json& c = columns[j];
        column_sample s;
        s.name = r.text(r.field(c, "name", at), at + ".name");
        s.type = r.choice<io::column_type>(r.field(c, "type", at), at + ".type");
        s.declared = r.flag(r.field(c, "declared", at), at + ".declared");
        for (const char* key : {"sample", "values"}) {
            const json& values = r.array(r.field(c, key, at), at + "." + key, std::size_t{1} << 40);
            std::vector<double>& into = std::string_view(key) == "sample" ? s.sample : s.values;
            for (const json& v : values) into.push_back(r.real(v, at + "." + key));
        }
        const json& lo = r.field(c, "min", at);
        const json& hi = r.field(c, "max", at);
        s.min = lo == "inf" ? std::numeric_limits<double>::infinity() : r.real(lo, at + ".min");
        s.max = hi == "-inf" ? -std::numeric_limits<double>::infinity() : r.real(hi, at + ".max");
        for (const json& v : r.array(r.field(c, "categories", at), at + ".categories", max_bins)) {
            s.categories.push_back(r.text(v, at + ".categories"));
        }
        out.push_back(std::move(s));
    }
    return out;
}

void save_profile(const profile& p, const std::filesystem::path& path) {
    io::write_file_atomically(path, profile_text(p));
}

profile load_profile(const std::filesystem::path& path) {
    io::detail::input_file file = io::detail::open_input_file(path, function, max_profile_bytes);
    if (file.size > max_profile_bytes) {
        throw error(function, file.name + ": " + std::to_string(file.size) + " bytes, but a profile is at most 1 GiB");
    }
    std::string text(static_cast<std::size_t>(file.size), '\0');
    io::detail::read_exact(file, text.data(), file.size, function, "the profile");
    return parse_profile(text, file.name);
}

bool is_profile_file(const std::filesystem::path& path) {
    try {
        io::detail::input_file file = io::detail::open_input_file(path, function, max_profile_bytes);
        std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(file.size, 1024)), '\0');
        io::detail::read_exact(file, head.data(), head.size(), function, "the start");
        const std::size_t first = head.find_first_not_of(" \t\r\n");
        return first != std::string::npos && head[first] == '{' && head.find(format_name) != std::string::npos;
    } catch (const error&) {
        return false;
    }
}

}  // namespace kldiv::drift
