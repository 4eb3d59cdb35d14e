#pragma once
// Umbrella header: the whole public API of kldiv.

#include "kldiv/batch.hpp"
#include "kldiv/comparison.hpp"
#include "kldiv/contributions.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/distributions/gaussian_mixture_bounds.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/normal_rows.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/normalized.hpp"
#include "kldiv/error.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/losses.hpp"
#include "kldiv/options.hpp"
#include "kldiv/units.hpp"
#include "kldiv/text.hpp"
#include "kldiv/version.hpp"
