#pragma once
// A Python callable as a kldiv::progress_callback (kldiv/progress.hpp), for the bindings of long
// work: called as callback(done, total, bytes_done) under the GIL, on the first report, the last,
// and at most 10 times a second between; an exception it raises stops the work and reaches the
// caller. None gives no callback.

#include <pybind11/pybind11.h>

#include <chrono>
#include <memory>
#include <utility>

#include "kldiv/progress.hpp"

inline kldiv::progress_callback python_progress(pybind11::object callback) {
    if (callback.is_none()) return {};
    using clock = std::chrono::steady_clock;
    struct state {
        pybind11::object function;
        clock::time_point last{};
        explicit state(pybind11::object f) : function(std::move(f)) {}
        state(const state&) = delete;
        state& operator=(const state&) = delete;
        ~state() {  // the last copy of the callback may go without the GIL held
            pybind11::gil_scoped_acquire gil;
            function = pybind11::object();
        }
    };
    auto shared = std::make_shared<state>(std::move(callback));
    return [shared](const kldiv::progress& p) {
        const clock::time_point now = clock::now();
        if (p.done != 0 && p.done < p.total && now - shared->last < std::chrono::milliseconds(100)) return;
        shared->last = now;
        pybind11::gil_scoped_acquire gil;
        shared->function(p.done, p.total, p.bytes_done);
    };
}
