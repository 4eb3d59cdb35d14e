// Distribution specs: the family table (names, aliases, parameters), binding a parsed call to a
// family's parameters, and printing a distribution back as its canonical spec.

#include "kldiv/distributions/spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <type_traits>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/distributions/spec_syntax.hpp"

namespace kldiv::distributions {
namespace {

using detail::call;
using detail::value;

// A call's arguments, bound to the parameter names of one family.
class arguments {
public:
    arguments(const call& c, const family_info& f) : family_(f.name) {
        if (c.positional.size() > f.parameters.size())
            throw error(family_, "takes at most " + std::to_string(f.parameters.size()) + " positional parameters (" +
                                     names(f) + "), but " + std::to_string(c.positional.size()) + " were given");
        for (std::size_t i = 0; i < c.positional.size(); ++i) bind(f.parameters[i].name, c.positional[i]);
        for (const auto& named : c.named) {
            const std::string& name = named.first;  // not a structured binding: clang 14 cannot capture one
            const value& v = named.second;
            const auto known = [&](std::string_view n) { return n == name; };
            const bool is_parameter = std::any_of(f.parameters.begin(), f.parameters.end(),
                                                  [&](const parameter_info& p) { return known(p.name); });
            if (!is_parameter && std::none_of(f.alternatives.begin(), f.alternatives.end(), known))
                throw error(family_, "has no parameter '" + name + "'; its parameters are " + names(f));
            bind(name, v);
        }
        for (const auto& p : f.parameters)
            if (!p.default_value.empty() && !has(p.name)) {
                double d = 0.0;
                std::from_chars(p.default_value.data(), p.default_value.data() + p.default_value.size(), d);
                bound_.push_back({std::string(p.name), value{d, 0}});
            }
    }

    bool has(std::string_view name) const { return find(name) != nullptr; }

    double scalar(std::string_view name) const { return as_scalar(name, get(name)); }

    std::uint64_t count(std::string_view name) const {
        const double x = scalar(name);
        if (!(x >= 0.0) || x != std::floor(x))
            throw error(family_,
                        std::string(name) + " = " + kldiv::detail::to_text(x) + ", but it must be a whole number >= 0");
        if (x > 9007199254740992.0)  // binomial(1e18, 0.5) said "must be a whole number", which it is
            throw error(family_,
                        std::string(name) + " = " + kldiv::detail::to_text(x) +
                            ", but it must be at most 2^53 = 9007199254740992, where doubles still count by ones");
        return static_cast<std::uint64_t>(x);
    }

    std::vector<double> vector(std::string_view name) const { return as_vector(name, get(name)); }

    matrix matrix_value(std::string_view name) const {
        const auto* rows = std::get_if<detail::list>(&get(name).content);
        if (rows == nullptr || rows->empty())
            throw error(family_, std::string(name) + " must be a matrix, written as a list of rows [[…], …]");
        matrix m;
        m.rows = rows->size();
        for (const value& row : *rows) {
            const auto r = as_vector(name, row);
            if (m.cols == 0) m.cols = r.size();
            if (r.size() != m.cols)
                throw error(family_, std::string(name) + " has rows of " + std::to_string(m.cols) + " and " +
                                         std::to_string(r.size()) + " values, but all rows must have the same length");
            m.values.insert(m.values.end(), r.begin(), r.end());
        }
        return m;
    }

    const detail::list& components(std::string_view name) const {
        const auto* items = std::get_if<detail::list>(&get(name).content);
        if (items == nullptr) throw error(family_, std::string(name) + " must be a list of distributions");
        return *items;
    }

    // Exactly one of the names must be given; returns its index.
    std::size_t one_of(std::initializer_list<std::string_view> names) const {
        std::size_t found = names.size(), given = 0, i = 0;
        std::string all;
        for (std::string_view n : names) {
            if (has(n)) {
                found = i;
                ++given;
            }
            all += (i++ == 0 ? "" : i == names.size() ? " or " : ", ") + std::string(n);
        }
        if (given != 1) throw error(family_, "give exactly one of " + all);
        return found;
    }

private:
    std::string family_;
    struct binding {
        std::string name;
        value v;
    };
    std::vector<binding> bound_;

    static std::string names(const family_info& f) {
        std::string out;
        for (const auto& p : f.parameters) out += (out.empty() ? "" : ", ") + std::string(p.name);
        for (const auto& a : f.alternatives) out += (out.empty() ? "" : ", ") + std::string(a) + "=";
        return out.empty() ? "none" : out;
    }

    void bind(std::string_view name, const value& v) {
        if (has(name)) throw error(family_, std::string(name) + " is given twice");
        bound_.push_back({std::string(name), v});
    }

    const value* find(std::string_view name) const {
        for (const auto& b : bound_)
            if (b.name == name) return &b.v;
        return nullptr;
    }

    const value& get(std::string_view name) const {
        if (const value* v = find(name)) return *v;
        throw error(family_, "the parameter " + std::string(name) + " is missing");
    }

    double as_scalar(std::string_view name, const value& v) const {
        if (const auto* x = std::get_if<double>(&v.content)) return *x;
        throw error(family_, std::string(name) + " must be a number");
    }

    std::vector<double> as_vector(std::string_view name, const value& v) const {
        const auto* items = std::get_if<detail::list>(&v.content);
        if (items == nullptr) throw error(family_, std::string(name) + " must be a list of numbers [a, b, …]");
        std::vector<double> out;
        for (const value& item : *items) out.push_back(as_scalar(name, item));
        return out;
    }
};

double sigmoid(double logit) {
    return logit >= 0 ? 1.0 / (1.0 + std::exp(-logit)) : std::exp(logit) / (1.0 + std::exp(logit));
}

std::vector<double> softmax(std::vector<double> logits) {
    const double top = *std::max_element(logits.begin(), logits.end());
    for (double& l : logits) l = std::exp(l - top);
    return logits;  // the families normalize
}

// probs, or probs from logits=.
double probability(const arguments& a) {
    return a.one_of({"probs", "logits"}) == 0 ? a.scalar("probs") : sigmoid(a.scalar("logits"));
}

std::vector<double> probabilities(const arguments& a) {
    return a.one_of({"probs", "logits"}) == 0 ? a.vector("probs") : softmax(a.vector("logits"));
}

multivariate_normal gaussian(const arguments& a) {
    switch (a.one_of({"covariance_matrix", "precision_matrix", "scale_tril"})) {
        case 0:
            return multivariate_normal::from_covariance(a.vector("loc"), a.matrix_value("covariance_matrix"));
        case 1:
            return multivariate_normal::from_precision(a.vector("loc"), a.matrix_value("precision_matrix"));
        default:
            return multivariate_normal::from_scale_tril(a.vector("loc"), a.matrix_value("scale_tril"));
    }
}

wishart wishart_of(const arguments& a) {
    switch (a.one_of({"covariance_matrix", "precision_matrix", "scale_tril"})) {
        case 0:
            return wishart::from_covariance(a.scalar("df"), a.matrix_value("covariance_matrix"));
        case 1:
            return wishart::from_precision(a.scalar("df"), a.matrix_value("precision_matrix"));
        default:
            return wishart::from_scale_tril(a.scalar("df"), a.matrix_value("scale_tril"));
    }
}

distribution build(const call& c);

distribution mixture_of(const arguments& a) {
    const auto weights = a.vector("weights");
    std::vector<distribution> parts;
    for (const value& v : a.components("components")) {
        const auto* c = std::get_if<std::shared_ptr<call>>(&v.content);
        if (c == nullptr) throw error("mixture", "components must be a list of distributions such as normal(0, 1)");
        parts.push_back(build(**c));
    }
    if (parts.empty()) throw error("mixture", "components is empty");
    std::vector<univariate> univariates;
    std::vector<multivariate_normal> gaussians;
    for (const distribution& d : parts) {
        std::visit(
            [&](const auto& x) {
                using T = std::remove_cvref_t<decltype(x)>;
                if constexpr (std::is_same_v<T, multivariate_normal>)
                    gaussians.push_back(x);
                else if constexpr (std::is_same_v<T, diagonal_normal> || std::is_same_v<T, lowrank_multivariate_normal>)
                    gaussians.push_back(multivariate_normal::from_covariance(x.loc, x.covariance()));
                else if constexpr (std::is_constructible_v<univariate, T> && !std::is_same_v<T, univariate>)
                    univariates.push_back(x);
                else
                    throw error("mixture", "a component is " + std::string(T::name) +
                                               ", but components must be univariate or multivariate normal");
            },
            d);
    }
    if (!univariates.empty() && !gaussians.empty())
        throw error("mixture", "components mix univariate and multivariate distributions");
    if (!gaussians.empty()) return gaussian_mixture(weights, std::move(gaussians));
    return mixture(weights, std::move(univariates));
}

distribution independent_of(const arguments& a) {
    std::vector<distribution> parts;
    for (const value& v : a.components("components")) {
        const auto* c = std::get_if<std::shared_ptr<call>>(&v.content);
        if (c == nullptr)
            throw error("independent",
                        "components must be a list of distributions such as [normal(0, 1), gamma(2, 3)]");
        parts.push_back(build(**c));
    }
    return independent(std::move(parts));
}

struct family_entry {
    family_info info;
    std::function<distribution(const arguments&)> make;
};

const std::vector<family_entry>& table() {
    static const std::vector<family_entry> entries = {
        {{"bernoulli", {}, {{"probs", "in [0, 1]", ""}}, {"logits"}, "{0, 1}"},
         [](const arguments& a) { return bernoulli(probability(a)); }},
        {{"binomial",
          {},
          {{"total_count", "whole number >= 0", ""}, {"probs", "in [0, 1]", ""}},
          {"logits"},
          "{0, ..., total_count}"},
         [](const arguments& a) { return binomial(a.count("total_count"), probability(a)); }},
        {{"categorical", {}, {{"probs", "list of >= 0 (normalized)", ""}}, {"logits"}, "{0, ..., K-1}"},
         [](const arguments& a) { return categorical(probabilities(a)); }},
        {{"geometric", {}, {{"probs", "in (0, 1]", ""}}, {"logits"}, "{0, 1, ...} (failures before the first success)"},
         [](const arguments& a) { return geometric(probability(a)); }},
        {{"poisson", {}, {{"rate", "> 0", ""}}, {}, "{0, 1, ...}"},
         [](const arguments& a) { return poisson(a.scalar("rate")); }},
        {{"negative_binomial",
          {"negbinomial", "negbin", "nbinom"},
          {{"total_count", "> 0", ""}, {"probs", "in [0, 1)", ""}},
          {"logits"},
          "{0, 1, ...} (successes before total_count failures)"},
         [](const arguments& a) { return negative_binomial(a.scalar("total_count"), probability(a)); }},
        {{"multinomial",
          {},
          {{"total_count", "whole number >= 0", ""}, {"probs", "list of >= 0 (normalized)", ""}},
          {"logits"},
          "count vectors summing to total_count"},
         [](const arguments& a) { return multinomial(a.count("total_count"), probabilities(a)); }},
        {{"normal", {"gaussian"}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return normal(a.scalar("loc"), a.scalar("scale")); }},
        {{"half_normal", {}, {{"scale", "> 0", ""}}, {}, "[0, inf)"},
         [](const arguments& a) { return half_normal(a.scalar("scale")); }},
        {{"half_cauchy", {}, {{"scale", "> 0", ""}}, {}, "[0, inf)"},
         [](const arguments& a) { return half_cauchy(a.scalar("scale")); }},
        {{"log_normal", {}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(0, inf)"},
         [](const arguments& a) { return log_normal(a.scalar("loc"), a.scalar("scale")); }},
        {{"laplace", {}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return laplace(a.scalar("loc"), a.scalar("scale")); }},
        {{"cauchy", {}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return cauchy(a.scalar("loc"), a.scalar("scale")); }},
        {{"gumbel", {}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return gumbel(a.scalar("loc"), a.scalar("scale")); }},
        {{"logistic", {}, {{"loc", "finite", ""}, {"scale", "> 0", ""}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return logistic(a.scalar("loc"), a.scalar("scale")); }},
        {{"exponential", {}, {{"rate", "> 0", ""}}, {}, "[0, inf)"},
         [](const arguments& a) { return exponential(a.scalar("rate")); }},
        {{"gamma", {}, {{"concentration", "> 0", ""}, {"rate", "> 0", ""}}, {}, "(0, inf)"},
         [](const arguments& a) { return gamma(a.scalar("concentration"), a.scalar("rate")); }},
        {{"inverse_gamma", {"invgamma"}, {{"concentration", "> 0", ""}, {"rate", "> 0", ""}}, {}, "(0, inf)"},
         [](const arguments& a) { return inverse_gamma(a.scalar("concentration"), a.scalar("rate")); }},
        {{"chi2", {"chisquared", "chisquare"}, {{"df", "> 0", ""}}, {}, "(0, inf)"},
         [](const arguments& a) { return chi2(a.scalar("df")); }},
        {{"beta", {}, {{"concentration1", "> 0", ""}, {"concentration0", "> 0", ""}}, {}, "[0, 1]"},
         [](const arguments& a) { return beta(a.scalar("concentration1"), a.scalar("concentration0")); }},
        {{"continuous_bernoulli", {"cb"}, {{"probs", "in (0, 1)", ""}}, {"logits"}, "[0, 1]"},
         [](const arguments& a) { return continuous_bernoulli(probability(a)); }},
        {{"uniform", {}, {{"low", "finite", ""}, {"high", "> low", ""}}, {}, "[low, high]"},
         [](const arguments& a) { return uniform(a.scalar("low"), a.scalar("high")); }},
        {{"pareto", {}, {{"scale", "> 0", ""}, {"alpha", "> 0", ""}}, {}, "[scale, inf)"},
         [](const arguments& a) { return pareto(a.scalar("scale"), a.scalar("alpha")); }},
        {{"weibull", {}, {{"scale", "> 0", ""}, {"concentration", "> 0", ""}}, {}, "[0, inf)"},
         [](const arguments& a) { return weibull(a.scalar("scale"), a.scalar("concentration")); }},
        {{"student_t", {"t"}, {{"df", "> 0", ""}, {"loc", "finite", "0"}, {"scale", "> 0", "1"}}, {}, "(-inf, inf)"},
         [](const arguments& a) { return student_t(a.scalar("df"), a.scalar("loc"), a.scalar("scale")); }},
        {{"von_mises",
          {},
          {{"loc", "finite", ""}, {"concentration", ">= 0", ""}},
          {},
          "the circle [loc - pi, loc + pi)"},
         [](const arguments& a) { return von_mises(a.scalar("loc"), a.scalar("concentration")); }},
        {{"dirichlet", {}, {{"concentration", "list of > 0, K >= 2", ""}}, {}, "the simplex"},
         [](const arguments& a) { return dirichlet(a.vector("concentration")); }},
        {{"multivariate_normal",
          {"mvnormal", "mvn"},
          {{"loc", "list of finite", ""}, {"covariance_matrix", "positive definite", ""}},
          {"precision_matrix", "scale_tril"},
          "R^d"},
         [](const arguments& a) { return gaussian(a); }},
        {{"lowrank_multivariate_normal",
          {"lowrank_mvn", "lowrank_mvnormal"},
          {{"loc", "list of finite", ""}, {"cov_factor", "d x r matrix", ""}, {"cov_diag", "list of > 0", ""}},
          {},
          "R^d"},
         [](const arguments& a) {
             return lowrank_multivariate_normal(a.vector("loc"), a.matrix_value("cov_factor"), a.vector("cov_diag"));
         }},
        {{"diagonal_normal",
          {"diagnormal", "diag_mvn", "independent_normal"},
          {{"loc", "list of finite", ""}, {"scale", "list of > 0", ""}},
          {},
          "R^d"},
         [](const arguments& a) { return diagonal_normal(a.vector("loc"), a.vector("scale")); }},
        {{"logistic_normal",
          {},
          {{"loc", "list of finite", ""}, {"scale", "list of > 0", ""}},
          {},
          "the simplex of len(loc) + 1 components"},
         [](const arguments& a) { return logistic_normal(a.vector("loc"), a.vector("scale")); }},
        {{"wishart",
          {},
          {{"df", "> d - 1", ""}, {"covariance_matrix", "positive definite", ""}},
          {"precision_matrix", "scale_tril"},
          "positive-definite d x d matrices"},
         [](const arguments& a) { return wishart_of(a); }},
        {{"mixture",
          {"mixture_same_family"},
          {{"weights", "list of >= 0 (normalized)", ""},
           {"components", "list of univariate or of multivariate normal specs", ""}},
          {},
          "the components' supports"},
         [](const arguments& a) { return mixture_of(a); }},
        {{"independent",
          {"product"},
          {{"components", "list of specs (any families)", ""}},
          {},
          "the product of the components' supports"},
         [](const arguments& a) { return independent_of(a); }},
    };
    return entries;
}

// Lower case without underscores: "Student_T" → "studentt".
std::string folded(std::string_view name) {
    std::string out;
    for (char ch : name)
        if (ch != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

const family_entry& lookup(const call& c) {
    const std::string key = folded(c.name);
    for (const auto& e : table()) {
        if (folded(e.info.name) == key) return e;
        for (std::string_view alias : e.info.aliases)
            if (folded(alias) == key) return e;
    }
    throw error("parse", "unknown family '" + c.name + "'; `kldiv dist --list` lists them");
}

distribution build(const call& c) {
    const family_entry& e = lookup(c);
    return e.make(arguments(c, e.info));
}

// Spec printing.
std::string number(double x) { return kldiv::detail::to_text(x); }

std::string numbers(const std::vector<double>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + number(v[i]);
    return out + "]";
}

std::string rows(const matrix& m) {
    std::string out = "[";
    for (std::size_t i = 0; i < m.rows; ++i)
        out += (i ? ", " : "") +
               numbers(std::vector<double>(m.values.begin() + static_cast<std::ptrdiff_t>(i * m.cols),
                                           m.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.cols)));
    return out + "]";
}

template <class... T>
std::string written(std::string_view name, const T&... parts) {
    std::string out = std::string(name) + "(";
    std::size_t i = 0;
    ((out += (i++ ? ", " : "") + parts), ...);
    return out + ")";
}

struct printer {
    std::string operator()(const bernoulli& d) const { return written(d.name, number(d.probs)); }
    std::string operator()(const binomial& d) const {
        return written(d.name, std::to_string(d.total_count), number(d.probs));
    }
    std::string operator()(const categorical& d) const { return written(d.name, numbers(d.probs)); }
    std::string operator()(const geometric& d) const { return written(d.name, number(d.probs)); }
    std::string operator()(const poisson& d) const { return written(d.name, number(d.rate)); }
    std::string operator()(const negative_binomial& d) const {
        return written(d.name, number(d.total_count), number(d.probs));
    }
    std::string operator()(const multinomial& d) const {
        return written(d.name, std::to_string(d.total_count), numbers(d.probs));
    }
    template <class T>
    requires requires(const T& d) { d.loc + d.scale; }
    std::string operator()(const T& d) const {
        if constexpr (std::is_same_v<T, student_t>)
            return written(d.name, number(d.df), number(d.loc), number(d.scale));
        else
            return written(d.name, number(d.loc), number(d.scale));
    }
    std::string operator()(const half_normal& d) const { return written(d.name, number(d.scale)); }
    std::string operator()(const half_cauchy& d) const { return written(d.name, number(d.scale)); }
    std::string operator()(const logistic_normal& d) const { return written(d.name, numbers(d.loc), numbers(d.scale)); }
    std::string operator()(const independent& d) const {
        std::string parts = "[";
        for (std::size_t k = 0; k < d.components.size(); ++k)
            parts += (k ? ", " : "") + std::visit(*this, d.components[k]);
        return written(d.name, parts + "]");
    }
    std::string operator()(const exponential& d) const { return written(d.name, number(d.rate)); }
    std::string operator()(const gamma& d) const { return written(d.name, number(d.concentration), number(d.rate)); }
    std::string operator()(const inverse_gamma& d) const {
        return written(d.name, number(d.concentration), number(d.rate));
    }
    std::string operator()(const chi2& d) const { return written(d.name, number(d.df)); }
    std::string operator()(const beta& d) const {
        return written(d.name, number(d.concentration1), number(d.concentration0));
    }
    std::string operator()(const continuous_bernoulli& d) const { return written(d.name, number(d.probs)); }
    std::string operator()(const uniform& d) const { return written(d.name, number(d.low), number(d.high)); }
    std::string operator()(const pareto& d) const { return written(d.name, number(d.scale), number(d.alpha)); }
    std::string operator()(const weibull& d) const { return written(d.name, number(d.scale), number(d.concentration)); }
    std::string operator()(const von_mises& d) const { return written(d.name, number(d.loc), number(d.concentration)); }
    std::string operator()(const dirichlet& d) const { return written(d.name, numbers(d.concentration)); }
    std::string operator()(const multivariate_normal& d) const {
        return written(d.name, numbers(d.loc), "scale_tril=" + rows(d.scale_tril));
    }
    std::string operator()(const lowrank_multivariate_normal& d) const {
        return written(d.name, numbers(d.loc), rows(d.cov_factor), numbers(d.cov_diag));
    }
    std::string operator()(const diagonal_normal& d) const { return written(d.name, numbers(d.loc), numbers(d.scale)); }
    std::string operator()(const wishart& d) const {
        return written(d.name, number(d.df), "scale_tril=" + rows(d.scale_tril));
    }
    std::string component(const univariate& u) const { return std::visit(*this, u); }
    std::string component(const multivariate_normal& m) const { return (*this)(m); }
    template <class M>
    requires std::is_same_v<M, mixture> || std::is_same_v<M, gaussian_mixture> std::string operator()(
        const M& d) const {
        std::string parts = "[";
        for (std::size_t k = 0; k < d.components.size(); ++k) parts += (k ? ", " : "") + component(d.components[k]);
        return written(mixture::name, numbers(d.weights), parts + "]");
    }
};

}  // namespace

distribution parse(std::string_view spec) { return build(detail::parse_call(spec)); }

std::string to_spec(const distribution& d) { return std::visit(printer{}, d); }

const std::vector<family_info>& families() {
    static const std::vector<family_info> infos = [] {
        std::vector<family_info> out;
        for (const auto& e : table()) out.push_back(e.info);
        return out;
    }();
    return infos;
}

}  // namespace kldiv::distributions
