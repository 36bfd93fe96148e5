// What the host allows, found by trying: a trial worker contained in every namespace runs
// /bin/true; a plain child installs the seccomp filter. The strongest tier that worked is used.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>

#include "jail.hpp"
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/endpoint_guard.hpp"
#include "lambdad/sandbox/exec_report.hpp"

namespace lambdad::sandbox {
namespace {

namespace fs = std::filesystem;

std::string find_init() {
  if (const char* path = std::getenv("LAMBDAD_INIT"); path && *path) return path;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path beside = exe.parent_path() / "lambdad-init";
  return ::access(beside.c_str(), X_OK) == 0 ? beside.string() : std::string();
}

std::string true_binary() {
  for (const char* path : {"/usr/bin/true", "/bin/true"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "/bin/true";
}

/// Runs a trial worker to its end (5 s at most); empty when it exited 0 with no report.
std::string trial(ProcessLauncher& launcher, const SpawnSpec& spec, const Jail* jail) {
  SpawnedProcess p;
  try {
    p = launcher.spawn(spec);
  } catch (const std::exception& e) {
    return e.what();
  }
  pollfd pfd{p.pidfd, POLLIN, 0};
  std::string why;
  int ready = 0;
  // Generous: a loaded machine (a CI run beside other builds) must not lose the sandbox.
  for (int waited_ms = 0; ready != 1 && waited_ms < 20000; waited_ms += 100) {
    ready = ::poll(&pfd, 1, 100);
  }
  if (ready != 1) {
    std::ifstream wchan("/proc/" + std::to_string(p.pid) + "/wchan");
    std::string where;
    std::getline(wchan, where);
    launcher.kill_group(p.pid, SIGKILL);
    why = "the trial worker did not finish within 20 s (waiting in " + where + ")";
  }
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED);
  ExecReport report;
  while (why.empty() && ::read(p.exec_status_fd, &report, sizeof report) == sizeof report) {
    if (report.kind == kRuntimeExited) {
      if (!WIFEXITED(report.detail) || WEXITSTATUS(report.detail) != 0) {
        why = "the trial worker ended with status " + std::to_string(report.detail);
      }
      continue;
    }
    why = std::string(report.kind == kExecFailed ? "exec" : "setup step ") +
          (report.kind == kExecFailed ? std::string()
           : report.detail >= kStepOps && jail &&
                   static_cast<size_t>(report.detail - kStepOps) < jail->names.size()
               ? "'" + jail->names[static_cast<size_t>(report.detail - kStepOps)] + "'"
               : "'" + std::string(setup_step_name(report.detail)) + "'") +
          ": " + std::strerror(report.error);
  }
  if (why.empty() && (info.si_code != CLD_EXITED || info.si_status != 0)) {
    why = "the trial worker ended with " + describe_wait_status(info.si_code, info.si_status);
  }
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd, p.runtime_api_fd}) {
    if (fd >= 0) ::close(fd);
  }
  return why;
}

std::vector<std::string> probe_cgroups() {
  std::vector<std::string> lines;
  for (const char* controller : {"memory", "pids", "cpu"}) {
    const fs::path mount = fs::path("/sys/fs/cgroup") / controller;
    auto own = own_cgroup(controller);
    if (!own || !fs::exists(mount / "cgroup.procs")) {
      lines.push_back(std::string("cgroup v1 ") + controller + ": not mounted");
      continue;
    }
    const fs::path dir = mount / own->substr(1);
    const bool writable = ::access(dir.c_str(), W_OK) == 0;
    lines.push_back(std::string("cgroup v1 ") + controller + ": " + dir.string() +
                    (writable ? " (writable)" : " (read-only)"));
  }
  for (const char* mount : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    const fs::path root(mount);
    if (!fs::exists(root / "cgroup.controllers")) continue;
    auto own = own_cgroup("");
    const fs::path dir = own ? root / own->substr(1) : root;
    std::ifstream in(dir / "cgroup.controllers");
    std::string controllers;
    std::getline(in, controllers);
    const bool writable = ::access(dir.c_str(), W_OK) == 0;
    lines.push_back("cgroup v2 at " + dir.string() + ": controllers [" + controllers + "]" +
                    (writable ? " (writable)" : " (read-only)"));
  }
  return lines;
}

HostProbe probe_host(const SandboxOptions& options, std::unique_ptr<SeccompFilter>* filter_out,
                     std::shared_ptr<const Sandbox::Shared>* shared_out) {
  HostProbe host;
  host.uid = ::geteuid();
  host.root = host.uid == 0;
  host.cgroups = probe_cgroups();
  auto posix = make_posix_launcher();
  std::unique_ptr<SeccompFilter> filter;
  try {
    filter = SeccompFilter::build();
    SpawnSpec spec{.executable = true_binary(), .argv = {"true"}, .env = {}, .cwd = "/"};
    spec.seccomp = filter->program();
    host.seccomp_detail = trial(*posix, spec, nullptr);
    host.seccomp = host.seccomp_detail.empty();
    if (host.seccomp) {
      host.seccomp_detail = std::to_string(filter->instructions()) + " BPF instructions, " +
                            std::to_string(SeccompFilter::denied_names().size()) +
                            " system calls denied";
    }
  } catch (const std::exception& e) {
    host.seccomp_detail = e.what();
  }

  host.init_path = find_init();
  if (host.init_path.empty()) {
    host.namespaces_detail = "lambdad-init not found beside the binary (or $LAMBDAD_INIT)";
  } else {
    try {
      auto shared = prepare_shared(options, host.init_path);
      JailRequest request{.code_dir = "/usr/bin",
                          .layers = {},
                          .runtime_dir = {},
                          .interpreters = {},
                          .ephemeral_storage_mb = 1};
      auto jail = prepare_jail(shared, request, host.seccomp ? filter->program() : nullptr);
      SpawnSpec spec{.executable = true_binary(), .argv = {"true"}, .env = {}, .cwd = "/var/task"};
      spec.jail = jail;
      auto launcher = make_namespace_launcher(make_posix_launcher());
      host.namespaces_detail = trial(*launcher, spec, jail.get());
      host.namespaces = host.namespaces_detail.empty();
      if (host.namespaces) {
        host.namespaces_detail = "user, pid, mount, ipc, uts namespaces; runs as uid " +
                                 std::to_string(shared->uid) + " gid " +
                                 std::to_string(shared->gid);
        if (shared_out) *shared_out = shared;
        // Workers without network: an empty network namespace with the Runtime API inside.
        request.network = false;
        spec.jail = prepare_jail(shared, request, host.seccomp ? filter->program() : nullptr);
        spec.private_network = true;
        host.network_detail = trial(*launcher, spec, spec.jail.get());
        host.network_namespaces = host.network_detail.empty();
        if (host.network_namespaces) host.network_detail = "a worker may have no network";
      }
    } catch (const std::exception& e) {
      host.namespaces_detail = e.what();
    }
  }
  if (filter_out && host.seccomp) *filter_out = std::move(filter);
  return host;
}

}  // namespace

std::string_view tier_name(Tier tier) {
  switch (tier) {
    case Tier::kNone:
      return "none";
    case Tier::kProcess:
      return "process";
    case Tier::kNamespaces:
      return "namespaces";
  }
  return "none";
}

std::optional<Tier> parse_tier(std::string_view name) {
  for (Tier t : {Tier::kNone, Tier::kProcess, Tier::kNamespaces}) {
    if (tier_name(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view setup_step_name(int step) {
  switch (step) {
    case kStepSync:
      return "waiting for the id maps";
    case kStepCgroup:
      return "joining the cgroup";
    case kStepPrivate:
      return "making mounts private";
    case kStepRootTmpfs:
      return "mounting the root tmpfs";
    case kStepPivot:
      return "pivot_root";
    case kStepRemountRoot:
      return "remounting / read-only";
    case kStepHostname:
      return "sethostname";
    case kStepCredentials:
      return "switching to the unprivileged uid/gid";
    case kStepCapabilities:
      return "dropping capabilities";
    case kStepNoNewPrivs:
      return "no_new_privs";
    case kStepStdio:
      return "stdio";
    case kStepChdir:
      return "chdir to the task root";
    case kStepSeccomp:
      return "seccomp";
    case kStepExecInit:
      return "exec lambdad-init";
    case kStepLoopback:
      return "network namespace: loopback up";
    case kStepRuntimeApiSocket:
      return "network namespace: Runtime API socket";
    default:
      return step >= kStepOps ? "building the root" : "setup";
  }
}

Tier HostProbe::strongest() const {
  if (namespaces && seccomp) return Tier::kNamespaces;
  if (seccomp) return Tier::kProcess;
  return Tier::kNone;
}

std::string HostProbe::endpoint_guard_line() const {
  return endpoint_guard_missing.empty()
             ? "worker endpoints: only the worker's own processes may connect (socket diagnostics)"
             : "worker endpoints: NOT guarded, any local process may connect to a worker's "
               "Runtime API: " +
                   endpoint_guard_missing;
}

std::vector<std::string> HostProbe::describe() const {
  std::vector<std::string> lines;
  lines.push_back(root ? "running as root (uid 0)" : "running as uid " + std::to_string(uid));
  lines.push_back(std::string("seccomp: ") + (seccomp ? "yes, " : "no: ") + seccomp_detail);
  lines.push_back(std::string("namespaces: ") + (namespaces ? "yes, " : "no: ") +
                  namespaces_detail);
  lines.push_back("network namespaces: " + std::string(network_namespaces ? "yes, " : "no: ") +
                  (network_detail.empty() ? "needs the namespaces tier" : network_detail));
  lines.push_back("lambdad-init: " + (init_path.empty() ? std::string("not found") : init_path));
  for (const auto& line : cgroups) lines.push_back(line);
  lines.push_back(endpoint_guard_line());
  lines.push_back("strongest tier: " + std::string(tier_name(strongest())));
  return lines;
}

HostProbe Sandbox::probe() {
  HostProbe host = probe_host({}, nullptr, nullptr);
  host.endpoint_guard_missing = probe_endpoint_guard();
  return host;
}

std::unique_ptr<Sandbox> Sandbox::create(const SandboxOptions& options) {
  std::unique_ptr<Sandbox> sandbox(new Sandbox);
  sandbox->options_ = options;
  auto check_network = [&](Tier tier) {
    if (options.network) return;
    const HostProbe& host = sandbox->host_;
    if (tier != Tier::kNamespaces) {
      throw std::runtime_error(
          "--worker-network none needs the sandbox tier `namespaces`, not `" +
          std::string(tier_name(tier)) + "`" +
          (host.namespaces_detail.empty() ? std::string() : ": " + host.namespaces_detail));
    }
    if (!host.network_namespaces) {
      throw std::runtime_error("--worker-network none: no network namespace here: " +
                               host.network_detail);
    }
  };
  const std::string guard_missing = probe_endpoint_guard();
  sandbox->host_.endpoint_guard_missing = guard_missing;
  // Forcing `none` skips the probe altogether (but for the endpoint guard's).
  if (options.tier == Tier::kNone) {
    check_network(Tier::kNone);
    return sandbox;
  }
  sandbox->host_ = probe_host(options, &sandbox->seccomp_, &sandbox->shared_);
  sandbox->host_.endpoint_guard_missing = guard_missing;
  const Tier strongest = sandbox->host_.strongest();
  Tier tier = options.tier.value_or(strongest);
  if (static_cast<int>(tier) > static_cast<int>(strongest)) {
    throw std::runtime_error(
        "--sandbox " + std::string(tier_name(tier)) + " is not available here: " +
        (tier == Tier::kNamespaces && !sandbox->host_.namespaces ? sandbox->host_.namespaces_detail
                                                                 : sandbox->host_.seccomp_detail));
  }
  check_network(tier);
  sandbox->tier_ = tier;
  if (tier != Tier::kNamespaces) sandbox->shared_.reset();
  return sandbox;
}

Sandbox::~Sandbox() = default;

std::string Sandbox::describe() const {
  std::string line = "sandbox tier: " + std::string(tier_name(tier_));
  switch (tier_) {
    case Tier::kNamespaces:
      line += " (" + host_.namespaces_detail + "; seccomp " + host_.seccomp_detail + ")";
      break;
    case Tier::kProcess:
      line += " (process group, rlimits, seccomp; " +
              (options_.tier ? std::string("forced")
                             : "namespaces unavailable: " + host_.namespaces_detail) +
              ")";
      break;
    case Tier::kNone:
      line += options_.tier ? " (forced: workers run unconfined as the server's user)"
                            : " (seccomp unavailable: " + host_.seccomp_detail + ")";
      break;
  }
  return line;
}

void Sandbox::apply(SpawnSpec& spec, const JailRequest& request) const {
  bool network = request.network.value_or(options_.network);
  if (!network && tier_ == Tier::kNamespaces && !host_.network_namespaces) {
    spdlog::warn(
        "{} asks for no network, but this host gives no network namespace ({}); its "
        "workers use the host's network",
        request.code_dir.string(), host_.network_detail);
    network = true;
  }
  if (tier_ == Tier::kNamespaces) {
    JailRequest resolved = request;
    resolved.network = network;
    spec.jail = prepare_jail(shared_, resolved, seccomp_ ? seccomp_->program() : nullptr);
    spec.private_network = !network;
    return;
  }
  if (!network) {
    spdlog::warn(
        "{} asks for no network, which needs the sandbox tier `namespaces`; its workers "
        "use the host's network (tier {})",
        request.code_dir.string(), tier_name(tier_));
  }
  if (tier_ == Tier::kProcess) spec.seccomp = seccomp_->program();
}

std::unique_ptr<ProcessLauncher> Sandbox::make_launcher() const {
  if (tier_ == Tier::kNamespaces) return make_namespace_launcher(make_posix_launcher());
  return make_posix_launcher();
}

}  // namespace lambdad::sandbox
