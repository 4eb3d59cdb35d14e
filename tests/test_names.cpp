// Tests of the names of users' choices (kldiv/names.hpp): every enum's table names each value
// once and first, its aliases lead to the right value, '-' and '_' are one letter, a wrong name is
// refused with a message that lists the names, as every front end shows them, and README.md's
// table of names documents exactly the library's.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/drift/drift.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/estimate/mutual_information.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/losses.hpp"
#include "kldiv/names.hpp"
#include "kldiv/options.hpp"

namespace {

namespace kd = kldiv::distributions;
namespace ke = kldiv::estimate;
using testing::HasSubstr;

// The README's table of names ("One name for each choice"): for each C++ enum (its cell, as
// `drift::measure` or `measure`), the names (default first) and the aliases, each the backquoted words of its cell
// outside parentheses.
struct documented_names {
    std::vector<std::string> names, aliases;
};

std::vector<std::string> quoted_words(const std::string& cell) {
    std::vector<std::string> out;
    std::string text;  // the cell without its parenthesized remarks
    int depth = 0;
    for (const char c : cell) {
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (depth == 0 && c != ')') text += c;
    }
    for (std::size_t at = text.find('`'); at != std::string::npos; at = text.find('`', at)) {
        const std::size_t end = text.find('`', at + 1);
        if (end == std::string::npos) break;  // an unbalanced backquote ends the cell
        out.push_back(text.substr(at + 1, end - at - 1));
        at = end + 1;
    }
    return out;
}

std::map<std::string, documented_names> readme_table() {
    std::ifstream in(std::string(KLDIV_TEST_DATA) + "/../../README.md");
    std::map<std::string, documented_names> out;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("### ")) inside = line == "### One name for each choice";
        if (!inside || !line.starts_with("| ") || line.starts_with("| choice") || line.starts_with("|---")) continue;
        std::vector<std::string> cells;
        std::stringstream row(line.substr(1));
        for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
        if (cells.size() < 6) continue;
        const std::vector<std::string> type = quoted_words(cells[1]);
        if (type.empty()) continue;
        EXPECT_FALSE(out.contains(type[0])) << type[0] << " is in README.md's table twice";
        out[type[0]] = {quoted_words(cells[4]), quoted_words(cells[5])};
    }
    return out;
}

// E's table names each value once, names before aliases; every name and alias finds its value in
// both spellings, and nothing else is found; a wrong name is refused with the listing of the
// names; and the names and aliases are the ones the README's table documents for `documented`.
template <class E>
void expect_table(const std::string& documented) {
    const auto table = names_of(E{});
    std::vector<std::string> names, aliases, hyphenated;
    std::set<std::string> seen;
    std::vector<E> named;
    for (const kldiv::named<E>& entry : table) {
        const std::string text(entry.name);
        EXPECT_TRUE(seen.insert(text).second) << text << " is in the table twice";
        std::string hyphens = text;
        for (char& c : hyphens) c = c == '_' ? '-' : c;
        EXPECT_EQ(kldiv::find<E>(text), entry.value) << text;
        EXPECT_EQ(kldiv::find<E>(hyphens), entry.value) << hyphens;
        EXPECT_EQ(kldiv::parse<E>(hyphens, "--x", "f"), entry.value);
        if (std::find(named.begin(), named.end(), entry.value) == named.end()) {
            EXPECT_TRUE(aliases.empty()) << text << ": a value's own name comes before every alias";
            named.push_back(entry.value);
            names.push_back(text);
            hyphenated.push_back(hyphens);
            EXPECT_EQ(kldiv::name(entry.value), text);
            EXPECT_EQ(kldiv::name(entry.value, '-'), hyphens);
        } else {
            aliases.push_back(text);
        }
    }
    std::string listing = hyphenated[0];
    for (std::size_t i = 1; i < hyphenated.size(); ++i)
        listing += (i + 1 == hyphenated.size() ? " or " : ", ") + hyphenated[i];
    EXPECT_EQ(kldiv::listing<E>('-'), listing);
    for (const char* wrong : {"", " ", "x", "Logits", "probs ", "-", "_", "\xff"}) {
        EXPECT_FALSE(kldiv::find<E>(wrong).has_value()) << wrong;
    }
    try {
        kldiv::parse<E>("nonesuch", "--option", "kldiv thing", '-');
        ADD_FAILURE() << "'nonesuch' was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "kldiv thing");
        EXPECT_EQ(std::string(e.what()), "kldiv thing: --option = 'nonesuch', but it must be " + listing);
    }
    const auto readme = readme_table();
    const auto row = readme.find(documented);
    ASSERT_NE(row, readme.end()) << documented << " is not in README.md's table of names";
    EXPECT_EQ(row->second.names, names) << documented << ": README.md's names";
    EXPECT_EQ(row->second.aliases, aliases) << documented << ": README.md's aliases";
}

TEST(Names, EveryTableIsConsistentAndDocumented) {
    expect_table<kldiv::zero_support>("zero_support");
    expect_table<kldiv::input_kind>("input_kind");
    expect_table<kldiv::reduction>("reduction");
    expect_table<kldiv::divergence_kind>("divergence_kind");
    expect_table<kldiv::measure>("measure");
    expect_table<kd::method_choice>("distributions::method_choice");
    expect_table<kd::kl_method>("distributions::kl_method");
    expect_table<ke::quantity>("estimate::quantity");
    expect_table<ke::estimator>("estimate::estimator");
    expect_table<ke::knn_method>("estimate::knn_method");
    expect_table<ke::ksg_method>("estimate::ksg_method");
    expect_table<ke::binning>("estimate::binning");
    expect_table<ke::count_estimator>("estimate::count_estimator");
    expect_table<ke::interval_method>("estimate::interval_method");
    expect_table<kldiv::io::reference_encoding>("io::reference_encoding");
    expect_table<kldiv::drift::measure>("drift::measure");
    expect_table<kldiv::drift::rule>("drift::rule");
    expect_table<kldiv::drift::correction>("drift::correction");
    expect_table<kldiv::drift::empty_bins>("drift::empty_bins");
    expect_table<kldiv::io::column_type>("io::column_type");
    EXPECT_EQ(readme_table().size(), 20u) << "README.md documents a choice this test does not check";
}

// Each alias of the README's table leads to the value it stands for (the table above checks that the
// aliases exist; this, where each one points).
TEST(Names, EveryAliasLeadsToItsValue) {
    EXPECT_EQ(kldiv::find<kldiv::zero_support>("inf"), kldiv::zero_support::infinity);
    EXPECT_EQ(kldiv::find<kldiv::zero_support>("raise"), kldiv::zero_support::error);
    EXPECT_EQ(kldiv::find<kldiv::divergence_kind>("kl"), kldiv::divergence_kind::forward_kl);
    EXPECT_EQ(kldiv::find<kd::method_choice>("auto"), kd::method_choice::automatic);
    EXPECT_EQ(kldiv::find<kd::method_choice>("closed"), kd::method_choice::closed_form);
    EXPECT_EQ(kldiv::find<ke::quantity>("kl"), ke::quantity::kl_divergence);
    EXPECT_EQ(kldiv::find<ke::estimator>("hist"), ke::estimator::histogram);
    EXPECT_EQ(kldiv::find<ke::knn_method>("wkv"), ke::knn_method::wang_kulkarni_verdu);
    EXPECT_EQ(kldiv::find<ke::binning>("fd"), ke::binning::freedman_diaconis);
}

TEST(Names, ASpellingOfTheCommandLine) {
    EXPECT_EQ(kldiv::find<kd::method_choice>("closed-form"), kd::method_choice::closed_form);
    EXPECT_EQ(kldiv::listing<kldiv::input_kind>('-'), "probs, log-probs or logits");
    EXPECT_EQ(kldiv::name(static_cast<kldiv::io::reference_encoding>(7)), "unknown");  // read from a file: untrusted
}

TEST(Names, TheDefaultSeparatorIsTheIdentifiers) {
    EXPECT_EQ(kldiv::listing<kd::method_choice>(), "automatic, closed_form, numerical or monte_carlo");
    EXPECT_THAT(kldiv::listing<ke::interval_method>(), testing::Not(HasSubstr(",")));  // two: "a or b"
}

}  // namespace
