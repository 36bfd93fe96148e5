#pragma once
/// @brief The worker sandbox, after nsjail: what the host allows (probe), the tier lambdad runs at,
/// what is prepared once (the seccomp program, the system folders of the minimal root, each
/// function's jail) and the launcher that contains every worker.
///
/// Tiers, strongest first:
///  - `namespaces`: new user, PID, mount, IPC and UTS namespaces (network: only when asked), uid
///  and
///    gid mapped to one unprivileged id, a minimal read-only root built with pivot_root (system
///    folders, /var/task, /opt, /var/runtime, private /tmp, own /proc, minimal /dev), every
///    capability dropped, no_new_privs, rlimits, parent-death signal, fds closed, seccomp last.
///    The runtime runs under lambdad-init (PID 1 of the worker's namespace).
///  - `process`: the worker's own process group, rlimits, parent-death signal, no inherited fds,
///    no_new_privs and the same seccomp filter; it sees the host's files as the server's user.
///  - `none`: as `process` without seccomp and no_new_privs (the pre-sandbox behaviour).
///
/// Thread safety: create() once at start; afterwards every member is read-only.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdad/sandbox/process.hpp"
#include "lambdad/sandbox/seccomp.hpp"

namespace lambdad::sandbox {

enum class Tier { kNone, kProcess, kNamespaces };

std::string_view tier_name(Tier tier);
/// "none", "process", "namespaces"; nullopt for anything else.
std::optional<Tier> parse_tier(std::string_view name);

/// What the host allows, found by trying (not by reading sysctls).
struct HostProbe {
  bool root = false;
  uid_t uid = 0;
  bool seccomp = false;
  std::string seccomp_detail;  ///< instructions, or why not
  bool namespaces = false;     ///< a trial worker was contained and ran /bin/true
  std::string namespaces_detail;
  bool network_namespaces = false;  ///< a trial worker also ran without network
  std::string network_detail;
  std::string init_path;             ///< lambdad-init, or empty
  std::vector<std::string> cgroups;  ///< one line per hierarchy: writable or not
  /// Why a worker's endpoint cannot tell its own processes from others here (endpoint_guard.hpp);
  /// empty when it can, at every tier.
  std::string endpoint_guard_missing;

  Tier strongest() const;
  /// "worker endpoints: ..." in the start-up log and `lambdad doctor`.
  std::string endpoint_guard_line() const;
  /// What `lambdad doctor` prints.
  std::vector<std::string> describe() const;
};

struct SandboxOptions {
  std::optional<Tier> tier;  ///< forced (--sandbox); default: the strongest the host allows
  /// false (--worker-network none): by default workers get an empty network namespace whose only
  /// endpoint is their own Runtime API. Needs the `namespaces` tier.
  bool network = true;
  /// Host folders bound read-write at the same path inside every worker (--sandbox-writable; the
  /// integration tests use one to collect what functions write).
  std::vector<std::filesystem::path> writable;
  /// Host folders no worker may see (the server's state dir): where one lies inside a folder the
  /// jail binds (a function's code folder, a layer, a writable folder), an empty read-only tmpfs
  /// covers it inside the jail.
  std::vector<std::filesystem::path> hidden;
};

/// What a function's worker sees, in host paths (spawn_spec.cpp fills it in).
struct JailRequest {
  std::filesystem::path code_dir;             ///< → /var/task
  std::vector<std::filesystem::path> layers;  ///< → /opt, in order, a later one wins
  std::filesystem::path runtime_dir;          ///< → /var/runtime (managed runtimes)
  /// node / python3 binaries whose install prefix is bound (at its own path) when not in /usr:
  /// the function's interpreter, and those lambdad found for the template, which a `provided`
  /// bootstrap may run too.
  std::vector<std::filesystem::path> interpreters;
  /// The AWS SDK folders the runtime ships (global @aws-sdk node_modules, boto3's packages),
  /// bound read-only at their own path when not in a system folder or an interpreter's prefix.
  std::vector<std::filesystem::path> sdk_dirs;
  int ephemeral_storage_mb = 512;  ///< size of /tmp
  std::optional<bool> network;  ///< the function's own choice, else the server's (SandboxOptions)
};

/// Where a bind of the host folder `source` at `target` (an in-jail path) would show one of the
/// `hidden` folders: the in-jail paths to cover, in `hidden`'s order. Paths are compared as
/// weakly canonical host paths; a hidden folder equal to `source` covers `target` itself.
std::vector<std::filesystem::path> hidden_targets(const std::filesystem::path& source,
                                                  const std::filesystem::path& target,
                                                  const std::vector<std::filesystem::path>& hidden);

/// One function's prepared jail: its mount steps and the fds of their sources. Immutable; shared
/// by the pool's SpawnSpec and every worker it starts.
class Jail;

class Sandbox {
 public:
  /// Probes the host and prepares the tier: the forced one, or the strongest available. Throws
  /// std::runtime_error when a forced tier is not available.
  static std::unique_ptr<Sandbox> create(const SandboxOptions& options);
  /// Probes without preparing anything for serving (`lambdad doctor`).
  static HostProbe probe();
  ~Sandbox();

  Tier tier() const { return tier_; }
  const HostProbe& host() const { return host_; }
  /// The one line logged at start.
  std::string describe() const;

  /// Applies the tier to a function's SpawnSpec: at `namespaces` the jail (and the spec must use
  /// in-sandbox paths, see in_sandbox()) and its network; at `process` the seccomp filter (a
  /// function that asks for no network then keeps the host's, with a warning). Throws
  /// std::runtime_error when a folder of the request cannot be opened.
  void apply(SpawnSpec& spec, const JailRequest& request) const;
  /// Whether workers see /var/task, /opt, /var/runtime rather than host paths.
  bool in_sandbox() const { return tier_ == Tier::kNamespaces; }

  /// The launcher for this tier (a sandboxed spec is started in its namespaces).
  std::unique_ptr<ProcessLauncher> make_launcher() const;

  struct Shared;  ///< what every jail uses: system folders, /dev nodes, lambdad-init

 private:
  Sandbox() = default;
  Tier tier_ = Tier::kNone;
  HostProbe host_;
  SandboxOptions options_;
  std::unique_ptr<SeccompFilter> seccomp_;
  std::shared_ptr<const Shared> shared_;
};

/// Describes a kSetupFailed report's step ("mount /var/task", "pivot_root", …).
std::string_view setup_step_name(int step);

}  // namespace lambdad::sandbox
