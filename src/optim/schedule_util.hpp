// Helpers shared by the schedule files (private to src/optim).
#pragma once

#include <string>
#include <vector>

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

// One value per group from a list of one (for all groups) or one per group, as torch's
// _format_param.
inline std::vector<double> per_group(const char* who, const char* name,
                                     const std::vector<double>& v, size_t groups) {
  NABLA_CHECK(v.size() == 1 || v.size() == groups, who, ": expected 1 or ", groups,
              " values for ", name, ", got ", v.size());
  return v.size() == 1 ? std::vector<double>(groups, v[0]) : v;
}

// Every group's current "lr", in order.
inline std::vector<double> lrs_of(const Optimizer& optimizer) {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer.param_groups()) lrs.push_back(group.lr());
  return lrs;
}

}  // namespace nabla::optim
