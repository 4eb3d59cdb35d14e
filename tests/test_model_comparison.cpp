// compare_models (include/kldiv/llm/model_comparison.hpp): the numbers do not depend on how the
// work is cut (threads, the rows buffer, shard boundaries that differ between the two models, a
// reference file's chunks), and the summary of one candidate file compared alone (first_row,
// row_count: what a cluster task computes) equals its summary in the whole run, bit for bit.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <sys/stat.h>

#include "kldiv/error.hpp"
#include "kldiv/io/memory_rows.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/llm/model_comparison.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::llm::compare_models;
using kldiv::llm::model_comparison;
using kldiv::llm::model_comparison_options;

constexpr std::size_t vocabulary = 300, positions = 97;

// A 2-D little-endian float32 .npy file of rows [first, first + rows) of `values`.
fs::path write_npy(const fs::path& path, const std::vector<float>& values, std::size_t first, std::size_t rows) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(vocabulary) + "), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    const auto length = static_cast<std::uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(static_cast<char>(length & 0xff)).put(static_cast<char>(length >> 8));
    out << header;
    out.write(reinterpret_cast<const char*>(values.data() + first * vocabulary),
              static_cast<std::streamsize>(rows * vocabulary * sizeof(float)));
    return path;
}

class ModelComparison : public testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("kldiv_model_comparison_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
        fs::create_directories(dir_);
        std::mt19937_64 rng(11);
        std::normal_distribution<float> z;
        reference_.resize(positions * vocabulary);
        candidate_.resize(positions * vocabulary);
        for (std::size_t i = 0; i < reference_.size(); ++i) {
            reference_[i] = 2.0f * z(rng);
            candidate_[i] = reference_[i] + 0.3f * z(rng);
        }
        for (std::size_t i = 0; i < positions; ++i) tokens_.push_back(static_cast<std::int32_t>(rng() % vocabulary));
        tokens_[5] = -1;
        for (std::size_t i = 0; i < positions; ++i) mask_.push_back(i % 7 != 3);
        // Reference in three shards, candidate in two, cut at other rows.
        reference_files_ = {write_npy(dir_ / "ref-0.npy", reference_, 0, 30),
                            write_npy(dir_ / "ref-1.npy", reference_, 30, 40),
                            write_npy(dir_ / "ref-2.npy", reference_, 70, 27)};
        candidate_files_ = {write_npy(dir_ / "cand-0.npy", candidate_, 0, 52),
                            write_npy(dir_ / "cand-1.npy", candidate_, 52, 45)};
    }
    void TearDown() override { fs::remove_all(dir_); }

    model_comparison_options options(unsigned threads, std::size_t block_bytes) const {
        model_comparison_options o;
        o.rows = {.reverse_kl = true, .js = true, .threads = threads};
        o.next_tokens = tokens_;
        o.mask = mask_;
        o.block_bytes = block_bytes;
        o.keep_file_summaries = true;
        return o;
    }

    fs::path dir_;
    std::vector<float> reference_, candidate_;
    std::vector<std::int32_t> tokens_;
    std::vector<std::uint8_t> mask_;
    std::vector<fs::path> reference_files_, candidate_files_;
};

TEST_F(ModelComparison, NumbersDoNotDependOnThreadsOrBuffers) {
    const model_comparison one = compare_models(reference_files_, candidate_files_, options(1, std::size_t{256} << 20));
    ASSERT_EQ(one.files.size(), 2u);
    ASSERT_EQ(one.file_summaries.size(), 2u);
    EXPECT_EQ(one.positions, positions);
    EXPECT_EQ(one.overall.statistics().positions, positions - 14);  // the mask drops rows 3, 10, …, 94
    EXPECT_EQ(one.overall.statistics().positions_with_token, positions - 14 - 1);
    EXPECT_GT(one.overall.statistics().kl.mean.mean, 0.01);
    // 3 rows a read (a buffer of 7 rows of both models), 2 threads: many units and rounds.
    const model_comparison many = compare_models(reference_files_, candidate_files_, options(2, 7 * 8 * vocabulary));
    EXPECT_EQ(many.overall.serialize(), one.overall.serialize());
    for (std::size_t f = 0; f < 2; ++f)
        EXPECT_EQ(many.file_summaries[f].serialize(), one.file_summaries[f].serialize());
}

TEST_F(ModelComparison, RowsInMemoryGiveTheNumbersOfTheirFiles) {
    // One file per model: a model in memory is one "file" (merging several files' summaries
    // changes the last bits of sums).
    const std::vector<fs::path> reference_file = {write_npy(dir_ / "ref.npy", reference_, 0, positions)},
                                candidate_file = {write_npy(dir_ / "cand.npy", candidate_, 0, positions)};
    const model_comparison files = compare_models(reference_file, candidate_file, options(2, 7 * 8 * vocabulary));
    // The candidate as float64 and with rows padded to a longer stride; the reference as float32.
    std::vector<double> wide(positions * (vocabulary + 5), -1e300);
    for (std::size_t i = 0; i < positions; ++i)
        std::copy_n(candidate_.begin() + static_cast<std::ptrdiff_t>(i * vocabulary), vocabulary,
                    wide.begin() + static_cast<std::ptrdiff_t>(i * (vocabulary + 5)));
    for (const unsigned threads : {1u, 2u}) {
        const auto memory = kldiv::llm::compare_models(
            kldiv::io::memory_model(kldiv::matrix_view<const float>(reference_.data(), positions, vocabulary),
                                    "reference array"),
            {kldiv::io::memory_model(
                kldiv::matrix_view<const double>(wide.data(), positions, vocabulary, vocabulary + 5),
                "candidate array")},
            options(threads, 7 * 8 * vocabulary));
        ASSERT_EQ(memory.size(), 1u);
        EXPECT_EQ(memory[0].overall.serialize(), files.overall.serialize());
        EXPECT_EQ(memory[0].candidate_format, "array float64");
        ASSERT_EQ(memory[0].files.size(), 1u);
        EXPECT_EQ(memory[0].files[0].file, "candidate array");
    }
    EXPECT_THROW(kldiv::io::memory_model(kldiv::matrix_view<const float>(reference_.data(), positions, 1), "one"),
                 kldiv::error);
    EXPECT_THROW(kldiv::io::memory_model(kldiv::matrix_view<const float>(reference_.data(), 2, 10, 9), "overlap"),
                 kldiv::error);
}

TEST_F(ModelComparison, SeveralCandidatesInOnePassEqualEachAlone) {
    // A second candidate farther from the reference, cut into other shards, and the first again.
    std::mt19937_64 rng(12);
    std::normal_distribution<float> z;
    std::vector<float> far(reference_.size());
    for (std::size_t i = 0; i < far.size(); ++i) far[i] = reference_[i] + 0.8f * z(rng);
    const std::vector<fs::path> far_files = {write_npy(dir_ / "far-0.npy", far, 0, 10),
                                             write_npy(dir_ / "far-1.npy", far, 10, 87)};
    const std::vector<std::vector<fs::path>> candidates = {candidate_files_, far_files, candidate_files_};
    for (const auto& [threads, buffer] : {std::pair<unsigned, std::size_t>{1, std::size_t{256} << 20},
                                          std::pair<unsigned, std::size_t>{2, 7 * 8 * vocabulary}}) {
        const std::vector<model_comparison> all =
            compare_models(reference_files_, candidates, options(threads, buffer));
        ASSERT_EQ(all.size(), 3u);
        for (std::size_t k = 0; k < 3; ++k) {
            const model_comparison alone = compare_models(reference_files_, candidates[k], options(1, 1 << 20));
            EXPECT_EQ(all[k].overall.serialize(), alone.overall.serialize()) << k << " " << threads;
            ASSERT_EQ(all[k].files.size(), alone.files.size());
            for (std::size_t f = 0; f < alone.files.size(); ++f) {
                EXPECT_EQ(all[k].files[f].file, alone.files[f].file);
                EXPECT_EQ(all[k].file_summaries[f].serialize(), alone.file_summaries[f].serialize());
            }
        }
        EXPECT_GT(all[1].overall.statistics().kl.mean.mean, 2 * all[0].overall.statistics().kl.mean.mean);
    }
    // One candidate of another vocabulary: an error naming it, before any statistic.
    std::vector<float> narrow(positions * vocabulary);
    const fs::path odd = dir_ / "odd.npy";
    {
        std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (97, 299), }";
        header.append(64 - (10 + header.size() + 1) % 64, ' ');
        header += '\n';
        std::ofstream out(odd, std::ios::binary);
        out.write("\x93NUMPY\x01\x00", 8);
        out.put(static_cast<char>(header.size())).put(0);
        out << header;
        out.write(reinterpret_cast<const char*>(narrow.data()), 97 * 299 * sizeof(float));
    }
    try {
        compare_models(reference_files_, std::vector<std::vector<fs::path>>{candidate_files_, {odd}},
                       options(2, 1 << 20));
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(
            e.message(),
            "the reference has 97 positions over 300 tokens and candidate 2 has 97 positions over 299 tokens, but "
            "they must match (if one vocabulary is padded, compare the first tokens of both with "
            "vocabulary = 299)");
    }
    EXPECT_THROW(compare_models(reference_files_, std::vector<std::vector<fs::path>>{}, options(1, 1 << 20)),
                 kldiv::error);
}

TEST_F(ModelComparison, EachFileAloneEqualsItsPartOfTheWholeRun) {
    const model_comparison whole = compare_models(reference_files_, candidate_files_, options(2, 5 * 8 * vocabulary));
    kldiv::llm::comparison_summary merged;
    for (std::size_t f = 0; f < whole.files.size(); ++f) {
        model_comparison_options o = options(2, 5 * 8 * vocabulary);
        o.first_row = whole.files[f].first_row;
        o.row_count = whole.files[f].rows;
        const model_comparison alone = compare_models(reference_files_, candidate_files_, o);
        ASSERT_EQ(alone.files.size(), 1u);
        EXPECT_EQ(alone.files[0].file, whole.files[f].file);
        EXPECT_EQ(alone.files[0].first_row, whole.files[f].first_row);
        EXPECT_EQ(alone.file_summaries[0].serialize(), whole.file_summaries[f].serialize()) << "file " << f;
        merged.merge(kldiv::llm::comparison_summary::deserialize(alone.file_summaries[0].serialize()));
    }
    EXPECT_EQ(merged.serialize(), whole.overall.serialize());
}

TEST_F(ModelComparison, ARangeAcrossFilesClipsThem) {
    model_comparison_options o = options(2, std::size_t{1} << 20);
    o.first_row = 40;
    o.row_count = 20;
    const model_comparison part = compare_models(reference_files_, candidate_files_, o);
    ASSERT_EQ(part.files.size(), 2u);
    EXPECT_EQ(part.files[0].first_row, 40u);
    EXPECT_EQ(part.files[0].rows, 12u);
    EXPECT_EQ(part.files[1].first_row, 52u);
    EXPECT_EQ(part.files[1].rows, 8u);
    EXPECT_EQ(part.overall.statistics().positions, 20u - 3u);  // rows 45, 52 and 59 are masked
    o.first_row = positions + 1;
    EXPECT_THROW(compare_models(reference_files_, candidate_files_, o), kldiv::error);
}

// A named pipe is refused at once (it could be read only once, and would block the open).
TEST_F(ModelComparison, APipeIsRefused) {
    const fs::path fifo = dir_ / "candidate.fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    try {
        compare_models(reference_files_, {fifo}, options(2, std::size_t{1} << 20));
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_NE(std::string(e.what()).find("candidate file " + fifo.string() + " is not a regular file"),
                  std::string::npos)
            << e.what();
    }
}

// A kldiv reference file written in chunks of 8 rows reads the same wherever the units start.
TEST_F(ModelComparison, AReferenceFileInChunksGivesTheSameNumbersOnAnyThreadCount) {
    const fs::path file = dir_ / "ref.kref";
    {
        kldiv::io::reference_writer writer(file, vocabulary, kldiv::io::reference_encoding::float32,
                                           {.rows_per_chunk = 8});
        writer.write_rows(reference_, tokens_, positions);
        writer.close();
    }
    model_comparison_options one = options(1, 3 * 8 * vocabulary);
    one.next_tokens.clear();  // the file's own
    model_comparison_options two = one;
    two.rows.threads = 2;
    const model_comparison a = compare_models({file}, candidate_files_, one);
    const model_comparison b = compare_models({file}, candidate_files_, two);
    EXPECT_EQ(a.token_source, "reference");
    EXPECT_EQ(a.overall.serialize(), b.overall.serialize());
    EXPECT_EQ(a.overall.statistics().positions_with_token, positions - 14 - 1);
    // float32 stores the normalized log-probabilities: the KL equals the .npy reference's closely.
    const model_comparison npy = compare_models(reference_files_, candidate_files_, options(1, std::size_t{1} << 20));
    EXPECT_NEAR(a.overall.statistics().kl.mean.mean, npy.overall.statistics().kl.mean.mean,
                1e-6 * npy.overall.statistics().kl.mean.mean);
}

// A .npy "model" of 0 columns divided by its row size 0 (SIGFPE); a vocabulary of 2^61 allocated
// without bound. The row stream checks every source's vocabulary where they meet.
TEST(ModelComparisonVocabulary, EmptyAndHugeVocabulariesAreRefused) {
    const fs::path dir = fs::temp_directory_path() /
                         ("kldiv_vocabulary_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir);
    const auto write = [&](const std::string& name, const std::string& shape) {
        std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        header.append(64 - (10 + header.size() + 1) % 64, ' ');
        header += '\n';
        std::ofstream out(dir / name, std::ios::binary);
        out.write("\x93NUMPY\x01\x00", 8);
        out.put(static_cast<char>(header.size() & 0xff)).put(static_cast<char>(header.size() >> 8));
        out << header;
        return dir / name;
    };
    for (const auto& [name, shape, tokens] :
         {std::tuple{"zero.npy", "(4, 0)", "0"},
          std::tuple{"empty.npy", "(0, 2305843009213693952)", "2305843009213693952"},
          std::tuple{"one.npy", "(0, 1)", "1"}}) {
        const fs::path path = write(name, shape);
        try {
            compare_models({path}, {path}, model_comparison_options{});
            ADD_FAILURE() << name;
        } catch (const kldiv::error& e) {
            EXPECT_EQ(std::string(e.what()), "open_rows: reference file " + path.string() + " holds rows over " +
                                                 tokens +
                                                 " tokens, but a vocabulary must have 2 to 16777216 (2^24) tokens");
        }
    }
    fs::remove_all(dir);
}

}  // namespace
