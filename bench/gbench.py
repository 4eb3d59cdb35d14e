"""Runs one of kldiv's Google Benchmark programs and returns its medians (shared by the peer scripts)."""
import json
import os
import subprocess


def medians(build, program, benchmark_filter, repetitions=5):
    """{run_name: benchmark record} of the median aggregates of BUILD/bench/PROGRAM."""
    out = subprocess.run(
        [os.path.join(build, "bench", program), "--benchmark_format=json",
         f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
         f"--benchmark_filter={benchmark_filter}"],
        check=True, capture_output=True, text=True).stdout
    return {b["run_name"]: b for b in json.loads(out)["benchmarks"] if b.get("aggregate_name") == "median"}
