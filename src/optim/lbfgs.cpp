// L-BFGS: a port of torch 1.13's LBFGS.step, on flat double vectors (the parameters of the one
// group, concatenated in order). The two-loop recursion and the stopping rules follow torch
// line by line, so the iterates agree with torch's to rounding.
#include "nabla/optim/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "nabla/autograd.hpp"
#include "optim/fused_update.hpp"
#include "optim/line_search.hpp"

namespace nabla::optim {

Options LBFGSOptions::to_map() const {
  NABLA_CHECK(line_search_fn.empty() || line_search_fn == "strong_wolfe",
              "LBFGS: line_search_fn must be \"\" or \"strong_wolfe\", got \"", line_search_fn,
              "\"");
  return {{"lr", lr}, {"max_iter", static_cast<double>(max_iter)},
          {"max_eval", static_cast<double>(max_eval.value_or(max_iter * 5 / 4))},
          {"tolerance_grad", tolerance_grad}, {"tolerance_change", tolerance_change},
          {"history_size", static_cast<double>(history_size)},
          {"strong_wolfe", line_search_fn == "strong_wolfe" ? 1.0 : 0.0}};
}

LBFGS::LBFGS(std::vector<Tensor> params, LBFGSOptions options)
    : Optimizer("LBFGS", options.to_map()) {
  init_groups(single_group(std::move(params)));
}

void LBFGS::validate(const Options& o) const {
  for (const char* key : {"lr", "tolerance_grad", "tolerance_change"})
    check_non_negative("LBFGS", o, key);
  NABLA_CHECK(option(o, "max_iter") >= 1 && option(o, "history_size") >= 1,
              "LBFGS: max_iter and history_size must be >= 1");
}

void LBFGS::step() {
  NABLA_FAIL("LBFGS: step() needs a closure that recomputes the loss; call step(closure)");
}

int64_t LBFGS::func_evals() {
  // find, not operator[]: asking must not add an entry to the state (and its state_dict).
  const auto& scalars = state_of(param_groups()[0].params[0]).scalars;
  const auto it = scalars.find("func_evals");
  return it == scalars.end() ? 0 : static_cast<int64_t>(it->second);
}

namespace {

// The group's parameters as one flat vector: gradients (zeros where none) or values.
Vec gather(const std::vector<Tensor>& params, bool grads) {
  Vec out;
  for (const Tensor& p : params) {
    const Tensor t = grads ? p.grad() : p;
    if (!t.defined()) {
      out.insert(out.end(), static_cast<size_t>(p.numel()), 0.0);
      continue;
    }
    const auto v = t.to_vector<double>();  // converts to double and densifies
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Writes base + t·d back into the parameters (torch's _add_grad on a restored copy).
void scatter(const std::vector<Tensor>& params, const Vec& base, double t, const Vec& d) {
  autograd::NoGradGuard no_grad;
  size_t offset = 0;
  for (const Tensor& p : params) {
    std::vector<double> v(static_cast<size_t>(p.numel()));
    for (size_t i = 0; i < v.size(); ++i) v[i] = base[offset + i] + t * d[offset + i];
    p.copy_(from_vector(v, p.shape()));
    offset += v.size();
  }
}

// p += t·d in place (torch's _add_grad), without reading the parameters back first.
void add_step(const std::vector<Tensor>& params, double t, const Vec& d) {
  autograd::NoGradGuard no_grad;
  size_t offset = 0;
  for (const Tensor& p : params) {
    const auto n = static_cast<size_t>(p.numel());
    const Vec slice(d.begin() + static_cast<std::ptrdiff_t>(offset),
                    d.begin() + static_cast<std::ptrdiff_t>(offset + n));
    p.add_(from_vector(slice, p.shape()), t);
    offset += n;
  }
}

double abs_max(const Vec& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

Tensor as_tensor(const Vec& v) { return from_vector(v); }
Vec as_vec(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

Tensor LBFGS::step(const Closure& closure) {
  NABLA_CHECK(param_groups().size() == 1, "LBFGS: supports one parameter group only (got ",
              param_groups().size(), "); put every parameter in the constructor's list");
  const std::vector<Tensor>& params = param_groups()[0].params;
  const Options& o = param_groups()[0].options;
  const double lr = option(o, "lr"), tol_grad = option(o, "tolerance_grad");
  const double tol_change = option(o, "tolerance_change");
  const auto max_iter = static_cast<int64_t>(option(o, "max_iter"));
  const auto max_eval = static_cast<int64_t>(option(o, "max_eval"));
  const auto history_size = static_cast<size_t>(option(o, "history_size"));
  ParamState& state = state_of(params[0]);
  auto& scalars = state.scalars;
  scalars.emplace("func_evals", 0.0);
  scalars.emplace("n_iter", 0.0);

  const Tensor orig_loss = closure();
  double loss = orig_loss.item();
  int64_t current_evals = 1;
  scalars["func_evals"] += 1;
  Vec flat_grad = gather(params, true);
  if (abs_max(flat_grad) <= tol_grad) return orig_loss;

  // Restore the previous call's state.
  Vec d = state.tensors.count("d") ? as_vec(state.tensors["d"]) : Vec{};
  Vec prev_flat_grad =
      state.tensors.count("prev_flat_grad") ? as_vec(state.tensors["prev_flat_grad"]) : Vec{};
  double t = scalars.count("t") ? scalars["t"] : 0.0;
  double h_diag = scalars.count("H_diag") ? scalars["H_diag"] : 1.0;
  double prev_loss = scalars.count("prev_loss") ? scalars["prev_loss"] : 0.0;
  std::deque<Vec> old_dirs, old_stps;
  std::deque<double> ro;
  for (size_t i = 0; state.tensors.count("old_dirs." + std::to_string(i)); ++i) {
    old_dirs.push_back(as_vec(state.tensors["old_dirs." + std::to_string(i)]));
    old_stps.push_back(as_vec(state.tensors["old_stps." + std::to_string(i)]));
    ro.push_back(scalars["ro." + std::to_string(i)]);
  }

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    scalars["n_iter"] += 1;
    if (scalars["n_iter"] == 1) {
      d = flat_grad;
      for (double& v : d) v = -v;
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      h_diag = 1.0;
    } else {
      // Update the curvature pairs, then the two-loop recursion for d = -H·g.
      Vec y(flat_grad.size()), s(d.size());
      for (size_t i = 0; i < y.size(); ++i) y[i] = flat_grad[i] - prev_flat_grad[i];
      for (size_t i = 0; i < s.size(); ++i) s[i] = d[i] * t;
      const double ys = dot(y, s);
      if (ys > 1e-10) {
        if (old_dirs.size() == history_size) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1.0 / ys);
        h_diag = ys / dot(y, y);
      }
      const size_t num_old = old_dirs.size();
      std::vector<double> al(num_old);
      Vec q = flat_grad;
      for (double& v : q) v = -v;
      for (size_t i = num_old; i-- > 0;) {
        al[i] = dot(old_stps[i], q) * ro[i];
        for (size_t k = 0; k < q.size(); ++k) q[k] += -al[i] * old_dirs[i][k];
      }
      for (double& v : q) v *= h_diag;
      for (size_t i = 0; i < num_old; ++i) {
        const double be_i = dot(old_dirs[i], q) * ro[i];
        for (size_t k = 0; k < q.size(); ++k) q[k] += (al[i] - be_i) * old_stps[i][k];
      }
      d = q;
    }
    prev_flat_grad = flat_grad;
    prev_loss = loss;
    if (scalars["n_iter"] == 1) {
      double g_sum = 0.0;
      for (double v : flat_grad) g_sum += std::abs(v);
      t = std::min(1.0, 1.0 / g_sum) * lr;
    } else {
      t = lr;
    }
    const double gtd = dot(flat_grad, d);
    if (gtd > -tol_change) break;

    int64_t ls_func_evals = 0;
    bool opt_cond = false;
    if (flag(o, "strong_wolfe")) {
      const Vec x_init = gather(params, false);
      auto obj = [&](double step) {
        // No restore to x_init afterwards: every evaluation and the final write below set
        // the parameters from x_init afresh.
        scatter(params, x_init, step, d);
        const double f = closure().item();
        return std::pair{f, gather(params, true)};
      };
      LineSearchResult ls = strong_wolfe(obj, t, d, loss, flat_grad, gtd);
      loss = ls.loss;
      flat_grad = std::move(ls.grad);
      t = ls.t;
      ls_func_evals = ls.evals;
      scatter(params, x_init, t, d);
      opt_cond = abs_max(flat_grad) <= tol_grad;
    } else {
      add_step(params, t, d);
      if (n_iter != max_iter) {
        loss = closure().item();
        flat_grad = gather(params, true);
        opt_cond = abs_max(flat_grad) <= tol_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    scalars["func_evals"] += static_cast<double>(ls_func_evals);

    if (n_iter == max_iter || current_evals >= max_eval || opt_cond) break;
    if (abs_max(d) * std::abs(t) <= tol_change) break;
    if (std::abs(loss - prev_loss) < tol_change) break;
  }

  // Save the state for the next call (and for state_dict).
  state.tensors.clear();
  state.tensors["d"] = as_tensor(d);
  state.tensors["prev_flat_grad"] = as_tensor(prev_flat_grad);
  for (auto it = scalars.begin(); it != scalars.end();)
    it = it->first.rfind("ro.", 0) == 0 ? scalars.erase(it) : std::next(it);
  for (size_t i = 0; i < old_dirs.size(); ++i) {
    state.tensors["old_dirs." + std::to_string(i)] = as_tensor(old_dirs[i]);
    state.tensors["old_stps." + std::to_string(i)] = as_tensor(old_stps[i]);
    scalars["ro." + std::to_string(i)] = ro[i];
  }
  scalars["t"] = t;
  scalars["H_diag"] = h_diag;
  scalars["prev_loss"] = prev_loss;
  return orig_loss;
}

}  // namespace nabla::optim
