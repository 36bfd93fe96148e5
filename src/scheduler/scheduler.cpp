#include "lambdad/scheduler/scheduler.hpp"

#include <set>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/check.hpp"
#include "lambdad/common/function_name.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/scheduler/pool.hpp"

#include "code_not_built.hpp"

namespace lambdad::scheduler {
namespace {

namespace asio = boost::asio;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

/// Releases a concurrency slot when the invocation ends, however it ends: also when the
/// invocation's coroutine is destroyed with the io_context, after the scheduler (a call cut off
/// at the end of the shutdown grace), hence the shared ownership.
class SlotGuard {
 public:
  SlotGuard(std::shared_ptr<ConcurrencyLimits> limits, std::string function)
      : limits_(std::move(limits)), function_(std::move(function)) {}
  ~SlotGuard() { limits_->release(function_); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::shared_ptr<ConcurrencyLimits> limits_;
  std::string function_;
};

/// The config as its workers see it: without the events (the gateway's) and template lines,
/// which move whenever something above them in the template is edited, and without the reserved
/// concurrency, which only the scheduler's limits read (PutFunctionConcurrency keeps the warm
/// workers).
FunctionConfig worker_view(FunctionConfig config) {
  config.events.clear();
  config.line = 0;
  // The async retries read the EventInvokeConfig at each event, and tags are the Lambda API's:
  // no worker sees either.
  config.event_invoke_config = nullptr;
  config.reserved_concurrency.reset();
  if (config.properties.is_object()) {
    for (const char* key :
         {"Events", "EventInvokeConfig", "Tags", "ReservedConcurrentExecutions"}) {
      config.properties.erase(key);
    }
  }
  return config;
}

const std::string& fingerprint_of(const CodeFingerprints& code, const std::string& name) {
  static const std::string unknown;
  auto it = code.find(name);
  return it == code.end() ? unknown : it->second;
}

}  // namespace

bool keeps_workers(const Function& before, const FunctionConfig& after,
                   const std::string& code_after) {
  return !code_after.empty() && code_after == before.code_fingerprint &&
         worker_view(before.config) == worker_view(after);
}

bool keeps_workers(const PublishedVersion& before, const PublishedVersion& after) {
  return !after.code_fingerprint.empty() && after.code_fingerprint == before.code_fingerprint &&
         worker_view(before.config) == worker_view(after.config);
}

Scheduler::Scheduler(asio::any_io_executor executor, sandbox::ProcessLauncher& launcher,
                     store::Store* store, SchedulerSettings settings)
    : executor_(executor),
      launcher_(launcher),
      store_(store),
      settings_(std::move(settings)),
      limits_(std::make_shared<ConcurrencyLimits>(settings_.max_concurrency)),
      reap_timer_(executor) {}

Scheduler::~Scheduler() {
  shutting_down_ = true;
  reap_timer_.cancel();
  functions_.clear();
  draining_.clear();
}

namespace {

/// The function's versions: what its template's AutoPublishAlias publishes, and the API's.
FunctionVersions versions_of(const Publications& published, const FunctionConfig& config,
                             const std::string& code) {
  FunctionVersions versions = auto_published(config, code);
  if (auto it = published.find(config.name); it != published.end()) {
    versions.versions.insert(it->second.versions.begin(), it->second.versions.end());
    versions.aliases.insert(it->second.aliases.begin(), it->second.aliases.end());
  }
  return versions;
}

}  // namespace

void Scheduler::deploy(const std::vector<FunctionConfig>& configs, const CodeFingerprints& code,
                       const Publications& published) {
  for (const auto& config : configs) {
    const std::string& fingerprint = fingerprint_of(code, config.name);
    add_function(config, fingerprint, versions_of(published, config, fingerprint));
  }
  asio::co_spawn(executor_, reap_loop(), asio::detached);
}

void Scheduler::add_function(const FunctionConfig& config, const std::string& code,
                             const FunctionVersions& versions) {
  const std::string now = iso8601_ms(epoch_ms());
  Function& fn = functions_[config.name];
  const bool keep_latest = !fn.versions.empty() && keeps_workers(fn, config, code);
  if (!keep_latest) {
    // "2024-01-01T00:00:00.000+0000" is the LastModified format of the Lambda API.
    fn.last_modified = now.substr(0, now.size() - 1) + "+0000";
  }
  fn.config = config;
  fn.code_fingerprint = code;
  const worker::LogLimits& logs = settings_.log_limits;
  if (!fn.log_rate && (logs.bytes_per_second > 0 || logs.invocation_bytes > 0)) {
    fn.log_rate = std::make_shared<worker::LogRate>(logs);
  }
  auto old_published = std::move(fn.published);
  fn.published = versions.versions;
  fn.aliases = versions.aliases;
  make_pools(fn, std::exchange(fn.versions, {}), keep_latest, old_published);
  limits_->set_reserved(config.name, config.reserved_concurrency);
  logical_ids_[config.logical_id] = config.name;
}

void Scheduler::make_pools(Function& fn, std::map<std::string, std::unique_ptr<Pool>> old,
                           bool keep_latest,
                           const std::map<std::string, PublishedVersion>& old_published) {
  const auto place = [&](const std::string& version, const FunctionConfig& config, int provisioned,
                         bool keep) {
    auto before = old.find(version);
    if (keep && before != old.end()) {
      before->second->set_provisioned(provisioned);
      fn.versions[version] = std::move(before->second);
      old.erase(before);
      return;
    }
    const size_t warm = before == old.end() ? 0 : before->second->size();
    auto pool = std::make_unique<Pool>(*this, config, version, provisioned, fn.log_rate);
    pool->ensure_provisioned();
    if (warm > pool->size()) pool->prewarm(warm - pool->size());  // warm stays warm
    fn.versions[version] = std::move(pool);
  };
  place("$LATEST", fn.config, 0, keep_latest);
  for (const auto& [version, published] : fn.published) {
    const auto before = old_published.find(version);
    place(version, published.config, published.provisioned,
          before != old_published.end() && keeps_workers(before->second, published));
  }
  for (auto& [version, pool] : old) {
    pool->drain();
    draining_.push_back(std::move(pool));
  }
}

void Scheduler::drain(Function& fn) {
  for (auto& [version, pool] : fn.versions) {
    pool->drain();
    draining_.push_back(std::move(pool));
  }
  fn.versions.clear();
  fn.aliases.clear();
}

Scheduler::Redeployed Scheduler::redeploy(const std::vector<FunctionConfig>& configs,
                                          const CodeFingerprints& code,
                                          const Publications& published) {
  Redeployed result;
  std::set<std::string> names;
  for (const auto& config : configs) names.insert(config.name);
  for (auto it = functions_.begin(); it != functions_.end();) {
    if (names.contains(it->first)) {
      ++it;
      continue;
    }
    result.removed.push_back(it->first);
    drain(it->second);
    limits_->set_reserved(it->first, std::nullopt);
    it = functions_.erase(it);
  }
  logical_ids_.clear();
  for (const auto& config : configs) {
    const std::string& fingerprint = fingerprint_of(code, config.name);
    auto old = functions_.find(config.name);
    if (old == functions_.end()) {
      result.added.push_back(config.name);
    } else if (keeps_workers(old->second, config, fingerprint)) {
      result.kept.push_back(config.name);
    } else {
      result.replaced.push_back(config.name);
    }
    add_function(config, fingerprint, versions_of(published, config, fingerprint));
  }
  return result;
}

Resolved Scheduler::resolve(std::string_view text, std::string_view qualifier, bool route) {
  FunctionName parsed = parse_function_name(text);
  if (!parsed.qualifier.empty() && !qualifier.empty() && parsed.qualifier != qualifier) {
    throw errors::invalid_parameter(
        "The derived qualifier from the function name does not match the specified qualifier.");
  }
  std::string q = !parsed.qualifier.empty() ? parsed.qualifier : std::string(qualifier);
  auto it = functions_.find(parsed.name);
  if (it == functions_.end()) {
    // sam local addresses functions by logical id; accept that too.
    if (auto l = logical_ids_.find(parsed.name); l != logical_ids_.end()) {
      it = functions_.find(l->second);
    }
  }
  if (it == functions_.end()) throw errors::function_not_found(function_arn(parsed.name, q));
  Function& fn = it->second;
  std::string version = q.empty() ? "$LATEST" : q;
  if (auto alias = fn.aliases.find(version); alias != fn.aliases.end()) {
    const double draw = route && !alias->second.additional_version.empty()
                            ? std::uniform_real_distribution<double>(0, 1)(alias_draws_)
                            : 1.0;
    version = route_alias(alias->second, draw);
  }
  auto pool = fn.versions.find(version);
  if (pool == fn.versions.end()) throw errors::function_not_found(function_arn(fn.config.name, q));
  return {&fn, pool->second.get(), version, function_arn(fn.config.name, q)};
}

FunctionName Scheduler::check_exists(std::string_view name, std::string_view qualifier) {
  const Resolved resolved = resolve(name, qualifier);
  FunctionName parsed = parse_function_name(name);
  if (parsed.qualifier.empty()) parsed.qualifier = qualifier;
  parsed.name = resolved.function->config.name;
  return parsed;
}

std::optional<std::chrono::milliseconds> Scheduler::longest_invocation(
    const std::string& name) const {
  auto it = functions_.find(name);
  if (it == functions_.end()) return std::nullopt;
  return settings_.init_timeout + std::chrono::seconds(it->second.config.timeout_s);
}

FunctionInfo Scheduler::info(const Function& function, const std::string& version) {
  if (auto published = function.published.find(version); published != function.published.end()) {
    return {published->second.config, version, published->second.code_fingerprint,
            function.last_modified};
  }
  return {function.config, version, function.code_fingerprint, function.last_modified};
}

FunctionInfo Scheduler::describe(std::string_view name, std::string_view qualifier) {
  Resolved resolved = resolve(name, qualifier);
  return info(*resolved.function, resolved.version);
}

std::vector<FunctionInfo> Scheduler::list() const {
  std::vector<FunctionInfo> list;
  list.reserve(functions_.size());
  for (const auto& [name, fn] : functions_) list.push_back(info(fn, "$LATEST"));
  return list;
}

Stats Scheduler::stats() const {
  Stats stats;
  stats.functions.reserve(functions_.size());
  for (const auto& [name, fn] : functions_) {
    FunctionStats& f = stats.functions.emplace_back();
    f.name = name;
    f.in_flight = limits_->in_flight(name);
    if (fn.log_rate) {
      f.log_bytes_dropped_rate = fn.log_rate->dropped(worker::DropReason::kRateLimit);
      f.log_bytes_dropped_invocation = fn.log_rate->dropped(worker::DropReason::kInvocationLimit);
    }
    for (const auto& [version, pool] : fn.versions) {
      const size_t workers = pool->size(), idle = pool->idle_count();
      f.versions.push_back({.version = version,
                            .workers = workers,
                            .idle = idle,
                            .busy = workers - idle,
                            .provisioned = static_cast<size_t>(pool->provisioned()),
                            .initialized = pool->initialized_count()});
    }
  }
  stats.draining_workers = draining_workers();
  stats.sandbox_tier = settings_.sandbox ? settings_.sandbox->tier() : sandbox::Tier::kNone;
  return stats;
}

const Pool* Scheduler::pool_for_test(const std::string& name, const std::string& version) const {
  auto fn = functions_.find(name);
  if (fn == functions_.end()) return nullptr;
  auto pool = fn->second.versions.find(version);
  return pool == fn->second.versions.end() ? nullptr : pool->second.get();
}

asio::awaitable<InvokeResult> Scheduler::invoke(InvokeRequest request) {
  Resolved target = resolve(request.function, request.qualifier, /*route=*/true);
  if (shutting_down_) throw errors::service("lambdad is shutting down");
  if (auto reason = limits_->try_acquire(target.function->config.name)) {
    throw errors::too_many_requests(*reason);
  }
  SlotGuard slot(limits_, target.function->config.name);
  const FunctionConfig& config = target.pool->config();  // the version's
  if (!config.missing_code.empty()) {
    co_return code_not_built(config,
                             request.request_id.empty() ? new_request_id() : request.request_id,
                             target.version, request.tail, target.function->calls_without_code);
  }

  auto inv = std::make_shared<worker::Invocation>(executor_);
  inv->request_id = request.request_id.empty() ? new_request_id() : std::move(request.request_id);
  inv->payload = std::move(request.payload);
  inv->invoked_arn = target.invoked_arn;
  inv->client_context = std::move(request.client_context);
  inv->trace_id = new_trace_header();
  inv->version = target.version;
  inv->invocation_type = request.invocation_type;
  inv->tail = request.tail;
  inv->timeout = std::chrono::seconds(config.timeout_s);
  const std::string name = config.name;  // the pool may be gone when the call is redirected
  // Until the worker takes the event, the wait may include its init (bounded separately).
  inv->wake.expires_after(settings_.init_timeout + inv->timeout);

  std::weak_ptr<worker::Worker> worker = target.pool->run(inv);
  while (!inv->done) {
    auto [ec] = co_await inv->wake.async_wait(kAwait);
    if (inv->redirect && !inv->done) {
      // Resolved again: a redeploy may have replaced (and emptied) the pool meanwhile.
      inv->redirect = false;
      worker = resolve(name, inv->version).pool->run(inv);
      continue;
    }
    if (!ec && !inv->done) {
      if (auto w = worker.lock()) w->deadline_passed(*inv);
      LAMBDAD_CHECK(inv->done);
    }
  }
  InvokeResult result;
  result.request_id = inv->request_id;
  result.payload = std::move(inv->response);
  result.outcome = inv->outcome;
  if (inv->outcome != worker::Outcome::kSuccess) result.function_error = "Unhandled";
  result.executed_version = target.version;
  result.log_tail = std::move(inv->tail_log);
  co_return result;
}

asio::awaitable<void> Scheduler::reap_loop() {
  while (!shutting_down_) {
    reap_timer_.expires_after(std::min<std::chrono::milliseconds>(
        std::chrono::seconds(1),
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.idle_timeout) / 4 +
            std::chrono::milliseconds(1)));
    auto [ec] = co_await reap_timer_.async_wait(kAwait);
    if (ec || shutting_down_) co_return;
    const auto now = Clock::now();
    std::erase_if(draining_, [](const auto& pool) { return pool->size() == 0; });
    for (auto& [name, fn] : functions_) {
      for (auto& [version, pool] : fn.versions) {
        pool->reap(now, settings_.idle_timeout);
        pool->ensure_provisioned();
      }
    }
  }
}

size_t Scheduler::draining_workers() const {
  size_t n = 0;
  for (const auto& pool : draining_) n += pool->size();
  return n;
}

size_t Scheduler::worker_count() const {
  size_t n = draining_workers();
  for (const auto& [name, fn] : functions_) {
    for (const auto& [version, pool] : fn.versions) n += pool->size();
  }
  return n;
}

asio::awaitable<void> Scheduler::shutdown(std::chrono::milliseconds grace) {
  shutting_down_ = true;
  reap_timer_.cancel();
  asio::steady_timer tick(executor_);
  const auto drain_until = Clock::now() + grace;
  while (limits_->in_flight_total() > 0 && Clock::now() < drain_until) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(kAwait);
  }
  for (auto& [name, fn] : functions_) {
    for (auto& [version, pool] : fn.versions) pool->stop_all();
  }
  for (auto& pool : draining_) pool->stop_all();
  // Workers get SIGTERM, then SIGKILL after 300 ms; wait until every one has been reaped.
  const auto exit_until = Clock::now() + std::chrono::seconds(5);
  while (worker_count() > 0 && Clock::now() < exit_until) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(kAwait);
  }
  // A call cut off at the end of the grace resumes (and is answered) in a handler of its own
  // after its worker is reaped: the server stops its io_context when this returns, so wait for
  // those answers to be sent. Seen lost under ThreadSanitizer's slowdown (test_lifecycle).
  while (limits_->in_flight_total() > 0 && Clock::now() < exit_until) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(kAwait);
  }
}

}  // namespace lambdad::scheduler
