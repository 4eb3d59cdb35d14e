#!/usr/bin/python3
"""Writes the small tables that tests/test_table_file.cpp reads with kldiv::io::read_table, with
pandas and NumPy, and what pandas.read_csv (or pandas.DataFrame(numpy.load(...))) reads from each
of them into expected.json, so the C++ reader is checked against pandas, never against itself.

Run from anywhere:  /usr/bin/python3 tests/data/tables/generate_tables.py
Made with pandas 1.5.3 and NumPy 1.24.2 (Debian 12: python3-pandas, python3-numpy).

expected.json: {"tables": [{"file", "categorical": [names read as text], "rows",
"columns": [{"name", "type", "values"}]}]}. A column's type is read_table's name for what pandas
made of it: an int/float dtype is "numeric" (values are numbers, "inf"/"-inf", or null where
missing), bool or an object column of only True/False/NaN is "boolean" (true, false, null), any
other object column is "categorical" (the texts, null where missing). Every column of an .npy file
is numeric (a bool array is 0 and 1), as the reader's documentation says.

Where pandas' defaults differ from read_table's documented rules the files keep out of the way:
no blanks around unquoted fields (pandas keeps them in texts, read_table trims them), no '#' line
before the header, booleans spelled as pandas knows them. read_csv is told na_values=["None"]: pandas
2.0 added "None" to its default missing markers, which read_table follows; pandas 1.5 lacks it.
float_precision="round_trip": pandas' default parser is not always correctly rounded; read_table
(std::from_chars) is.
"""
import json
import math
import os

import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
tables = []


def values_of(series, npy):
    if npy or series.dtype.kind in "iuf":
        out = []
        for x in series:
            x = float(x)
            out.append(None if math.isnan(x) else ("inf" if x == math.inf else "-inf" if x == -math.inf else x))
        return "numeric", out
    if series.dtype.kind == "b":
        return "boolean", [bool(x) for x in series]
    present = [x for x in series if not (isinstance(x, float) and math.isnan(x))]
    if present and all(isinstance(x, (bool, np.bool_)) for x in present):
        return "boolean", [None if isinstance(x, float) else bool(x) for x in series]
    assert all(isinstance(x, str) for x in present), f"{series.name}: {present}"
    return "categorical", [x if isinstance(x, str) else None for x in series]


def record(name, frame, categorical=(), npy=False):
    columns = []
    for column in frame.columns:
        kind, values = values_of(frame[column], npy)
        columns.append({"name": str(column), "type": kind, "values": values})
    tables.append({"file": name, "categorical": list(categorical), "rows": len(frame), "columns": columns})
    print(name, len(frame), "rows,", ", ".join(f"{c['name']}:{c['type']}" for c in columns))


def read_back(name, sep, categorical=()):
    frame = pd.read_csv(os.path.join(here, name), sep=sep, encoding="utf-8-sig", na_values=["None"],
                        float_precision="round_trip", dtype={c: str for c in categorical})
    record(name, frame, categorical)


def write_text(name, text):
    with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


# Mixed types written by DataFrame.to_csv: quoted fields with commas and quotes, unicode names and
# texts, booleans with and without missing values, integer-looking categories (zip, read as text),
# numbers at the edges of a double, a column with no value at all.
mixed = pd.DataFrame({
    "age": [34.5, None, 51.0, 29.25, None, 62.0],
    "count": [3, 0, 12, -7, 1, 100000000000],
    "city": ["Paris, France", 'say "hi"', "Zürich", None, "東京", "Paris, France"],
    "flag": [True, False, True, True, False, False],
    "maybe": [True, None, False, None, True, True],
    "zip": ["02139", "10001", "02139", None, "1", "1.0"],
    "größe": [1.5e300, -2.5e-300, 5e-324, math.inf, -math.inf, 0.0],
    "城市": ["a", "b", "", "a", "c;d", "a\tb"],
    "empty": [None] * 6,
})
mixed.to_csv(os.path.join(here, "mixed.csv"), index=False)
read_back("mixed.csv", ",", categorical=["zip"])

# Tab-separated, CRLF line ends, a UTF-8 byte order mark.
crlf = pd.DataFrame({"id": [1, 2, 3, 4], "label": ["x", "y, z", "x", None], "score": [0.1, 0.2, None, 0.4]})
crlf.to_csv(os.path.join(here, "crlf_bom.tsv"), sep="\t", index=False, lineterminator="\r\n", encoding="utf-8-sig")
read_back("crlf_bom.tsv", "\t")

# Semicolons, fields with commas in them (unquoted: the delimiter is ';').
semi = pd.DataFrame({"name": ["a,b", "c", "d,e,f"], "value": [1.25, 2.5, 3.75], "ok": ["yes", "no", "yes"]})
semi.to_csv(os.path.join(here, "semicolon.csv"), sep=";", index=False)
read_back("semicolon.csv", ";")

# Every default missing marker of pandas, unquoted and quoted, "#N/A" starting a line, a blank line
# between rows, booleans in pandas' spellings, integer categories left as numbers.
markers = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
           "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
lines = ["marker,number,word,truth,code"]
for i, m in enumerate(markers):
    field = f'"{m}"' if i % 2 else m
    word = "w" + str(i % 3) if i % 4 else m
    truth = ["True", "false", "TRUE", "False"][i % 4] if i % 5 else m
    lines.append(f"{field},{i * 0.5 if i % 3 else field},{word},{truth},{i % 4}")
    if i == 7:
        lines.append("")
write_text("markers.csv", "\n".join(lines) + "\n")
read_back("markers.csv", ",")

# .npy arrays as NumPy saves them; pandas.DataFrame(array) names the columns 0 … d-1.
def save_npy(name, array):
    np.save(os.path.join(here, name), array, allow_pickle=False)
    record(name, pd.DataFrame(np.load(os.path.join(here, name))), npy=True)


save_npy("float64_2d.npy", np.array([[0.5, np.nan, -1.0], [2.0, 3.5, np.inf], [np.nan, 1e-310, 7.0]]))
save_npy("int32_2d.npy", np.array([[1, -2], [2147483647, -2147483648], [0, 5]], dtype="<i4"))
save_npy("bool_1d.npy", np.array([True, False, False, True]))
save_npy("fortran_f4_big.npy", np.asfortranarray(np.arange(12, dtype=">f4").reshape(4, 3) / 4))
save_npy("uint8_1d.npy", np.array([0, 255, 7], dtype="u1"))
save_npy("int64_big.npy", np.array([[-(2 ** 40), 3], [9, 2 ** 53]], dtype=">i8"))

with open(os.path.join(here, "expected.json"), "w", encoding="utf-8") as f:
    json.dump({"tables": tables}, f, ensure_ascii=False, indent=1)
    f.write("\n")
