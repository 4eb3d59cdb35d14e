#pragma once
// The value of a bindings' option `key` from the options dict of a kldiv/*.py function: a name of
// one of E's values (kldiv/names.hpp), refused with the names as `function` would say it.

#include <pybind11/pybind11.h>

#include <string>

#include "kldiv/names.hpp"

template <class E>
E choice(const pybind11::dict& o, const char* key, const char* function = "kldiv") {
    return kldiv::parse<E>(o[key].cast<std::string>(), key, function);
}
