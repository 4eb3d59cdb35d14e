#pragma once
// Reading a discrete distribution (or counts) from a file or from inline text.
//
// read_distribution(path) picks the format by content, then extension:
//   .npy (or any file starting with the npy magic "\x93NUMPY")
//       NumPy array file, format version 1.0, 2.0 or 3.0; a 1-D array of float16, float32 or float64 in
//       either byte order ('<f4', '<f8', '>f4', '>f8'). Other dtypes and other shapes are refused
//       with a message naming them; the file size is checked against shape × itemsize before
//       anything is allocated.
//   anything else: delimited text (UTF-8 or ASCII; a BOM and \r\n or \r line ends are accepted)
//       - the delimiter is detected on the first data line: tab, comma, semicolon, or runs of
//         spaces/tabs; fields may be "double quoted" (with "" for a quote), e.g. "Smith, J.",0.5
//       - blank lines and lines whose first non-blank character is '#' are skipped
//       - shapes: one column of numbers; one row of numbers; or two columns label,value (labels are
//         kept as text, even when numeric — "1,10\n2,20" is two events labelled "1" and "2")
//       - the first line is a header when its value field is not a number (the only field of a
//         column, the second of label,value, the first of a row); a row's header gives its labels
//       - numbers as std::from_chars reads them ("0.25", "1e-3", ".5", "nan", "inf"), plus a
//         leading '+'; locale-independent, '.' is the decimal point
// Errors throw kldiv::error with function() == "read_distribution" and a message naming the file,
// the place (line and column counted from 1 in characters, npy header field, or byte offset) and
// the rule, e.g.
//   read_distribution: p.csv: line 4, column 3: "abc" is not a number
//   read_distribution: p.csv: line 2: 3 fields, but line 1 has 2; every row must have the same number of fields (delimiter: comma)
//   read_distribution: p.npy: npy header field 'shape' is (2, 3), a 2-D array, but a distribution file needs a 1-D array of shape (n,); ...
//   read_distribution: q.csv: cannot open it: No such file or directory
// Values are parsed, not judged: negative, NaN or infinite entries are left for the measures to
// reject. Non-regular files (pipes, <(zcat p.csv.gz), /dev/stdin) are read whole first,
// up to 256 MiB (more is an error naming the file: /dev/zero never ends).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kldiv::io {

struct labeled_vector {
    std::vector<double> values;
    std::vector<std::string> labels;  // one per value, or empty when the source has no labels
};

labeled_vector read_distribution(const std::filesystem::path& path);

// "0.2,0.8", "0.2 0.8" or "0.2, 0.8": values separated by whitespace and/or single commas, same
// number syntax as the files. `what` names the source in errors, e.g. for what = "--p":
//   parse_values: --p, character 5: "abc" is not a number (give values like 0.2,0.8 or "0.2 0.8")
//   parse_values: --p is empty, but it needs at least one value (e.g. 0.2,0.8)
// (function() == "parse_values").
std::vector<double> parse_values(std::string_view text, std::string_view what);

}  // namespace kldiv::io
