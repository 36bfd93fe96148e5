// The user namespace: the parent maps one unprivileged id (root: nobody/nogroup; anyone else:
// their own uid/gid), the child takes it and drops every capability.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "jail.hpp"

namespace lambdad::sandbox {
namespace {

int write_file(const char* path, const char* text, size_t size) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int rc = ::write(fd, text, size) == static_cast<ssize_t>(size) ? 0 : errno;
  ::close(fd);
  return rc;
}

}  // namespace

int write_id_maps(pid_t pid, const Sandbox::Shared& shared) {
  char path[64];
  char map[64];
  if (!shared.setgroups) {
    // Unprivileged: a gid map is only accepted once setgroups is denied.
    std::snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
    if (int rc = write_file(path, "deny", 4)) return rc;
  }
  std::snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
  int n = std::snprintf(map, sizeof map, "%u %u 1\n", shared.gid, shared.gid);
  if (int rc = write_file(path, map, static_cast<size_t>(n))) return rc;
  std::snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  n = std::snprintf(map, sizeof map, "%u %u 1\n", shared.uid, shared.uid);
  return write_file(path, map, static_cast<size_t>(n));
}

// Raw system calls, not glibc's setresuid() & co: in a multithreaded program those make every
// thread change credentials by signalling the others and waiting for them, and the clone child
// has a copy of lambdad's thread list but none of its threads: it would wait forever.
int drop_privileges(const Sandbox::Shared& shared, int* step) {
  *step = kStepCredentials;
  // Root's supplementary groups (0, …) must not follow the worker.
  if (shared.setgroups && ::syscall(SYS_setgroups, 0, nullptr) != 0) return errno;
  if (::syscall(SYS_setresgid, shared.gid, shared.gid, shared.gid) != 0) return errno;
  *step = kStepCapabilities;
  for (int cap = 0; cap <= 63; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  }
  *step = kStepCredentials;
  // From uid 0 of the namespace to a non-zero uid: permitted and effective sets are cleared.
  if (::syscall(SYS_setresuid, shared.uid, shared.uid, shared.uid) != 0) return errno;
  *step = kStepCapabilities;
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return errno;
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

}  // namespace lambdad::sandbox
