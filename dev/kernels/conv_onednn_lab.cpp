// oneDNN's convolution on the shapes of dev/kernels/conv_lab.cpp (batch 64, float32): median ms
// of forward and of forward + backward-data (when the input takes a gradient) +
// backward-weights+bias. The measurement issue 4 asks for before choosing oneDNN over im2col +
// OpenBLAS. Two layouts:
//   plain    NCHW / OIHW as nabla stores them: no reorders, but oneDNN then runs `gemm:jit`.
//   blocked  `any` layouts, as PyTorch's mkldnn path asks for: oneDNN picks its direct jit
//            kernels on blocked layouts (nChw16c); the reorders from and to NCHW / OIHW of
//            every tensor the step touches are inside the timed region, as they would be
//            for a framework that stores NCHW.
//   apt-get install libdnnl-dev
//   g++ -O2 -std=c++20 -fopenmp dev/kernels/conv_onednn_lab.cpp -ldnnl -o /tmp/conv_onednn_lab
//   /tmp/conv_onednn_lab [reps] [plain|blocked]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <string>
#include <vector>

#include "conv_cases.hpp"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

memory filled(const memory::desc& md, const engine& eng, std::mt19937& rng) {
  memory m(md, eng);
  auto* p = static_cast<float*>(m.get_data_handle());
  std::normal_distribution<float> normal;
  for (size_t i = 0; i < md.get_size() / sizeof(float); ++i) p[i] = normal(rng);
  return m;
}

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 21;
  const bool blocked = argc > 2 && std::string(argv[2]) == "blocked";
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  std::mt19937 rng(0);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const ConvCase& c : kConvCases) {
      const int64_t n = kConvBatch, out = c.hw + 2 * c.pad - c.k + 1;
      const memory::desc src({n, c.c, c.hw, c.hw}, dt::f32, tag::nchw);
      const memory::desc wei({c.o, c.c, c.k, c.k}, dt::f32, tag::oihw);
      const memory::desc bia({c.o}, dt::f32, tag::x);
      const memory::desc dst({n, c.o, out, out}, dt::f32, tag::nchw);
      const memory::dims stride{1, 1}, pad{c.pad, c.pad};
      auto chosen = [&](const memory::desc& plain) {
        return blocked ? memory::desc(plain.dims(), dt::f32, tag::any) : plain;
      };
      const convolution_forward::primitive_desc fwd_pd(
          convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                    chosen(src), chosen(wei), bia, chosen(dst), stride, pad, pad),
          eng);
      const convolution_backward_data::primitive_desc bwd_data_pd(
          convolution_backward_data::desc(algorithm::convolution_direct, chosen(src),
                                          chosen(wei), chosen(dst), stride, pad, pad),
          eng, fwd_pd);
      const convolution_backward_weights::primitive_desc bwd_weights_pd(
          convolution_backward_weights::desc(algorithm::convolution_direct, chosen(src),
                                             chosen(wei), bia, chosen(dst), stride, pad, pad),
          eng, fwd_pd);
      // The framework's tensors, always plain.
      memory x = filled(src, eng, rng), w = filled(wei, eng, rng), b = filled(bia, eng, rng);
      memory y(dst, eng), dy = filled(dst, eng, rng), dx(src, eng), dw(wei, eng), db(bia, eng);
      // What each primitive wants; a reorder runs only where that differs from plain.
      auto to = [&](const memory& plain, const memory::desc& want) {
        if (want == plain.get_desc()) return plain;
        memory m(want, eng);
        reorder(plain, m).execute(s, const_cast<memory&>(plain), m);
        return m;
      };
      auto back = [&](const memory& got, memory& plain) {
        if (got.get_desc() == plain.get_desc()) return;
        reorder(got, plain).execute(s, const_cast<memory&>(got), plain);
      };
      convolution_forward fwd(fwd_pd);
      convolution_backward_data bwd_data(bwd_data_pd);
      convolution_backward_weights bwd_weights(bwd_weights_pd);
      auto run_forward = [&](memory& xs) {
        memory ws = to(w, fwd_pd.weights_desc());
        memory ys = fwd_pd.dst_desc() == y.get_desc() ? y : memory(fwd_pd.dst_desc(), eng);
        fwd.execute(s, {{DNNL_ARG_SRC, xs}, {DNNL_ARG_WEIGHTS, ws}, {DNNL_ARG_BIAS, b},
                        {DNNL_ARG_DST, ys}});
        back(ys, y);
      };
      auto forward = [&] {
        memory xs = to(x, fwd_pd.src_desc());
        run_forward(xs);
        s.wait();
      };
      auto forward_backward = [&] {
        memory xs = to(x, fwd_pd.src_desc());
        run_forward(xs);
        memory dys = to(dy, bwd_weights_pd.diff_dst_desc());
        if (c.input_grad) {
          memory ws = to(w, bwd_data_pd.weights_desc());
          memory dxs = bwd_data_pd.diff_src_desc() == dx.get_desc()
                           ? dx : memory(bwd_data_pd.diff_src_desc(), eng);
          memory dyd = bwd_data_pd.diff_dst_desc() == dys.get_desc()
                           ? dys : to(dy, bwd_data_pd.diff_dst_desc());
          bwd_data.execute(s, {{DNNL_ARG_DIFF_DST, dyd},
                               {DNNL_ARG_WEIGHTS, ws}, {DNNL_ARG_DIFF_SRC, dxs}});
          back(dxs, dx);
        }
        memory dws = bwd_weights_pd.diff_weights_desc() == dw.get_desc()
                         ? dw : memory(bwd_weights_pd.diff_weights_desc(), eng);
        memory xw = bwd_weights_pd.src_desc() == xs.get_desc()
                        ? xs : to(x, bwd_weights_pd.src_desc());
        bwd_weights.execute(s, {{DNNL_ARG_SRC, xw},
                                {DNNL_ARG_DIFF_DST, dys}, {DNNL_ARG_DIFF_WEIGHTS, dws},
                                {DNNL_ARG_DIFF_BIAS, db}});
        back(dws, dw);
        s.wait();
      };
      forward();
      forward_backward();
      const double f = median_ms(forward, reps), fb = median_ms(forward_backward, reps);
      std::printf("%-24s threads=%d  fwd %7.3f ms  fwd+bwd %7.3f ms  (%s)\n", c.name, threads, f,
                  fb, fwd_pd.impl_info_str());
    }
  }
}
