// Checkpoints: the trainer's whole state in one atomic safetensors file (io/checkpoint.hpp), so
// a killed or interrupted run resumes to bitwise the weights of an uninterrupted one.
//
// The trainer's own state is JSON text under "trainer". Doubles are written in nlohmann's
// shortest round-trip form and read back with strtod, so the running loss sum, the lr and the
// history come back bit for bit.
#include <filesystem>
#include <limits>

#include "nabla/io/checkpoint.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

namespace fs = std::filesystem;
using detail::Json;

namespace {

constexpr int kStateVersion = 1;
constexpr const char* kCallbackPrefix = "callback.";

std::string default_checkpoint(const TrainerOptions& options, const char* what) {
  NABLA_CHECK(!options.run_dir.empty(), "Trainer::", what,
              ": no path given and no run_dir in the options; pass a path or set run_dir");
  return (fs::path(options.run_dir) / "checkpoint" / "last.safetensors").string();
}

// Splits "lr.<key>" / "plateau.<key>" entries of the checkpoint's scheduler state.
optim::SchedulerState with_prefix(const optim::SchedulerState& all, const std::string& prefix) {
  optim::SchedulerState part;
  for (const auto& [key, value] : all)
    if (key.rfind(prefix, 0) == 0) part[key.substr(prefix.size())] = value;
  return part;
}

}  // namespace

Json Trainer::State::to_json() const {
  Json callback_states = Json::object();
  for (const auto& callback : callbacks) {
    Json values = Json::object();
    for (const auto& [key, value] : callback->state()) values[key] = detail::number_or_null(value);
    callback_states[callback->name()] = std::move(values);
  }
  Json ratios = Json::array();
  for (const auto& [name, ratio] : monitor.update_ratio)
    ratios.push_back(Json::array({name, detail::number_or_null(ratio)}));
  Json json{{"version", kStateVersion},
            {"next_epoch", next_epoch},
            {"batches_done", batches_done},
            {"global_step", global_step},
            {"epoch_sums",
             {{"loss", sums.loss},
              {"correct", sums.correct},
              {"samples", sums.samples},
              {"decisions", sums.decisions},
              {"seconds", sums.seconds},
              {"last_lr", detail::number_or_null(sums.last_lr)},
              {"skipped_steps", sums.skipped}}},
            {"monitor",
             {{"epoch", monitor.epoch},
              {"step", monitor.step},
              {"update_ratio", ratios},
              {"ratio_check", ratio_check.state()}}},
            {"history", detail::history_to_json(history)},
            {"callbacks", std::move(callback_states)},
            {"metrics_bytes", log.bytes()},
            {"metrics_csv_bytes", log.csv_bytes()}};
  // f16 only: an f32 / bf16 checkpoint holds no scaler, as torch's loops save scaler.state_dict()
  // only when they scale.
  if (scaling()) {
    Json scaler_state = Json::object();
    for (const auto& [key, value] : scaler->state_dict()) scaler_state[key] = value;
    json["grad_scaler"] = std::move(scaler_state);
  }
  return json;
}

void Trainer::State::from_json(const Json& json) {
  NABLA_CHECK(json.at("version").get<int>() == kStateVersion, "trainer state: version ",
              json.at("version").get<int>(), ", this nabla reads version ", kStateVersion);
  next_epoch = json.at("next_epoch").get<int64_t>();
  batches_done = json.at("batches_done").get<int64_t>();
  global_step = json.at("global_step").get<int64_t>();
  const Json& s = json.at("epoch_sums");
  sums.loss = s.at("loss").get<double>();
  sums.correct = s.at("correct").get<int64_t>();
  sums.samples = s.at("samples").get<int64_t>();
  // Checkpoints before multi-label training counted one decision per sample.
  sums.decisions = s.contains("decisions") ? s.at("decisions").get<int64_t>() : sums.samples;
  sums.seconds = s.at("seconds").get<double>();
  sums.last_lr = detail::number_from(s.at("last_lr"));
  sums.skipped = s.value("skipped_steps", int64_t{0});  // absent before mixed precision
  const Json& m = json.at("monitor");
  monitor = MonitorSnapshot{};
  monitor.epoch = m.at("epoch").get<int64_t>();
  monitor.step = m.at("step").get<int64_t>();
  for (const Json& pair : m.at("update_ratio"))
    monitor.update_ratio.emplace_back(pair.at(0).get<std::string>(), detail::number_from(pair.at(1)));
  if (m.contains("ratio_check")) ratio_check.load_state(m.at("ratio_check").get<std::vector<double>>());
  history = detail::history_from_json(json.at("history"));
}

void Trainer::State::save(const std::string& path) {
  const std::string target = path.empty() ? default_checkpoint(self.options_, "save_checkpoint") : path;
  bank_seconds();
  io::Checkpoint checkpoint;
  checkpoint.model = self.model_->state_dict();
  checkpoint.optimizer = self.optimizer_->state_dict();
  if (scheduler)
    for (const auto& [key, value] : scheduler->state_dict()) checkpoint.scheduler["lr." + key] = value;
  if (plateau)
    for (const auto& [key, value] : plateau->state_dict())
      checkpoint.scheduler["plateau." + key] = value;
  // Inside fit() between resume() and the first step the generator is not applied yet.
  checkpoint.generator = pending_generator ? *pending_generator : generator_state();
  checkpoint.extra = extra;
  for (const auto& callback : callbacks)
    for (const auto& [name, tensor] : callback->state_tensors())
      checkpoint.extra.emplace_back(kCallbackPrefix + callback->name() + "." + name, tensor);
  checkpoint.text["trainer"] = to_json().dump();
  const fs::path parent = fs::path(target).parent_path();
  std::error_code error;
  if (!parent.empty()) fs::create_directories(parent, error);
  NABLA_CHECK(!error, "Trainer: cannot create ", parent.string(), ": ", error.message(),
              "; check the run directory is writable");
  io::save_checkpoint(target, checkpoint);
}

void Trainer::save_checkpoint(const std::string& path) { state_->save(path); }

// Restores callbacks by name: their numbers from the JSON, their tensors from the extras.
void Trainer::State::load_callbacks(const Json& states, const nn::NamedTensors& checkpoint_extra) {
  extra.clear();
  for (const auto& [name, tensor] : checkpoint_extra)
    if (name.rfind(kCallbackPrefix, 0) != 0) extra.emplace_back(name, tensor);
  for (const auto& callback : callbacks) {
    const std::string prefix = kCallbackPrefix + callback->name() + ".";
    nn::NamedTensors tensors;
    for (const auto& [name, tensor] : checkpoint_extra)
      if (name.rfind(prefix, 0) == 0) tensors.emplace_back(name.substr(prefix.size()), tensor);
    if (states.contains(callback->name())) {
      std::map<std::string, double> values;
      for (const auto& [key, value] : states.at(callback->name()).items())
        values[key] = detail::number_from(value);
      callback->load_state(values);
    }
    callback->load_state_tensors(tensors);
  }
}

void Trainer::State::load_schedulers(const optim::SchedulerState& saved, const std::string& source) {
  const optim::SchedulerState lr = with_prefix(saved, "lr.");
  const optim::SchedulerState on_plateau = with_prefix(saved, "plateau.");
  NABLA_CHECK(static_cast<bool>(scheduler) == !lr.empty(), "Trainer::resume: ", source,
              lr.empty() ? " has no learning-rate scheduler state but this trainer has a scheduler"
                         : " holds a learning-rate scheduler's state but this trainer has none",
              "; configure the same schedule as the run that wrote it");
  NABLA_CHECK(static_cast<bool>(plateau) == !on_plateau.empty(), "Trainer::resume: ", source,
              on_plateau.empty() ? " has no ReduceLROnPlateau state but this trainer has one"
                                 : " holds a ReduceLROnPlateau state but this trainer has none",
              "; configure the same schedule as the run that wrote it");
  if (scheduler) scheduler->load_state_dict(lr);
  if (plateau) plateau->load_state_dict(on_plateau);
}

// The GradScaler's scale and growth count, so a resumed f16 run scales as the original would. A
// checkpoint and a trainer that disagree on loss scaling are an error, as for the schedulers.
void Trainer::State::load_grad_scaler(const Json& json, const std::string& source) {
  const bool saved = json.contains("grad_scaler");
  NABLA_CHECK(saved == scaling(), "Trainer::resume: ", source,
              saved ? " holds a GradScaler's state (precision f16) but this trainer does not scale "
                      "its loss"
                    : " has no GradScaler state but this trainer scales its loss (precision f16)",
              "; resume with the precision of the run that wrote it (train.precision)");
  if (!saved) return;
  NABLA_CHECK(json.at("grad_scaler").is_object(), "Trainer::resume: the GradScaler state in ",
              source, " is malformed; the file is damaged or from another program");
  std::map<std::string, double> state;
  for (const auto& [key, value] : json.at("grad_scaler").items())
    state[key] = value.is_number() ? value.get<double>() : NAN;
  scaler->load_state_dict(state);
}

bool Trainer::resume(const std::string& path) {
  State& s = *state_;
  const std::string source = path.empty() ? default_checkpoint(options_, "resume") : path;
  if (!fs::exists(source)) return false;
  io::Checkpoint checkpoint = io::load_checkpoint(source);
  const auto text = checkpoint.text.find("trainer");
  NABLA_CHECK(text != checkpoint.text.end(), "Trainer::resume: ", source,
              " has no \"trainer\" state; it is not a training checkpoint (load model weights "
              "with load_state_dict instead)");
  const Json json = Json::parse(text->second, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(json.is_object() && json.contains("callbacks") && json.contains("metrics_bytes"),
              "Trainer::resume: the trainer state in ", source,
              " is malformed; the file is damaged or from another program");
  // Schedulers first: their check is the likeliest to fail, before anything has changed.
  s.load_schedulers(checkpoint.scheduler, source);
  s.load_grad_scaler(json, source);
  model_->load_state_dict(checkpoint.model);
  optimizer_->load_state_dict(checkpoint.optimizer);
  try {
    s.from_json(json);
  } catch (const nlohmann::json::exception& e) {
    NABLA_FAIL("Trainer::resume: the trainer state in ", source, " is malformed (", e.what(),
               "); the file is damaged or from another program");
  }
  s.pending_generator = checkpoint.generator;
  set_generator_state(checkpoint.generator);
  s.load_callbacks(json.at("callbacks"), checkpoint.extra);
  // A checkpoint from before metrics.csv keeps that file whole.
  if (!options_.run_dir.empty())
    s.open_log(json.at("metrics_bytes").get<uint64_t>(),
               json.value("metrics_csv_bytes", std::numeric_limits<uint64_t>::max()), s.global_step);
  s.resumed = true;
  message("resumed from " + source + ": epoch " + std::to_string(s.next_epoch + 1) + ", batch " +
          std::to_string(s.batches_done) + ", step " + std::to_string(s.global_step));
  return true;
}

}  // namespace nabla::train
