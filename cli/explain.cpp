#include "commands.hpp"
namespace kldiv::cli { void add_explain(CLI::App&) {} }
