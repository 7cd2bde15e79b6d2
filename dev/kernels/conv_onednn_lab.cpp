// oneDNN's convolution on the shapes of dev/kernels/conv_lab.cpp (batch 64, float32, plain
// NCHW / OIHW layouts as nabla stores them, so no reorders are timed): median ms of forward
// and of forward + backward-data (when the input takes a gradient) + backward-weights+bias.
// The measurement issue 4 asks for before choosing oneDNN over im2col + OpenBLAS.
//   apt-get install libdnnl-dev
//   g++ -O2 -std=c++20 -fopenmp dev/kernels/conv_onednn_lab.cpp -ldnnl -o /tmp/conv_onednn_lab
//   /tmp/conv_onednn_lab [reps]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
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
      const convolution_forward::primitive_desc fwd_pd(
          convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                    src, wei, bia, dst, stride, pad, pad),
          eng);
      const convolution_backward_data::primitive_desc bwd_data_pd(
          convolution_backward_data::desc(algorithm::convolution_direct, src, wei, dst, stride,
                                          pad, pad),
          eng, fwd_pd);
      const convolution_backward_weights::primitive_desc bwd_weights_pd(
          convolution_backward_weights::desc(algorithm::convolution_direct, src, wei, bia, dst,
                                             stride, pad, pad),
          eng, fwd_pd);
      memory x = filled(src, eng, rng), w = filled(wei, eng, rng), b = filled(bia, eng, rng);
      memory y(dst, eng), dy = filled(dst, eng, rng), dx(src, eng), dw(wei, eng), db(bia, eng);
      convolution_forward fwd(fwd_pd);
      convolution_backward_data bwd_data(bwd_data_pd);
      convolution_backward_weights bwd_weights(bwd_weights_pd);
      auto forward = [&] {
        fwd.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b},
                        {DNNL_ARG_DST, y}});
        s.wait();
      };
      auto forward_backward = [&] {
        fwd.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b},
                        {DNNL_ARG_DST, y}});
        if (c.input_grad)
          bwd_data.execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w},
                               {DNNL_ARG_DIFF_SRC, dx}});
        bwd_weights.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy},
                                {DNNL_ARG_DIFF_WEIGHTS, dw}, {DNNL_ARG_DIFF_BIAS, db}});
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
