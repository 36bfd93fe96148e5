#include "lambdad/sandbox/seccomp.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace lambdad::sandbox {
namespace {

constexpr const char* kDenied[] = {
    "mount",          "umount2",         "pivot_root",      "chroot",
    "fsopen",         "fsconfig",        "fsmount",         "fspick",
    "move_mount",     "open_tree",       "mount_setattr",   "ptrace",
    "process_vm_readv", "process_vm_writev", "kexec_load",  "kexec_file_load",
    "init_module",    "finit_module",    "delete_module",   "bpf",
    "keyctl",         "add_key",         "request_key",     "reboot",
    "swapon",         "swapoff",         "unshare",         "setns",
    "perf_event_open", "open_by_handle_at", "name_to_handle_at", "acct",
    "quotactl",       "syslog",          "iopl",            "ioperm",
    "userfaultfd",    "lookup_dcookie",  "settimeofday",    "clock_settime",
    "adjtimex",       "clock_adjtime",   "vhangup",         "nfsservctl",
};

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,
                                             CLONE_NEWNET,  CLONE_NEWIPC, CLONE_NEWUTS,
                                             CLONE_NEWCGROUP, CLONE_NEWTIME};

struct Context {
  scmp_filter_ctx ctx;
  explicit Context(scmp_filter_ctx c) : ctx(c) {}
  ~Context() { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("seccomp: " + what + ": " + std::strerror(-rc));
}

}  // namespace

std::vector<std::string> SeccompFilter::denied_names() {
  std::vector<std::string> names(std::begin(kDenied), std::end(kDenied));
  names.push_back("clone with CLONE_NEW* flags");
  names.push_back("clone3 (ENOSYS)");
  return names;
}

std::unique_ptr<SeccompFilter> SeccompFilter::build() {
  scmp_filter_ctx raw = seccomp_init(SCMP_ACT_ALLOW);
  if (!raw) throw std::runtime_error("seccomp: seccomp_init failed");
  Context context(raw);
  // The kernel checks no_new_privs itself; lambdad sets it in the child before installing.
  check(seccomp_attr_set(raw, SCMP_FLTATR_CTL_NNP, 0), "no_new_privs attribute");
  const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    check(seccomp_rule_add(raw, deny, nr, 0), name);
  }
  for (unsigned long flag : kNamespaceFlags) {
    check(seccomp_rule_add(raw, deny, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
          "clone");
  }
  check(seccomp_rule_add(raw, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3");

  // Export the BPF once (libseccomp 2.5 writes it to an fd).
  int fd = memfd_create("lambdad-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("seccomp: memfd_create: ") + strerror(errno));
  int rc = seccomp_export_bpf(raw, fd);
  if (rc < 0) {
    ::close(fd);
    check(rc, "export");
  }
  off_t size = lseek(fd, 0, SEEK_END);
  std::unique_ptr<SeccompFilter> filter(new SeccompFilter);
  filter->code_.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t n = pread(fd, filter->code_.data(), filter->code_.size() * sizeof(sock_filter), 0);
  ::close(fd);
  if (size <= 0 || n != static_cast<ssize_t>(filter->code_.size() * sizeof(sock_filter))) {
    throw std::runtime_error("seccomp: exported filter could not be read back");
  }
  filter->program_.len = static_cast<unsigned short>(filter->code_.size());
  filter->program_.filter = filter->code_.data();
  return filter;
}

int install_seccomp(const sock_fprog* program) {
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, program) != 0) return errno;
  return 0;
}

}  // namespace lambdad::sandbox
