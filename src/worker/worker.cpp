#include "lambdad/worker/worker.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/check.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/log_sampling.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/http/error_response.hpp"
#include "lambdad/sandbox/endpoint_guard.hpp"
#include "lambdad/sandbox/exec_report.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/store/store.hpp"
#include "lambdad/worker/memory.hpp"

namespace lambdad::worker {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
/// Outside an invocation (init, a background process after the answer) a worker whose lines are
/// being dropped says so at most this often; an invocation's drops are told once, before its END.
constexpr auto kDropMarkerInterval = std::chrono::seconds(1);

std::string make_log_stream(const std::string& version, const std::string& id) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y/%m/%d", &tm);
  return std::string(date) + "/[" + version + "]" + id;
}

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

http::Response accepted(const http::RequestHeader& header) {
  http::Response r{http::bhttp::status::accepted, header.version()};
  r.keep_alive(http::wants_keep_alive(header));
  r.set(http::bhttp::field::content_type, "application/json");
  r.body() = R"({"status":"OK"})";
  return r;
}

http::Response invalid_state(const http::RequestHeader& header, std::string_view to) {
  return http::runtime_error(header, 403, "InvalidStateTransition",
                             "State transition to " + std::string(to) +
                                 " failed for runtime. Error: State transition is not allowed");
}

std::string error_body(std::string_view type, const std::string& message) {
  return http::dump_lenient(nlohmann::json{{"errorMessage", message}, {"errorType", type}});
}

/// The payload a function error is returned with: the runtime's JSON as posted, else one built
/// from the error-type header.
std::pair<std::string, std::string> function_error(http::Request& request) {
  std::string type(request["Lambda-Runtime-Function-Error-Type"]);
  auto parsed = nlohmann::json::parse(request.body(), nullptr, false);
  if (parsed.is_object()) {
    if (auto it = parsed.find("errorType"); it != parsed.end() && it->is_string()) {
      type = it->get<std::string>();
    }
    return {std::move(request.body()), type.empty() ? "Runtime.Unknown" : type};
  }
  if (type.empty()) type = "Runtime.Unknown";
  return {error_body(type, request.body()), type};
}

std::string invalid_entrypoint_message(int error, const std::string& executable) {
  if (error == ENOENT) return "Couldn't find valid bootstrap(s): [" + executable + "]";
  return "fork/exec " + executable + ": " + std::strerror(error);
}

}  // namespace

Worker::Worker(asio::any_io_executor executor, WorkerOwner& owner,
               sandbox::ProcessLauncher& launcher, store::Store* store, WorkerSettings settings)
    : executor_(executor),
      owner_(owner),
      launcher_(launcher),
      store_(store),
      settings_(std::move(settings)),
      id_(random_hex(32)),
      log_stream_(make_log_stream(settings_.version, id_)),
      acceptor_(executor),
      log_budget_(settings_.log_rate),
      parked_next_(executor) {}

Worker::~Worker() {
  for (int fd : {process_.exec_status_fd}) {
    if (fd >= 0) ::close(fd);
  }
}

void Worker::add_service_endpoints(sandbox::SpawnSpec& spec) const {
  // A worker without a network (its own empty namespace) cannot reach the port.
  if (spec.private_network || !settings_.lambda_endpoint || settings_.lambda_endpoint->empty()) {
    return;
  }
  // The SDKs read AWS_ENDPOINT_URL_<SERVICE>; a function's own setting wins.
  const std::string key = "AWS_ENDPOINT_URL_LAMBDA=";
  for (const std::string& entry : spec.env) {
    if (entry.starts_with(key)) return;
  }
  spec.env.push_back(key + *settings_.lambda_endpoint);
}

void Worker::start(sandbox::SpawnSpec spec, std::shared_ptr<Invocation> first) {
  current_ = std::move(first);
  if (current_) current_->waited_for_init = true;
  state_ = current_ ? State::kBusy : State::kStarting;
  auto self = shared_from_this();
  try {
    if (spec.private_network) {
      // The launcher makes the socket inside the worker's own network namespace.
      spec.env.push_back("AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001");
    } else {
      acceptor_ = http::listen(executor_, settings_.listen_host, 0);
      spec.env.push_back("AWS_LAMBDA_RUNTIME_API=" + settings_.listen_host + ":" +
                         std::to_string(acceptor_.local_endpoint().port()));
    }
    spec.env.push_back("AWS_LAMBDA_LOG_STREAM_NAME=" + log_stream_);
    add_service_endpoints(spec);
    if (settings_.role_credentials) role_credentials_ = settings_.role_credentials(spec.env);
    if (settings_.cgroups) {
      cgroup_ =
          settings_.cgroups->create(id_, sandbox::CgroupLimits::for_function(settings_.memory_mb));
    }
    if (cgroup_) spec.cgroup_dir_fd = cgroup_->clone_into_fd();
    executable_ = spec.executable;
    spawned_at_ = Clock::now();
    process_ = launcher_.spawn(spec);
    if (cgroup_ && !process_.in_cgroup) cgroup_->attach_later(process_.pid, process_.pidfd);
    if (process_.runtime_api_fd >= 0) {
      acceptor_.assign(asio::ip::tcp::v4(), process_.runtime_api_fd);
    }
    // In a namespaced sandbox the process is lambdad-init, with the runtime as its child.
    peak_memory_ = std::make_unique<PeakMemory>(process_.pid, spec.jail != nullptr);
  } catch (const std::exception& e) {
    spdlog::error("function {}: cannot start a worker: {}", settings_.function, e.what());
    role_credentials_.reset();
    state_ = State::kDead;
    exited_ = true;
    if (current_) fail_current(Outcome::kCrash, e.what());
    asio::post(executor_, [self] { self->owner_.worker_exited(*self); });
    return;
  }
  auto handler = runtime_api::make_handler(weak_from_this());
  asio::co_spawn(executor_, serve_endpoint(self, std::move(handler)), asio::detached);
  auto backlogged = [store = store_] {
    return store && store->backlog_bytes() > store::Store::kBacklogHighWater;
  };
  auto sink = [this](std::string_view line) { log(line); };
  stdout_ = std::make_unique<LogPipe>(executor_, process_.stdout_fd, sink, backlogged);
  stderr_ = std::make_unique<LogPipe>(executor_, process_.stderr_fd, sink, backlogged);
  for (LogPipe* pipe : {stdout_.get(), stderr_.get()}) {
    asio::co_spawn(executor_, read_pipe(self, pipe), asio::detached);
  }
  pidfd_ = std::make_unique<asio::posix::stream_descriptor>(executor_, process_.pidfd);
  asio::co_spawn(executor_, watch_exit(self), asio::detached);
}

// Coroutine functions rather than capturing lambdas: parameters live in the coroutine frame, and
// each one keeps the worker alive until its loop ends.
asio::awaitable<void> Worker::serve_endpoint(std::shared_ptr<Worker> self,
                                             std::shared_ptr<const http::Handler> handler) {
  co_await http::accept_loop(self->acceptor_, std::move(handler),
                             {.read_timeout = std::nullopt,
                              .write_timeout = std::nullopt,
                              .max_connections = runtime_api::kMaxConnections,
                              .evict_idle = false});
}

asio::awaitable<void> Worker::read_pipe(std::shared_ptr<Worker> self, LogPipe* pipe) {
  co_await pipe->run();
  // The pipe's last writer is gone: say what the limits dropped since the last marker.
  if (self->log_budget_.has_dropped()) self->log_dropped(nullptr);
}

void Worker::assign(std::shared_ptr<Invocation> invocation) {
  LAMBDAD_CHECK(state_ == State::kIdle && !current_);
  current_ = std::move(invocation);
  state_ = State::kBusy;
  parked_next_.cancel();
}

asio::awaitable<http::Response> Worker::next(const http::Request& request) {
  if (state_ == State::kDead) {
    co_return http::runtime_error(request.base(), 500, "ServiceException",
                                  "Runtime is shutting down");
  }
  if (current_ && current_->delivered) co_return invalid_state(request.base(), "Ready");
  if (!init_duration_ms_) mark_initialized();
  // A newer /next replaces a waiting one (the runtime may have reconnected).
  const uint64_t generation = ++next_generation_;
  parked_next_.cancel();
  auto self = shared_from_this();
  while (!current_ || current_->delivered) {
    parked_next_.expires_at(Clock::time_point::max());
    co_await parked_next_.async_wait(kAwait);
    if (generation != next_generation_ || state_ == State::kDead) {
      auto r = http::runtime_error(request.base(), 500, "ServiceException", "Superseded");
      r.keep_alive(false);
      co_return r;
    }
  }
  co_return deliver(request);
}

void Worker::mark_initialized() {
  init_duration_ms_ = ms_between(spawned_at_, Clock::now());
  if (current_) {
    current_->init_duration_ms = init_duration_ms_;
    return;
  }
  state_ = State::kIdle;
  idle_since_ = Clock::now();
  owner_.worker_idle(*this);
}

http::Response Worker::deliver(const http::Request& request) {
  Invocation& inv = *current_;
  inv.delivered = true;
  inv.delivered_at = Clock::now();
  inv.start_epoch_ms = epoch_ms();
  inv.wake.expires_at(inv.delivered_at + inv.timeout);  // the function's own time starts now
  if (log_budget_.has_dropped()) log_dropped(nullptr);  // before this invocation: not its lines
  log_budget_.new_invocation();
  log_platform(start_line(inv.request_id, inv.version));

  http::Response r{http::bhttp::status::ok, request.version()};
  r.keep_alive(request.keep_alive());
  r.set(http::bhttp::field::content_type, "application/json");
  r.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  r.set("Lambda-Runtime-Deadline-Ms", std::to_string(inv.start_epoch_ms + inv.timeout.count()));
  r.set("Lambda-Runtime-Invoked-Function-Arn", inv.invoked_arn);
  r.set("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (!inv.client_context.empty()) r.set("Lambda-Runtime-Client-Context", inv.client_context);
  r.body() = std::move(inv.payload);
  return r;
}

std::optional<http::Response> Worker::check_request_id(std::string_view id,
                                                       const http::RequestHeader& header) const {
  if (!current_ || !current_->delivered) return invalid_state(header, "InvocationResponse");
  if (id != current_->request_id) {
    return http::runtime_error(header, 400, "InvalidRequestID", "Invalid request ID");
  }
  return std::nullopt;
}

http::Response Worker::response(std::string_view request_id, http::Request& request) {
  if (auto rejected = check_request_id(request_id, request.base())) return *rejected;
  LogPipe::drain(*stdout_, *stderr_);
  complete(Outcome::kSuccess, std::move(request.body()), {});
  return accepted(request.base());
}

http::Response Worker::error(std::string_view request_id, http::Request& request) {
  if (auto rejected = check_request_id(request_id, request.base())) return *rejected;
  LogPipe::drain(*stdout_, *stderr_);
  auto [body, type] = function_error(request);
  complete(Outcome::kFunctionError, std::move(body), type);
  return accepted(request.base());
}

http::Response Worker::init_error(http::Request& request) {
  if (init_duration_ms_ || state_ == State::kDead)
    return invalid_state(request.base(), "InitError");
  const double init_ms = ms_between(spawned_at_, Clock::now());
  auto [body, type] = function_error(request);
  char line[160];
  std::snprintf(line, sizeof line,
                "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s",
                init_ms, type.c_str());
  LogPipe::drain(*stdout_, *stderr_);
  log_platform(line);
  state_ = State::kDead;
  if (current_) {
    current_->init_duration_ms = init_ms;
    log_platform(start_line(current_->request_id, current_->version));
    complete(Outcome::kInitError, std::move(body), type);
  }
  // The environment is reset after an init error; the next invocation starts a fresh worker.
  launcher_.kill_group(process_.pid, SIGKILL);
  return accepted(request.base());
}

bool Worker::admits(const http::Peer& peer) {
  // A private network namespace holds no process but the worker's.
  if (!settings_.guard_endpoint || process_.runtime_api_fd >= 0) return true;
  std::string why;
  const auto inode = sandbox::client_socket_inode(peer.remote.data(), peer.local.data(), &why);
  if (inode && sandbox::tree_holds_socket(process_.pid, *inode)) return true;
  // Logged at 1, 10, 100, ... refusals, so a scanning function cannot flood the log.
  const uint64_t n = ++refused_connections_;
  if (logged_occurrence(n)) {
    spdlog::warn(
        "function {}: refused a Runtime API connection from port {} that is not the worker's own "
        "process{} ({} so far)",
        settings_.function, peer.remote.port(), why.empty() ? "" : ": " + why, n);
  }
  return false;
}

http::Response Worker::response_too_large(std::string_view request_id,
                                          const http::RequestHeader& header) {
  if (auto rejected = check_request_id(request_id, header)) return *rejected;
  complete(
      Outcome::kResponseTooLarge,
      error_body(error_type(Outcome::kResponseTooLarge),
                 "Response payload size exceeded maximum allowed payload size (6291556 bytes)."),
      std::string(error_type(Outcome::kResponseTooLarge)));
  return http::runtime_error(header, 413, "RequestEntityTooLarge",
                             "Exceeded maximum allowed payload size (6291556 bytes).");
}

void Worker::deadline_passed(Invocation& invocation) {
  if (current_.get() != &invocation || invocation.done) return;
  const double seconds = static_cast<double>(invocation.timeout.count()) / 1000.0;
  char message[128];
  std::snprintf(message, sizeof message, "Task timed out after %.2f seconds", seconds);
  LogPipe::drain(*stdout_, *stderr_);
  if (!invocation.delivered) log_platform(start_line(invocation.request_id, invocation.version));
  log_platform(timeout_line(epoch_ms(), invocation.request_id, seconds));
  state_ = State::kDead;
  launcher_.kill_group(process_.pid, SIGKILL);
  complete(Outcome::kTimeout,
           error_body(error_type(Outcome::kTimeout),
                      "RequestId: " + invocation.request_id + " Error: " + message),
           std::string(error_type(Outcome::kTimeout)));
}

void Worker::fail_current(Outcome outcome, const std::string& message) {
  const std::string type(error_type(outcome));
  const std::string text = "RequestId: " + current_->request_id + " Error: " + message;
  if (!current_->delivered) log_platform(start_line(current_->request_id, current_->version));
  log_platform(text);
  log_platform(type);
  complete(outcome, error_body(type, text), type);
}

void Worker::complete(Outcome outcome, std::string response, std::string error_type) {
  if (log_budget_.has_dropped()) log_dropped(current_.get());
  std::shared_ptr<Invocation> inv = std::move(current_);
  inv->finished_at = Clock::now();
  if (!inv->delivered) {
    inv->delivered_at = inv->finished_at;
    inv->start_epoch_ms = epoch_ms();
  }
  inv->done = true;
  inv->outcome = outcome;
  inv->response = std::move(response);
  inv->error_type = std::move(error_type);

  const double duration = ms_between(inv->delivered_at, inv->finished_at);
  const int max_memory = max_memory_used_mb(duration);
  std::optional<double> init = inv->waited_for_init ? inv->init_duration_ms : std::nullopt;
  if (inv->tail) {
    inv->append_tail(end_line(inv->request_id));
    inv->append_tail(
        report_line({inv->request_id, duration, settings_.memory_mb, max_memory, init}));
  }
  if (store_) {
    // The record carries the END and REPORT lines, which the store's thread writes out.
    store_->record({.request_id = inv->request_id,
                    .function = settings_.function,
                    .version = settings_.version,
                    .invocation_type = inv->invocation_type,
                    .log_stream = log_stream_,
                    .start_ms = inv->start_epoch_ms,
                    .duration_ms = duration,
                    .billed_ms = billed_duration_ms(duration),
                    .init_duration_ms = init,
                    .memory_size_mb = settings_.memory_mb,
                    .max_memory_used_mb = max_memory,
                    .cold = inv->waited_for_init,
                    .outcome = std::string(record_name(outcome)),
                    .error_type = inv->error_type,
                    .with_end_lines = true,
                    .end_ms = epoch_ms()});
  }
  inv->wake.cancel();
  if (state_ != State::kDead) {
    state_ = State::kIdle;
    idle_since_ = Clock::now();
    owner_.worker_idle(*this);
  }
}

asio::awaitable<void> Worker::watch_exit(std::shared_ptr<Worker> self) {
  auto& pidfd = *self->pidfd_;
  (void)co_await pidfd.async_wait(asio::posix::descriptor_base::wait_read, kAwait);
  siginfo_t info{};
  if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.native_handle()), &info,
             WEXITED) != 0) {
    // Should not happen (we own the pid); still tell the owner the worker is gone.
    spdlog::error("waitid on worker {} failed: {}", self->process_.pid, std::strerror(errno));
  }
  self->on_exit(info.si_code, info.si_status);
}

void Worker::on_exit(int code, int status) {
  exited_ = true;
  state_ = State::kDead;
  role_credentials_.reset();  // a worker's credentials die with it
  if (kill_timer_) kill_timer_->cancel();
  LogPipe::drain(*stdout_, *stderr_);
  // The exec-status pipe: an exec or sandbox-setup failure, or (sandboxed workers, whose direct
  // child is lambdad-init) the runtime's own wait status.
  int exec_errno = 0;
  std::string entrypoint_message;
  sandbox::ExecReport report;
  while (process_.exec_status_fd >= 0 &&
         ::read(process_.exec_status_fd, &report, sizeof report) == sizeof report) {
    if (report.kind == sandbox::kRuntimeExited) {
      if (WIFEXITED(report.detail)) {
        code = CLD_EXITED;
        status = WEXITSTATUS(report.detail);
      } else if (WIFSIGNALED(report.detail)) {
        code = WCOREDUMP(report.detail) ? CLD_DUMPED : CLD_KILLED;
        status = WTERMSIG(report.detail);
      }
    } else if (!exec_errno && report.error) {
      exec_errno = report.error;
      entrypoint_message = report.kind == sandbox::kSetupFailed
                               ? "sandbox setup failed (" +
                                     std::string(sandbox::setup_step_name(report.detail)) +
                                     "): " + std::strerror(report.error)
                               : invalid_entrypoint_message(exec_errno, executable_);
    }
  }
  if (cgroup_ && code == CLD_KILLED && status == SIGKILL && cgroup_->oom_killed()) {
    spdlog::warn(
        "function {}: worker {} used its {} MB (MemorySize) and was killed by the kernel's "
        "OOM killer",
        settings_.function, id_, settings_.memory_mb);
  }
  if (current_ && !current_->done && !current_->delivered && !current_->waited_for_init &&
      !current_->redirected) {
    // The runtime answered its last event and exited (an uncaught exception after posting the
    // error) before asking for this one: it never saw it, so another worker may run it.
    current_->redirect = current_->redirected = true;
    current_->wake.cancel();
    current_.reset();
  }
  if (current_ && !current_->done) {
    if (exec_errno) {
      fail_current(Outcome::kInvalidEntrypoint, entrypoint_message);
    } else {
      fail_current(Outcome::kCrash,
                   "Runtime exited with error: " + sandbox::describe_wait_status(code, status));
    }
  } else if (exec_errno) {
    spdlog::warn("function {}: worker could not start: {}", settings_.function, entrypoint_message);
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  pidfd_->close(ignored);
  parked_next_.cancel();
  owner_.worker_exited(*this);
}

void Worker::stop() {
  if (exited_) return;
  state_ = State::kDead;
  launcher_.kill_group(process_.pid, SIGTERM);
  kill_timer_ = std::make_unique<asio::steady_timer>(executor_, std::chrono::milliseconds(300));
  kill_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->exited_) self->launcher_.kill_group(self->process_.pid, SIGKILL);
  });
}

void Worker::log(std::string_view line) {
  const bool in_invocation = current_ && current_->delivered;
  const auto now = Clock::now();
  if (!log_budget_.admit(line, now)) {
    if (!in_invocation && now - log_budget_.dropping_since() >= kDropMarkerInterval) {
      log_dropped(nullptr);
    }
    return;
  }
  if (!in_invocation && log_budget_.has_dropped()) log_dropped(nullptr);  // the drops ended
  if (in_invocation) current_->append_tail(line);
  if (!store_) return;
  store_->append({.function = settings_.function,
                  .version = settings_.version,
                  .log_stream = log_stream_,
                  .request_id = in_invocation ? current_->request_id : std::string(),
                  .timestamp_ms = epoch_ms(),
                  .message = std::string(line)});
}

void Worker::log_platform(std::string line) {
  if (current_) current_->append_tail(line);
  if (!store_) return;
  store_->append({.function = settings_.function,
                  .version = settings_.version,
                  .log_stream = log_stream_,
                  .request_id = current_ ? current_->request_id : std::string(),
                  .timestamp_ms = epoch_ms(),
                  .message = std::move(line)});
}

void Worker::log_dropped(Invocation* invocation) {
  const std::string request_id = invocation ? invocation->request_id : std::string();
  std::string line = log_budget_.take_marker(request_id);
  if (invocation) invocation->append_tail(line);
  if (!store_) return;
  store_->append({.function = settings_.function,
                  .version = settings_.version,
                  .log_stream = log_stream_,
                  .request_id = request_id,
                  .timestamp_ms = epoch_ms(),
                  .message = std::move(line)});
}

int Worker::max_memory_used_mb(double duration_ms) {
  const uint64_t from_cgroup = cgroup_ ? cgroup_->peak_bytes().value_or(0) : 0;
  // A worker moved into its cgroup after it started has memory charged elsewhere: /proc counts it.
  const bool cgroup_counts_all = cgroup_ && process_.in_cgroup && from_cgroup > 0;
  uint64_t bytes = from_cgroup;
  if (peak_memory_ && !cgroup_counts_all && proc_peak_due(from_cgroup, duration_ms)) {
    bytes = std::max(bytes, peak_memory_->bytes());
    proc_read_at_ = Clock::now();
    cgroup_peak_at_proc_read_ = from_cgroup;
  }
  last_peak_mb_ = std::max(last_peak_mb_, static_cast<int>((bytes + (1u << 20) - 1) >> 20));
  return last_peak_mb_;
}

// Rendering /proc/PID/status costs ~10 µs, a quarter of lambdad's whole share of a warm call, so
// a reading less than a second old stands while nothing says the tree grew: its cgroup's peak
// (which new pages are charged to) has not moved, or, without cgroups, the call was too short
// to fault in more than a few MB (zeroing pages runs at ~10 GB/s).
bool Worker::proc_peak_due(uint64_t cgroup_peak, double duration_ms) const {
  constexpr double kQuickCall = 0.25;
  if (Clock::now() - proc_read_at_ >= std::chrono::seconds(1)) return true;
  if (cgroup_) return cgroup_peak != cgroup_peak_at_proc_read_;
  return duration_ms >= kQuickCall;
}

}  // namespace lambdad::worker
