#include "lambdad/server/server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "lambdad/common/private_dir.hpp"
#include "lambdad/control_api/control_api.hpp"
#include "lambdad/gateway/gateway.hpp"
#include "lambdad/http/server.hpp"
#include "lambdad/queue/backend.hpp"
#include "lambdad/queue/engine.hpp"
#include "lambdad/registry/registry.hpp"
#include "lambdad/runtime_api/endpoint.hpp"
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/store/store.hpp"
#include "schedule_fires.hpp"

namespace lambdad::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// The state dir, private to the server's user (0700); one left open to group or others (made
/// by an older lambdad, or by hand) is tightened, with a log line.
void prepare_state_dir(const std::filesystem::path& dir) {
  create_private_dirs(dir);
  try {
    if (auto old = make_private(dir)) {
      spdlog::info("state dir {} was open to group or others (mode {:04o}): now 0700", dir.string(),
                   static_cast<unsigned>(*old));
    }
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::warn("state dir {} is open to group or others and stays so: {}", dir.string(),
                 e.code().message());
  }
}

/// The soft open-file limit raised to the hard one (a server holds a socket per connection), logged
/// once with how the listeners share it.
uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

/// How a listener shares the open-file limit: at most this many connections, and none accepted
/// within `fd_reserve` fds of the limit. The gateway stops a quarter short of the limit, the lambda
/// port a sixteenth, so a flooded gateway leaves the lambda port (/healthz, Invoke) and the workers
/// (pipes, endpoints, cgroup files) room; a flooded lambda port leaves the workers theirs.
/// Absolute caps bound the memory idle connections hold.
struct FdShare {
  size_t max_connections;
  size_t fd_reserve;
};

FdShare gateway_share(uint64_t fd_limit) {
  return {std::clamp<uint64_t>(fd_limit / 2, 16, 10000), std::max<uint64_t>(fd_limit / 4, 32)};
}

FdShare lambda_share(uint64_t fd_limit) {
  return {std::clamp<uint64_t>(fd_limit / 4, 16, 4096), std::max<uint64_t>(fd_limit / 16, 8)};
}

http::ConnectionLimits with_share(http::ConnectionLimits limits, FdShare share) {
  limits.max_connections = share.max_connections;
  limits.fd_reserve = share.fd_reserve;
  return limits;
}

/// Whether every address `host` names is a loopback one (127.0.0.0/8, ::1): nothing beyond this
/// machine can reach a listener there.
bool loopback_only(const std::string& host) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto results = resolver.resolve(host, "0", tcp::resolver::passive, ec);
  if (ec || results.empty()) return false;
  for (const auto& entry : results) {
    if (!entry.endpoint().address().is_loopback()) return false;
  }
  return true;
}

/// A worker's own short-lived key (data plane only), in its environment instead of the server's
/// AWS_* variables, as a role's credentials are on AWS; the returned handle revokes it.
std::shared_ptr<void> issue_role_credentials(const std::shared_ptr<auth::Credentials>& credentials,
                                             std::vector<std::string>& env) {
  const auth::IssuedKey issued = credentials->issue_worker_key();
  std::erase_if(env, [](const std::string& entry) {
    return entry.starts_with("AWS_ACCESS_KEY_ID=") || entry.starts_with("AWS_SECRET_ACCESS_KEY=") ||
           entry.starts_with("AWS_SESSION_TOKEN=");
  });
  env.push_back("AWS_ACCESS_KEY_ID=" + issued.access_key_id);
  env.push_back("AWS_SECRET_ACCESS_KEY=" + issued.secret);
  env.push_back("AWS_SESSION_TOKEN=" + issued.session_token);
  // Runs on the io thread (a worker's process exit, or the worker's end), as every check does.
  return std::shared_ptr<void>(
      nullptr, [credentials, key = issued.access_key_id](void*) { credentials->remove(key); });
}

/// /metrics lines of the store: a full state disk and the rows it cost.
std::string store_metrics(const store::Store& store) {
  const store::Store::Stats stats = store.stats();
  std::string text;
  text +=
      "# HELP lambdad_store_disk_full 1 while the state disk is full: log lines are dropped, "
      "invocation records kept.\n";
  text += "# TYPE lambdad_store_disk_full gauge\n";
  text += std::string("lambdad_store_disk_full ") + (stats.disk_full ? "1" : "0") + "\n";
  text +=
      "# HELP lambdad_store_rows_dropped_total Rows the store could not write (a full disk, "
      "failing commits).\n";
  text += "# TYPE lambdad_store_rows_dropped_total counter\n";
  text += "lambdad_store_rows_dropped_total{kind=\"log_line\"} " +
          std::to_string(stats.log_lines_dropped) + "\n";
  text += "lambdad_store_rows_dropped_total{kind=\"invocation\"} " +
          std::to_string(stats.records_dropped) + "\n";
  return text;
}

/// /healthz: degraded while the state disk is full.
std::optional<std::string> store_health(const store::Store& store) {
  const store::Store::Stats stats = store.stats();
  if (!stats.disk_full) return std::nullopt;
  return "the state disk is full: log lines are dropped, invocation records kept (" +
         stats.disk_full_reason + ")";
}

/// What applies to a function version's Event invocations, asked at each event (a change made
/// through the API applies to the next attempt): its EventInvokeConfig (the API's for the
/// qualifier, or the template's), and reserved concurrency 0.
async::EventPolicy event_policy(const registry::Registry& registry, const std::string& name,
                                const std::string& qualifier) {
  async::EventPolicy policy;
  if (const auto config = registry.event_invoke_config(name, qualifier)) {
    policy.max_retries = config->maximum_retry_attempts;
    policy.max_event_age_s = config->maximum_event_age_s;
    policy.on_success = config->on_success.value_or("");
    policy.on_failure = config->on_failure.value_or("");
  }
  if (registry.find(name)) policy.disabled = registry.reserved_concurrency(name) == 0;
  return policy;
}

/// The lambda port as a worker reaches it: a wildcard address is reached on loopback.
std::string worker_url(const std::string& host, uint16_t port) {
  std::string reach = host;
  if (host == "0.0.0.0" || host.empty()) reach = "127.0.0.1";
  if (host == "::") reach = "::1";
  if (reach.find(':') != std::string::npos) reach = "[" + reach + "]";
  return "http://" + reach + ":" + std::to_string(port);
}

}  // namespace

struct Server::Impl {
  Template tmpl;
  ServerOptions options;
  // Before the io_context: workers (held by its coroutines) must be gone before their parent
  // cgroup.
  std::unique_ptr<sandbox::WorkerCgroups> cgroups;
  scheduler::Runtimes runtimes;
  std::unique_ptr<sandbox::Sandbox> sandbox;  // outlives the launcher and every worker's spec
  // Concurrency hint 1: the io_context runs on one thread, so Asio can skip its internal locking.
  asio::io_context ioc{1};
  std::unique_ptr<sandbox::ProcessLauncher> launcher = sandbox::make_posix_launcher();
  std::unique_ptr<store::Store> store;
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<queue::Engine> queue;  // its thread commits what is asked before it stops
  std::unique_ptr<async::AsyncInvoker> async;
  std::unique_ptr<ScheduleFires> schedules;  // fires into `async`
  std::unique_ptr<control_api::ControlApi> control;
  std::unique_ptr<Redeployer> redeployer;
  std::unique_ptr<HotReload> hot_reload;  // its thread posts to ioc: stopped before ioc goes
  std::optional<tcp::acceptor> gateway;
  std::optional<tcp::acceptor> lambda;

  void listen(std::optional<tcp::acceptor>& acceptor, uint16_t port,
              std::shared_ptr<const http::Handler> handler, const char* what,
              http::ConnectionLimits limits = {}) {
    acceptor.emplace(http::listen(ioc.get_executor(), options.host, port));
    auto& a = *acceptor;
    asio::co_spawn(ioc, http::accept_loop(a, std::move(handler), limits), asio::detached);
    std::printf("%s listening on http://%s:%u\n", what, options.host.c_str(),
                static_cast<unsigned>(a.local_endpoint().port()));
    std::fflush(stdout);
  }

  /// Finds node / python3 for the template's functions; a missing one stops the start.
  void check_runtimes() {
    runtimes.probe(&tmpl.functions);
    for (const auto& f : tmpl.functions) {
      if (const auto* found = runtimes.interpreter(scheduler::runtime_family(f.runtime))) {
        spdlog::debug("function {}: {} on {} {}", f.name, f.runtime, found->path, found->version);
      }
    }
    const auto check = runtimes.check(tmpl.functions);
    for (const auto& warning : check.warnings) spdlog::warn("{}", warning.message);
    if (check.errors.empty()) return;
    std::string message;
    for (const auto& error : check.errors) {
      message += (message.empty() ? "" : "\n") + error.message;
    }
    throw std::runtime_error(message);
  }

  /// The interpreters of functions made through the Lambda API (the template's were checked
  /// before): one that is absent now is a warning, and their invocations fail.
  void check_api_runtimes() {
    std::vector<FunctionConfig> api;
    for (const auto& record : registry->list()) {
      if (record.origin == registry::Origin::kApi) api.push_back(record.config);
    }
    if (api.empty()) return;
    runtimes.probe(&api);
    const auto check = runtimes.check(api);
    for (const auto& finding : check.errors) spdlog::warn("{}", finding.message);
    for (const auto& finding : check.warnings) spdlog::warn("{}", finding.message);
  }

  /// The queue engine on `<state-dir>/queue.db` and the Event invocations it holds, which
  /// start running now (those of an earlier run first).
  void start_async() {
    queue = std::make_unique<queue::Engine>(ioc.get_executor(),
                                            queue::open_sqlite(options.state_dir / "queue.db"));
    async = std::make_unique<async::AsyncInvoker>(
        *scheduler, *queue, options.async,
        [r = registry.get()](const std::string& name, const std::string& qualifier) {
          return event_policy(*r, name, qualifier);
        });
    asio::co_spawn(ioc, async->start(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);  // the store cannot be read: nothing can run
    });
    schedules = std::make_unique<ScheduleFires>(ioc.get_executor(), *async, *queue);
    asio::co_spawn(ioc, schedules->start(tmpl.schedules), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }

  /// Hot reload's watches and the fingerprints of the code about to be deployed (none when it
  /// is off, or when inotify is unavailable: then the server runs without it, with a warning).
  scheduler::CodeFingerprints start_watching() {
    if (!options.watch || !options.listen) return {};
    WatchOptions watch = options.watch_options;
    watch.state_dir = options.state_dir;
    watch.filter.exclude(options.state_dir);
    for (const auto& dir : options.sandbox.writable) watch.filter.exclude(dir);
    // Our own log, when it is a file inside a code folder (`serve . 2> lambdad.log` with
    // `CodeUri: .`), would otherwise make a reload per line it logs.
    for (const char* fd : {"/proc/self/fd/1", "/proc/self/fd/2"}) {
      std::error_code ec;
      const auto target = std::filesystem::read_symlink(fd, ec);
      if (!ec && std::filesystem::is_regular_file(target, ec)) watch.filter.exclude(target);
    }
    try {
      hot_reload = std::make_unique<HotReload>(std::move(watch), tmpl);
      return hot_reload->code();
    } catch (const std::system_error& e) {
      spdlog::warn("hot reload is off: {}", e.what());
      return {};
    }
  }

  asio::awaitable<void> shutdown() {
    boost::system::error_code ignored;
    if (gateway) gateway->close(ignored);
    if (lambda) lambda->close(ignored);
    if (options.git) options.git->stop();
    if (hot_reload) hot_reload->stop();
    if (async) async->stop_leasing();
    co_await scheduler->shutdown(options.shutdown_grace);
    // Events cut off by the shutdown are given back (not an attempt) before the io_context stops.
    if (async) co_await async->drained();
    ioc.stop();
  }
};

Server::Server(Template tmpl, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->tmpl = std::move(tmpl);
  impl_->options = std::move(options);
}

Server::~Server() {
  if (!impl_) return;
  impl_->hot_reload.reset();
  impl_->control.reset();
  impl_->registry.reset();  // joins its thread
  impl_->schedules.reset();
  impl_->async.reset();
  impl_->scheduler.reset();
  impl_->queue.reset();  // commits what the events asked last
  impl_->gateway.reset();
  impl_->lambda.reset();
  impl_->store.reset();  // flushes what is queued
}

void Server::start() {
  Impl& s = *impl_;
  const rlim_t soft_before = [] {
    rlimit limit{};
    return ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : 0;
  }();
  const uint64_t fd_limit = raise_fd_limit();
  const FdShare gateway = gateway_share(fd_limit), lambda = lambda_share(fd_limit);
  spdlog::info(
      "open files: {} ({}); connections: gateway {} (none within {} fds of the limit), lambda "
      "api {} (within {}), each worker's Runtime API {}",
      fd_limit,
      soft_before == fd_limit ? std::string("the hard limit")
                              : "raised from " + std::to_string(soft_before) + " to the hard limit",
      gateway.max_connections, gateway.fd_reserve, lambda.max_connections, lambda.fd_reserve,
      runtime_api::kMaxConnections);
  if (s.options.listen && s.options.credentials.empty() && !loopback_only(s.options.host)) {
    throw std::runtime_error(
        "--host " + s.options.host +
        " is not a loopback address, and no credentials are configured: the lambda port "
        "(Invoke, deploys, logs) would be open to the network without authentication. Give "
        "--credentials ACCESS_KEY_ID:SECRET (or LAMBDAD_CREDENTIALS) so that every call must be "
        "SigV4-signed, or listen on 127.0.0.1");
  }
  prepare_state_dir(s.options.state_dir);
  // Workers never see it, even where it lies inside a function's code folder (CodeUri ./).
  s.options.sandbox.hidden.push_back(s.options.state_dir);
  const auto db_file = s.options.state_dir / "lambdad.db";
  s.store = store::Store::open(db_file);
  std::string why = "--no-cgroups given";
  sandbox::Leftovers leftovers;
  if (s.options.cgroups) s.cgroups = sandbox::WorkerCgroups::probe(why, &leftovers);
  if (!leftovers.servers.empty()) {
    std::sort(leftovers.servers.begin(), leftovers.servers.end());
    leftovers.servers.erase(std::unique(leftovers.servers.begin(), leftovers.servers.end()),
                            leftovers.servers.end());
    std::string pids;
    for (pid_t pid : leftovers.servers) pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
    spdlog::warn(
        "removed the cgroup folders of lambdad servers that were killed (pid {}): {} process{} "
        "still in them killed{}",
        pids, leftovers.processes, leftovers.processes == 1 ? "" : "es",
        leftovers.folders_left
            ? ", " + std::to_string(leftovers.folders_left) + " folder(s) not removable yet"
            : std::string());
  }
  if (s.cgroups) {
    spdlog::info("worker limits (MemorySize, pids) and Max Memory Used: {}", s.cgroups->describe());
  } else {
    spdlog::warn("workers run without a memory limit; Max Memory Used from /proc: {}", why);
  }
  s.options.scheduler.cgroups = s.cgroups.get();
  s.sandbox = sandbox::Sandbox::create(s.options.sandbox);
  spdlog::info("{}", s.sandbox->describe());
  const auto& host = s.sandbox->host();
  spdlog::log(host.endpoint_guard_missing.empty() ? spdlog::level::info : spdlog::level::warn, "{}",
              host.endpoint_guard_line());
  s.options.scheduler.guard_runtime_api = host.endpoint_guard_missing.empty();
  s.launcher = s.sandbox->make_launcher();
  s.options.scheduler.sandbox = s.sandbox.get();
  s.check_runtimes();
  s.options.scheduler.runtimes = &s.runtimes;
  auto credentials = std::make_shared<auth::Credentials>(s.options.credentials);
  if (!credentials->empty() && s.options.listen) {
    s.options.scheduler.role_credentials = [credentials](std::vector<std::string>& env) {
      return issue_role_credentials(credentials, env);
    };
  }
  auto lambda_endpoint = std::make_shared<std::string>();
  s.options.scheduler.lambda_endpoint = lambda_endpoint;
  s.scheduler = std::make_unique<scheduler::Scheduler>(s.ioc.get_executor(), *s.launcher,
                                                       s.store.get(), s.options.scheduler);
  // The registry: the template's functions and those made through the Lambda API; the
  // scheduler serves its merged set.
  s.registry = std::make_unique<registry::Registry>(
      s.ioc.get_executor(),
      registry::RegistryOptions{
          .state_dir = s.options.state_dir,
          .now_ms = {},
          .check = [&s](const FunctionConfig& f) { s.redeployer->check_runtime(f); },
          .concurrency_limit = s.options.scheduler.max_concurrency});
  const scheduler::CodeFingerprints template_code = s.start_watching();
  s.registry->open(s.tmpl.functions, template_code);
  s.check_api_runtimes();
  s.scheduler->deploy(s.registry->functions(), Redeployer::fingerprints(*s.registry, template_code),
                      s.registry->publications());
  if (!s.options.listen) return;
  s.control = std::make_unique<control_api::ControlApi>(*s.scheduler, db_file);
  s.control->set_registry(*s.registry);
  s.start_async();
  s.control->set_async(*s.async);
  s.control->add_metrics([a = s.async.get()] { return a->metrics(); });
  s.control->set_access({.credentials = credentials,
                         .allow_worker_control = s.options.allow_worker_control,
                         .worker_check = host.endpoint_guard_missing.empty()});
  if (!s.options.credentials.empty()) {
    spdlog::info(
        "lambda port: every request but /healthz and /metrics must be SigV4-signed by "
        "one of {} access key(s)",
        s.options.credentials.size());
  } else {
    spdlog::info(
        "lambda port: no credentials configured; requests need no signature "
        "(loopback only)");
  }
  if (s.options.allow_worker_control) {
    spdlog::warn("lambda port: workers may call management operations (--allow-worker-control)");
  } else if (!host.endpoint_guard_missing.empty()) {
    spdlog::warn(
        "lambda port: workers cannot be told apart on this host ({}): functions may "
        "call management operations",
        host.endpoint_guard_missing);
  }
  gateway::Front front = gateway::make_front(s.tmpl, *s.scheduler, s.options.gateway);
  // A redeploy swaps the gateway's routes and the schedules.
  auto swap_triggers = [reload = front.reload, fires = s.schedules.get()](const Template& t) {
    reload(t);
    fires->update(t.schedules);
  };
  s.redeployer = std::make_unique<Redeployer>(*s.scheduler, s.runtimes, *s.registry,
                                              std::move(swap_triggers), template_code);
  s.registry->on_change([r = s.redeployer.get()] { r->registry_changed(); });
  s.control->add_metrics([r = s.redeployer.get()] { return r->metrics(); });
  s.control->add_metrics([store = s.store.get()] { return store_metrics(*store); });
  s.control->add_health_check([store = s.store.get()] { return store_health(*store); });
  if (auto* git = s.options.git.get()) {
    git->start(s.ioc.get_executor(), *s.redeployer);
    s.control->set_deploy_hook([git] { return git->deploy_now(); });
  }
  if (s.hot_reload) s.hot_reload->start(s.ioc.get_executor(), *s.redeployer);
  s.listen(s.gateway, s.options.api_port, front.handler, "gateway",
           with_share(gateway::connection_limits(), gateway));
  s.listen(s.lambda, s.options.lambda_port, s.control->handler(), "lambda api",
           with_share({}, lambda));
  // Workers start on the io thread, which runs after start(): every one sees the port.
  *lambda_endpoint = worker_url(s.options.host, s.lambda->local_endpoint().port());
}

int Server::run_until_signal() {
  Impl& s = *impl_;
  asio::signal_set signals(s.ioc, SIGINT, SIGTERM);
  signals.async_wait([&s](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: draining in-flight invocations and stopping workers", signal);
    asio::co_spawn(s.ioc, s.shutdown(), asio::detached);
  });
  s.ioc.run();
  s.store->flush();
  spdlog::info("stopped");
  return 0;
}

scheduler::InvokeResult Server::invoke_once(scheduler::InvokeRequest request) {
  Impl& s = *impl_;
  std::optional<scheduler::InvokeResult> result;
  std::exception_ptr failure;
  asio::co_spawn(
      s.ioc,
      [&]() -> asio::awaitable<void> {
        try {
          result = co_await s.scheduler->invoke(std::move(request));
        } catch (...) {
          failure = std::current_exception();
        }
        co_await s.shutdown();
      },
      asio::detached);
  s.ioc.run();
  s.store->flush();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace lambdad::server
