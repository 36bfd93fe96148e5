#pragma once
/// @brief The seccomp-bpf filter every worker gets, built once with libseccomp and exported as a
/// BPF program, so a spawn installs it with one system call (no allocation between fork and exec).
///
/// Default: allow. Denied with EPERM: mount and the new mount API, pivot_root, chroot, ptrace and
/// process_vm_*, kexec_*, module loading, bpf, keyctl / add_key / request_key, reboot, swapon /
/// swapoff, unshare / setns, clone with a namespace flag (clone3, whose flags seccomp cannot read,
/// gets ENOSYS so libcs fall back to clone), perf_event_open, open_by_handle_at, acct, quotactl,
/// syslog, iopl / ioperm, userfaultfd, lookup_dcookie. Other architectures' system call ABIs
/// (x32, i386) kill the process.
///
/// Thread safety: immutable after build().

#include <linux/filter.h>

#include <memory>
#include <string>
#include <vector>

namespace lambdad::sandbox {

class SeccompFilter {
 public:
  /// Throws std::runtime_error when libseccomp cannot build or export the filter.
  static std::unique_ptr<SeccompFilter> build();

  /// For prctl/seccomp(SECCOMP_SET_MODE_FILTER); valid as long as this object.
  const sock_fprog* program() const { return &program_; }
  size_t instructions() const { return code_.size(); }
  /// The denied system calls' names, for `lambdad doctor` and the docs.
  static std::vector<std::string> denied_names();

 private:
  SeccompFilter() = default;
  std::vector<sock_filter> code_;
  sock_fprog program_{};
};

/// Installs `program` on the calling thread (no_new_privs must be set, or CAP_SYS_ADMIN held).
/// Async-signal-safe: only system calls. Returns 0 or an errno.
int install_seccomp(const sock_fprog* program);

}  // namespace lambdad::sandbox
