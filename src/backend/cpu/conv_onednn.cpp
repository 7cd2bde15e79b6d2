// oneDNN primitives are built once per geometry (and thread count: oneDNN sizes its work split
// when a primitive is created) and kept; a call looks its primitives up, reorders inputs into
// the layouts the primitive chose (blocked, nChw16c and the like), runs it, and reorders
// outputs back into nabla's NCHW / OIHW. Reorder buffers come from the caching allocator, so a
// training step allocates nothing after the first.
#include "backend/cpu/conv_onednn.hpp"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <string_view>

#include "backend/cpu/caching_allocator.hpp"

#ifdef NABLA_HAS_ONEDNN
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace nabla::cpu {

namespace {

std::atomic<bool>& enabled_flag() {
  static std::atomic<bool> flag{[] {
    const char* choice = std::getenv("NABLA_CPU_CONV");
    return !(choice && std::string_view(choice) == "im2col");
  }()};
  return flag;
}

}  // namespace

void set_onednn_conv_enabled(bool enabled) { enabled_flag() = enabled; }

#ifndef NABLA_HAS_ONEDNN

bool onednn_conv_enabled() { return false; }
bool onednn_conv2d(OpId, const Conv2dArgs&, CachingAllocator&) { return false; }

#else

bool onednn_conv_enabled() { return enabled_flag(); }

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One tensor's way between nabla's layout (`plain`) and the primitive's (`inner`): a reorder
// into `inner` for what the primitive reads, out of it for what it writes, none when they agree.
struct Relayout {
  memory::desc plain, inner;
  bool written;  // the primitive writes this tensor (an output) rather than reads it
  std::optional<dnnl::reorder> reorder;

  Relayout(const memory::desc& plain_desc, const memory::desc& inner_desc, bool is_written)
      : plain(plain_desc), inner(inner_desc), written(is_written) {
    if (plain == inner) return;
    if (written)
      reorder.emplace(dnnl::reorder::primitive_desc(cpu_engine(), inner, cpu_engine(), plain));
    else
      reorder.emplace(dnnl::reorder::primitive_desc(cpu_engine(), plain, cpu_engine(), inner));
  }
};

// A tensor for the length of one call, in the primitive's layout: the caller's buffer itself
// when the layouts agree, otherwise a block from the allocator (filled by a reorder when the
// primitive reads it; copied back by write_back() when it writes it).
class Staged {
 public:
  Staged(const Relayout& relayout, const void* data, CachingAllocator& allocator,
         dnnl::stream& stream)
      : relayout_(relayout),
        allocator_(allocator),
        user_(relayout.plain, cpu_engine(), const_cast<void*>(data)) {
    if (!relayout.reorder) {
      inner_ = user_;
      return;
    }
    bytes_ = relayout.inner.get_size();
    block_ = allocator.allocate(bytes_);
    inner_ = memory(relayout.inner, cpu_engine(), block_);
    if (!relayout.written) relayout.reorder->execute(stream, user_, inner_);
  }
  ~Staged() {
    if (block_) allocator_.deallocate(block_, bytes_);
  }
  Staged(const Staged&) = delete;
  Staged& operator=(const Staged&) = delete;

  memory& get() { return inner_; }
  void write_back(dnnl::stream& stream) {
    if (relayout_.reorder) relayout_.reorder->execute(stream, inner_, user_);
  }

 private:
  const Relayout& relayout_;
  CachingAllocator& allocator_;
  memory user_, inner_;
  void* block_ = nullptr;
  size_t bytes_ = 0;
};

struct Forward {
  dnnl::convolution_forward primitive;
  Relayout x, w, y;
};
struct BackwardData {
  dnnl::convolution_backward_data primitive;
  Relayout dy, w, dx;
};
struct BackwardWeights {
  dnnl::convolution_backward_weights primitive;
  Relayout x, dy, dw;
};

// The bias (or its gradient): one value per output channel, never reordered; empty without one.
memory::desc bias_desc(const Conv2dArgs& a) {
  if (!a.bias.data) return {};
  return memory::desc({a.weight.shape[0]}, memory::data_type::f32, Tag::x);
}

memory::desc any_layout(const memory::desc& plain) {
  return memory::desc(plain.dims(), memory::data_type::f32, Tag::any);
}

// Everything oneDNN needs about one convolution geometry; its primitives are made on first use.
struct Geometry {
  memory::desc x, w, b, y;  // nabla's layouts; b is empty without a bias
  memory::dims stride, dilation, padding, padding_r;  // padding: top/left
  std::optional<dnnl::convolution_forward::primitive_desc> forward_pd;
  std::optional<Forward> forward;
  std::optional<BackwardData> backward_data;
  std::optional<BackwardWeights> backward_weights;

  explicit Geometry(const Conv2dArgs& a) {
    const int64_t groups = a.groups;
    const auto& xs = a.x.shape;
    const auto& ws = a.weight.shape;
    x = memory::desc({xs[0], xs[1], xs[2], xs[3]}, memory::data_type::f32, Tag::nchw);
    y = memory::desc({a.y.shape[0], a.y.shape[1], a.y.shape[2], a.y.shape[3]},
                     memory::data_type::f32, Tag::nchw);
    w = groups == 1 ? memory::desc({ws[0], ws[1], ws[2], ws[3]}, memory::data_type::f32,
                                   Tag::oihw)
                    : memory::desc({groups, ws[0] / groups, ws[1], ws[2], ws[3]},
                                   memory::data_type::f32, Tag::goihw);
    b = bias_desc(a);
    stride = {a.stride[0], a.stride[1]};
    dilation = {a.dilation[0] - 1, a.dilation[1] - 1};  // oneDNN counts the gaps
    padding = {a.padding[0], a.padding[1]};
    // nabla passes the top/left padding; the bottom/right one is what the output size implies
    // (more than top/left for 'same' with an even kernel, less where a stride skips the end).
    for (int d = 0; d < 2; ++d) {
      const int64_t span = a.dilation[d] * (ws[2 + d] - 1) + 1;
      padding_r.push_back((a.y.shape[2 + d] - 1) * a.stride[d] + span - xs[2 + d] - padding[d]);
    }
    forward_pd.emplace(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                        dnnl::algorithm::convolution_direct, any_layout(x),
                                        any_layout(w), b, any_layout(y), stride, dilation,
                                        padding, padding_r),
        cpu_engine());
  }

  Forward& forward_primitives() {
    if (!forward)
      forward.emplace(Forward{dnnl::convolution_forward(*forward_pd),
                              Relayout(x, forward_pd->src_desc(), false),
                              Relayout(w, forward_pd->weights_desc(), false),
                              Relayout(y, forward_pd->dst_desc(), true)});
    return *forward;
  }
  BackwardData& backward_data_primitives() {
    if (!backward_data) {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct,
                                                any_layout(x), any_layout(w), any_layout(y),
                                                stride, dilation, padding, padding_r),
          cpu_engine(), *forward_pd);
      backward_data.emplace(BackwardData{dnnl::convolution_backward_data(pd),
                                         Relayout(y, pd.diff_dst_desc(), false),
                                         Relayout(w, pd.weights_desc(), false),
                                         Relayout(x, pd.diff_src_desc(), true)});
    }
    return *backward_data;
  }
  BackwardWeights& backward_weights_primitives() {
    if (!backward_weights) {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct,
                                                   any_layout(x), any_layout(w), b,
                                                   any_layout(y), stride, dilation, padding,
                                                   padding_r),
          cpu_engine(), *forward_pd);
      backward_weights.emplace(BackwardWeights{dnnl::convolution_backward_weights(pd),
                                               Relayout(x, pd.src_desc(), false),
                                               Relayout(y, pd.diff_dst_desc(), false),
                                               Relayout(w, pd.diff_weights_desc(), true)});
    }
    return *backward_weights;
  }
};

// Shapes of x, weight and y (4 each), stride, padding, dilation (2 each), groups, bias, threads.
using GeometryKey = std::array<int64_t, 21>;

GeometryKey geometry_key(const Conv2dArgs& a) {
  GeometryKey key;
  auto at = key.begin();
  for (const View* v : {&a.x, &a.weight, &a.y}) at = std::copy(v->shape.begin(), v->shape.end(), at);
  for (int64_t value : {a.stride[0], a.stride[1], a.padding[0], a.padding[1], a.dilation[0],
                        a.dilation[1], a.groups, static_cast<int64_t>(a.bias.data != nullptr),
                        static_cast<int64_t>(omp_get_max_threads())})
    *at++ = value;
  return key;
}

// The primitives of `args`' geometry, made on first use; nullptr when oneDNN refuses it (then
// remembered, so the refusal costs once).
template <class Primitives>
Primitives* lookup(const Conv2dArgs& args, Primitives& (Geometry::*make)()) {
  static std::mutex mutex;
  static std::map<GeometryKey, std::unique_ptr<Geometry>> cache;
  const std::lock_guard lock(mutex);
  auto [it, inserted] = cache.try_emplace(geometry_key(args));
  try {
    if (inserted) it->second = std::make_unique<Geometry>(args);
    if (!it->second) return nullptr;
    return &((*it->second).*make)();
  } catch (const dnnl::error&) {
    it->second.reset();
    return nullptr;
  }
}

}  // namespace

bool onednn_conv2d(OpId op, const Conv2dArgs& args, CachingAllocator& allocator) {
  if (!onednn_conv_enabled() || args.x.dtype != DType::f32) return false;
  if (args.x.numel() == 0 || args.y.numel() == 0) return false;
  thread_local dnnl::stream stream(cpu_engine());
  auto bias = [&] { return memory(bias_desc(args), cpu_engine(), args.bias.data); };
  switch (op) {
    case OpId::conv2d: {  // y from x, weight, bias
      Forward* p = lookup(args, &Geometry::forward_primitives);
      if (!p) return false;
      Staged x(p->x, args.x.data, allocator, stream);
      Staged w(p->w, args.weight.data, allocator, stream);
      Staged y(p->y, args.y.data, allocator, stream);
      std::unordered_map<int, memory> io{
          {DNNL_ARG_SRC, x.get()}, {DNNL_ARG_WEIGHTS, w.get()}, {DNNL_ARG_DST, y.get()}};
      if (args.bias.data) io[DNNL_ARG_BIAS] = bias();
      p->primitive.execute(stream, io);
      y.write_back(stream);
      stream.wait();  // before the Staged blocks go back to the allocator
      return true;
    }
    case OpId::conv2d_input_grad: {  // dx (in x) from dy (in y) and weight
      BackwardData* p = lookup(args, &Geometry::backward_data_primitives);
      if (!p) return false;
      Staged dy(p->dy, args.y.data, allocator, stream);
      Staged w(p->w, args.weight.data, allocator, stream);
      Staged dx(p->dx, args.x.data, allocator, stream);
      p->primitive.execute(stream, {{DNNL_ARG_DIFF_DST, dy.get()},
                                    {DNNL_ARG_WEIGHTS, w.get()},
                                    {DNNL_ARG_DIFF_SRC, dx.get()}});
      dx.write_back(stream);
      stream.wait();  // before the Staged blocks go back to the allocator
      return true;
    }
    case OpId::conv2d_weight_grad: {  // dweight and dbias (in weight, bias) from x and dy
      BackwardWeights* p = lookup(args, &Geometry::backward_weights_primitives);
      if (!p) return false;
      Staged x(p->x, args.x.data, allocator, stream);
      Staged dy(p->dy, args.y.data, allocator, stream);
      Staged dw(p->dw, args.weight.data, allocator, stream);
      std::unordered_map<int, memory> io{{DNNL_ARG_SRC, x.get()},
                                         {DNNL_ARG_DIFF_DST, dy.get()},
                                         {DNNL_ARG_DIFF_WEIGHTS, dw.get()}};
      if (args.bias.data) io[DNNL_ARG_DIFF_BIAS] = bias();
      p->primitive.execute(stream, io);
      dw.write_back(stream);
      stream.wait();  // before the Staged blocks go back to the allocator
      return true;
    }
    default:
      return false;
  }
}

#endif

}  // namespace nabla::cpu
