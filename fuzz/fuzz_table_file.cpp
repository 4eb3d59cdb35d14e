// Tables for `kldiv drift` (read_table): CSV/TSV text and .npy arrays. Every table read must be
// well formed (one value or code per row in every column, codes within the categories, distinct
// names and categories), and reading the file again with its own schema must give the same table;
// declaring the first column categorical and the last numeric may be refused, never crash.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/table_file.hpp"

using namespace kldiv;

namespace {

void check_well_formed(const io::table& t) {
    std::set<std::string> names;
    for (const io::table_column& c : t.columns) {
        if (c.name.empty() || !names.insert(c.name).second) std::abort();
        if (c.type == io::column_type::numeric) {
            if (c.numbers.size() != t.rows || !c.codes.empty() || !c.categories.empty()) std::abort();
            continue;
        }
        if (c.codes.size() != t.rows || !c.numbers.empty()) std::abort();
        if (c.type == io::column_type::boolean && c.categories != std::vector<std::string>{"false", "true"}) {
            std::abort();
        }
        if (std::set<std::string>(c.categories.begin(), c.categories.end()).size() != c.categories.size()) {
            std::abort();
        }
        for (std::uint32_t code : c.codes) {
            if (code != io::missing_code && code >= c.categories.size()) std::abort();
        }
    }
}

bool same_values(const io::table& a, const io::table& b) {
    if (a.rows != b.rows || a.columns.size() != b.columns.size()) return false;
    for (std::size_t j = 0; j < a.columns.size(); ++j) {
        const io::table_column &x = a.columns[j], &y = b.columns[j];
        if (x.name != y.name || x.type != y.type || x.codes != y.codes || x.categories != y.categories) return false;
        if (x.numbers.size() != y.numbers.size()) return false;
        for (std::size_t i = 0; i < x.numbers.size(); ++i) {
            if (!(x.numbers[i] == y.numbers[i] || (std::isnan(x.numbers[i]) && std::isnan(y.numbers[i])))) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.csv");
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] {
        const io::table t = io::read_table(path);
        check_well_formed(t);
        const std::vector<io::column_schema> schema = io::schema_of(t);
        io::table_options like;
        like.like = schema;
        const io::table again = io::read_table(path, like);
        if (!same_values(t, again)) std::abort();
        for (const io::table_column& c : again.columns) {
            if (!c.declared) std::abort();
        }
        if (t.columns.empty()) std::abort();
        io::table_options declared;
        declared.categorical = {t.columns.front().name};
        if (t.columns.size() > 1) declared.numeric = {t.columns.back().name};
        fuzz::refusals_allowed([&] { check_well_formed(io::read_table(path, declared)); });
    });
    return 0;
}
