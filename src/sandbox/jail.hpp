#pragma once
// Private to src/sandbox/: the prepared form of a worker's root, and the child's steps.
//
// Everything the child needs between clone and exec is prepared here in the parent, once per
// server (system folders, /dev nodes, lambdad-init) or once per function (its code, layers and
// runtime client): mount steps as plain structs pointing into strings that stay put. The child
// opens every bind source (O_PATH) first, while it still has the server's file access and before
// its new root hides anything, then binds them through /proc/self/fd/N. (An fd opened by the
// parent would not do: a bind source must be a mount of the child's own mount namespace.)

#include <sys/types.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lambdad/sandbox/sandbox.hpp"

namespace lambdad::sandbox {

enum class OpKind {
  kDir,      ///< mkdir target
  kFile,     ///< create an empty file at target (a bind target for a file)
  kSymlink,  ///< symlink source -> target
  kBind,     ///< bind source (a host path) at target; flags != 0: remount read-only with them
  kLower,    ///< a layer of the kOverlay that follows (source: a host path); opened, not mounted
  kTmpfs,    ///< tmpfs at target, flags, data
  kProc,     ///< a new proc at target
  kOverlay,  ///< read-only overlay of the `lowers` kLower ops before it (the first on top) at
             ///< target; on failure the `fallback` ops that follow run instead
  kRemount,  ///< remount target (a tmpfs of ours) with flags
  kCover,    ///< an empty read-only tmpfs over target (a hidden folder seen through a bind);
             ///< ENOENT / EACCES are not failures: the worker cannot reach target then either
};

struct Op {
  OpKind kind;
  const char* source = nullptr;
  const char* target = nullptr;  ///< relative to the new root (the child's cwd while it builds)
  unsigned long flags = 0;
  const char* data = nullptr;
  int fallback = 0;  ///< kOverlay: how many following ops replace it when it fails
  int lowers = 0;    ///< kOverlay: how many kLower ops precede it
};

/// Strings that never move once added (ops point into them) and the fds binds come from.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  const char* keep(std::string s) { return strings_.emplace_back(std::move(s)).c_str(); }

 private:
  std::deque<std::string> strings_;
};

/// Read-only remount flags for a bind of `fd`'s mount: MS_RDONLY, nosuid, nodev, and the flags
/// the kernel keeps locked in a user namespace (noexec, atime) so the remount is allowed.
unsigned long readonly_flags(int fd);

/// The part of every root that is the same for all functions.
struct Sandbox::Shared {
  Arena arena;
  std::vector<Op> ops;  ///< system folders, /etc, /dev, /proc (not /tmp: its size varies)
  const char* init_path = nullptr;  ///< lambdad-init (the child opens it before pivot_root)
  const char* root_dir = nullptr;   ///< where the child mounts the new root before pivot_root
  uid_t uid = 65534;                ///< the id the worker runs as (inside = outside)
  gid_t gid = 65534;
  bool setgroups = true;  ///< root: the child may clear its supplementary groups
  std::vector<std::filesystem::path> writable;  ///< --sandbox-writable, bound per jail
  std::vector<std::filesystem::path> hidden;    ///< weakly canonical; covered in every jail
  std::vector<std::string> describe_ops;        ///< one line per op, for error messages
};

class Jail {
 public:
  std::shared_ptr<const Sandbox::Shared> shared;
  Arena arena;
  std::vector<Op> ops;             ///< shared ops, then the function's, then /tmp
  std::vector<std::string> names;  ///< per op, "mount /var/task" etc.
  const sock_fprog* seccomp = nullptr;
  bool network = true;  ///< false: an empty network namespace with the Runtime API inside
};

/// Builds the shared part: throws std::runtime_error when a required piece is missing.
std::shared_ptr<const Sandbox::Shared> prepare_shared(const SandboxOptions& options,
                                                      const std::string& init_path);
/// Builds one function's jail on top of the shared part.
std::shared_ptr<const Jail> prepare_jail(std::shared_ptr<const Sandbox::Shared> shared,
                                         const JailRequest& request, const sock_fprog* seccomp);

/// Child, before anything hides the host's tree: opens the source of every kBind / kLower op into
/// fds[i] (fds has ops.size() slots). Returns 0, or an errno with *failed set to the op's index.
int open_sources(const std::vector<Op>& ops, int* fds, size_t* failed);
/// Child: runs the ops (cwd = the new root), binding from `fds`. Returns 0, or an errno with
/// *failed set to the op's index. Async-signal-safe.
int run_ops(const std::vector<Op>& ops, const int* fds, size_t* failed);

/// Setup steps a kSetupFailed report names (ops are kStepOps + index).
enum SetupStep : int {
  kStepSync = 1,
  kStepCgroup,
  kStepPrivate,
  kStepRootTmpfs,
  kStepPivot,
  kStepRemountRoot,
  kStepHostname,
  kStepCredentials,
  kStepCapabilities,
  kStepNoNewPrivs,
  kStepStdio,
  kStepChdir,
  kStepSeccomp,
  kStepExecInit,
  kStepLoopback,
  kStepRuntimeApiSocket,
  kStepOps = 100,
};

/// Parent side of the user namespace: setgroups, gid_map, uid_map of `pid`. Returns 0 or errno.
int write_id_maps(pid_t pid, const Sandbox::Shared& shared);
/// Child side: supplementary groups, gid, uid (dropping every capability), bounding set,
/// ambient set. Returns 0 or errno (*step says which).
int drop_privileges(const Sandbox::Shared& shared, int* step);

/// The launcher of the `namespaces` tier (specs without a jail go to `fallback`).
std::unique_ptr<ProcessLauncher> make_namespace_launcher(std::unique_ptr<ProcessLauncher> fallback);

}  // namespace lambdad::sandbox
