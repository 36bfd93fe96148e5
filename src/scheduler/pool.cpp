#include "lambdad/scheduler/pool.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "lambdad/scheduler/scheduler.hpp"
#include "lambdad/scheduler/spawn_spec.hpp"

namespace lambdad::scheduler {

Pool::Pool(Scheduler& scheduler, const FunctionConfig& config, std::string version, int provisioned,
           std::shared_ptr<worker::LogRate> log_rate)
    : scheduler_(scheduler),
      config_(config),
      version_(std::move(version)),
      // Code not built yet (missing_code) starts no worker: invoke() answers for it.
      provisioned_(config.missing_code.empty() ? provisioned : 0),
      log_rate_(std::move(log_rate)) {
  if (!config_.missing_code.empty()) return;  // nothing to spawn (and nothing to bind) yet
  try {
    base_spec_ = build_spawn_spec(config_, version_, scheduler_.settings().runtimes,
                                  scheduler_.settings().sandbox);
  } catch (const std::exception& e) {
    spdlog::warn("function {}: {}", config_.name, e.what());
  }
}

Pool::~Pool() {
  stop_all();
}

std::shared_ptr<worker::Worker> Pool::run(std::shared_ptr<worker::Invocation> invocation) {
  if (!idle_.empty()) {
    auto worker = std::move(idle_.back());
    idle_.pop_back();
    worker->assign(std::move(invocation));
    return worker;
  }
  return spawn(std::move(invocation), false);
}

std::shared_ptr<worker::Worker> Pool::spawn(std::shared_ptr<worker::Invocation> first,
                                            bool provisioned) {
  auto worker = std::make_shared<worker::Worker>(
      scheduler_.executor(), *this, scheduler_.launcher(), scheduler_.store(),
      worker::WorkerSettings{.function = config_.name,
                             .version = version_,
                             .memory_mb = config_.memory_mb,
                             .listen_host = scheduler_.settings().runtime_api_host,
                             .guard_endpoint = scheduler_.settings().guard_runtime_api,
                             .cgroups = scheduler_.settings().cgroups,
                             .log_rate = log_rate_,
                             .role_credentials = scheduler_.settings().role_credentials,
                             .lambda_endpoint = scheduler_.settings().lambda_endpoint});
  workers_.emplace(worker.get(), worker);
  sandbox::SpawnSpec spec = base_spec_;
  if (spec.executable.empty()) {
    // Unsupported runtime: exec of an empty path fails and reports Runtime.InvalidEntrypoint.
    spec.executable = config_.runtime;
    spec.argv = {spec.executable};
    spec.cwd = config_.code_dir.string();
  }
  spec.env.push_back(std::string("AWS_LAMBDA_INITIALIZATION_TYPE=") +
                     (provisioned ? "provisioned-concurrency" : "on-demand"));
  worker->start(std::move(spec), std::move(first));
  return worker;
}

void Pool::worker_idle(worker::Worker& worker) {
  auto it = workers_.find(&worker);
  if (it == workers_.end()) return;
  if (scheduler_.shutting_down() || draining_) {
    worker.stop();
    return;
  }
  idle_.push_back(it->second);
}

void Pool::worker_exited(worker::Worker& worker) {
  std::erase_if(idle_, [&](const auto& w) { return w.get() == &worker; });
  workers_.erase(&worker);
  if (provisioned_ > 0 && !scheduler_.shutting_down() && !draining_) {
    // A provisioned worker that dies at init would otherwise be restarted in a tight loop.
    provision_backoff_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  }
}

void Pool::reap(std::chrono::steady_clock::time_point now, std::chrono::seconds idle_timeout) {
  // idle_ is in most-recently-used order, so the stalest workers are at the front.
  size_t reapable = workers_.size() > static_cast<size_t>(provisioned_)
                        ? workers_.size() - static_cast<size_t>(provisioned_)
                        : 0;
  size_t count = 0;
  while (count < idle_.size() && count < reapable &&
         now - idle_[count]->idle_since() >= idle_timeout) {
    ++count;
  }
  for (size_t i = 0; i < count; ++i) {
    spdlog::debug("function {}: reaping idle worker {}", config_.name, idle_[i]->id());
    idle_[i]->stop();
  }
  idle_.erase(idle_.begin(), idle_.begin() + static_cast<long>(count));
}

void Pool::prewarm(size_t count) {
  if (!config_.missing_code.empty()) return;
  for (size_t i = 0; i < count && !scheduler_.shutting_down(); ++i) spawn(nullptr, false);
}

void Pool::drain() {
  draining_ = true;
  for (auto& worker : idle_) worker->stop();
  idle_.clear();
}

void Pool::ensure_provisioned() {
  if (scheduler_.shutting_down() || draining_ ||
      std::chrono::steady_clock::now() < provision_backoff_until_) {
    return;
  }
  while (workers_.size() < static_cast<size_t>(provisioned_)) spawn(nullptr, true);
}

void Pool::set_provisioned(int provisioned) {
  if (!config_.missing_code.empty()) return;
  provisioned_ = provisioned;
  ensure_provisioned();
}

size_t Pool::initialized_count() const {
  return static_cast<size_t>(std::count_if(workers_.begin(), workers_.end(), [](const auto& entry) {
    return entry.second->initialized();
  }));
}

void Pool::stop_all() {
  idle_.clear();
  for (auto& [ptr, worker] : workers_) worker->stop();
}

}  // namespace lambdad::scheduler
