// Tests of the names of users' choices (kldiv/names.hpp): every enum's table names each value
// once and first, its aliases lead to the right value, '-' and '_' are one letter, and a wrong
// name is refused with a message that lists the names, as every front end shows them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/losses.hpp"
#include "kldiv/names.hpp"
#include "kldiv/options.hpp"

namespace {

namespace kd = kldiv::distributions;
namespace ke = kldiv::estimate;
using testing::HasSubstr;

// The table of E is exactly `names` (in order, each value once) followed by `aliases`; each name
// and alias finds its value in both spellings, and nothing else is found.
template <class E>
void expect_table(const std::vector<std::pair<E, std::string>>& names,
                  const std::vector<std::pair<E, std::string>>& aliases, const std::string& listing_with_hyphens) {
    const auto table = names_of(E{});
    ASSERT_EQ(table.size(), names.size() + aliases.size());
    std::set<std::string> seen;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& [value, text] = i < names.size() ? names[i] : aliases[i - names.size()];
        EXPECT_EQ(table[i].value, value) << text;
        EXPECT_EQ(table[i].name, text);
        EXPECT_TRUE(seen.insert(text).second) << text << " is in the table twice";
        std::string hyphens = text;
        for (char& c : hyphens) c = c == '_' ? '-' : c;
        EXPECT_EQ(kldiv::find<E>(text), value) << text;
        EXPECT_EQ(kldiv::find<E>(hyphens), value) << hyphens;
        EXPECT_EQ(kldiv::parse<E>(hyphens, "--x", "f"), value);
        if (i < names.size()) {
            EXPECT_EQ(kldiv::name(value), text);
            EXPECT_EQ(kldiv::name(value, '-'), hyphens);
        }
    }
    EXPECT_EQ(kldiv::listing<E>('-'), listing_with_hyphens);
    for (const char* wrong : {"", " ", "x", "Logits", "probs ", "-", "_", "\xff"}) {
        EXPECT_FALSE(kldiv::find<E>(wrong).has_value()) << wrong;
    }
    try {
        kldiv::parse<E>("nonesuch", "--option", "kldiv thing", '-');
        ADD_FAILURE() << "'nonesuch' was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "kldiv thing");
        EXPECT_EQ(std::string(e.what()), "kldiv thing: --option = 'nonesuch', but it must be " + listing_with_hyphens);
    }
}

TEST(Names, ZeroSupport) {
    using z = kldiv::zero_support;
    expect_table<z>({{z::infinity, "infinity"}, {z::error, "error"}, {z::smooth, "smooth"}},
                    {{z::infinity, "inf"}, {z::error, "raise"}}, "infinity, error or smooth");
}

TEST(Names, InputKindReductionDivergenceKind) {
    using i = kldiv::input_kind;
    expect_table<i>({{i::probs, "probs"}, {i::log_probs, "log_probs"}, {i::logits, "logits"}}, {},
                    "probs, log-probs or logits");
    using r = kldiv::reduction;
    expect_table<r>({{r::none, "none"}, {r::sum, "sum"}, {r::mean, "mean"}}, {}, "none, sum or mean");
    using d = kldiv::divergence_kind;
    expect_table<d>({{d::forward_kl, "forward_kl"}, {d::reverse_kl, "reverse_kl"}, {d::js, "js"}},
                    {{d::forward_kl, "kl"}}, "forward-kl, reverse-kl or js");
}

TEST(Names, DistributionMethods) {
    using m = kd::method_choice;
    expect_table<m>({{m::automatic, "automatic"},
                     {m::closed_form, "closed_form"},
                     {m::numerical, "numerical"},
                     {m::monte_carlo, "monte_carlo"}},
                    {{m::automatic, "auto"}, {m::closed_form, "closed"}},
                    "automatic, closed-form, numerical or monte-carlo");
    using k = kd::kl_method;
    expect_table<k>({{k::closed_form, "closed_form"},
                     {k::infinite_by_support, "infinite_by_support"},
                     {k::quadrature, "quadrature"},
                     {k::summation, "summation"},
                     {k::monte_carlo, "monte_carlo"}},
                    {}, "closed-form, infinite-by-support, quadrature, summation or monte-carlo");
}

TEST(Names, EstimatorChoices) {
    using c = ke::count_estimator;
    expect_table<c>({{c::plug_in, "plug_in"},
                     {c::miller_madow, "miller_madow"},
                     {c::laplace, "laplace"},
                     {c::jeffreys, "jeffreys"},
                     {c::perks, "perks"},
                     {c::minimax, "minimax"},
                     {c::james_stein, "james_stein"}},
                    {}, "plug-in, miller-madow, laplace, jeffreys, perks, minimax or james-stein");
    using b = ke::binning;
    expect_table<b>({{b::freedman_diaconis, "freedman_diaconis"},
                     {b::fixed, "fixed"},
                     {b::scott, "scott"},
                     {b::sturges, "sturges"},
                     {b::quantile, "quantile"}},
                    {{b::freedman_diaconis, "fd"}}, "freedman-diaconis, fixed, scott, sturges or quantile");
    using q = ke::quantity;
    expect_table<q>({{q::kl_divergence, "kl_divergence"}, {q::cross_entropy, "cross_entropy"}, {q::entropy, "entropy"}},
                    {{q::kl_divergence, "kl"}}, "kl-divergence, cross-entropy or entropy");
    using s = ke::estimator;
    expect_table<s>({{s::knn, "knn"}, {s::histogram, "histogram"}, {s::counts, "counts"}}, {{s::histogram, "hist"}},
                    "knn, histogram or counts");
    using k = ke::knn_method;
    expect_table<k>({{k::wang_kulkarni_verdu, "wang_kulkarni_verdu"}, {k::perez_cruz, "perez_cruz"}},
                    {{k::wang_kulkarni_verdu, "wkv"}}, "wang-kulkarni-verdu or perez-cruz");
    using i = ke::interval_method;
    expect_table<i>({{i::percentile, "percentile"}, {i::bca, "bca"}}, {}, "percentile or bca");
}

TEST(Names, ReferenceEncoding) {
    using e = kldiv::io::reference_encoding;
    expect_table<e>({{e::q16, "q16"}, {e::float16, "float16"}, {e::float32, "float32"}}, {}, "q16, float16 or float32");
    EXPECT_EQ(kldiv::name(static_cast<e>(7)), "unknown");  // a value read from a file is not trusted
}

TEST(Names, TheDefaultSeparatorIsTheIdentifiers) {
    EXPECT_EQ(kldiv::listing<kd::method_choice>(), "automatic, closed_form, numerical or monte_carlo");
    EXPECT_THAT(kldiv::listing<ke::interval_method>(), testing::Not(HasSubstr(",")));  // two: "a or b"
}

}  // namespace
