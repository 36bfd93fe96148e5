// Starting a sandboxed worker (nsjail's `subproc` + `contain`): clone3 into new namespaces, map the
// ids from the parent, then in the child, in order: cgroup, private mounts, the minimal root and
// pivot_root, hostname, credentials and capabilities, no_new_privs, parent-death signal, stdio,
// rlimits, fds, seccomp last, and exec of lambdad-init, which runs the runtime.
//
// The child is a copy of lambdad (clone3 without CLONE_VM: the parent must run while the child
// waits for its id maps, which rules out vfork semantics). lambdad has other threads, so between
// clone and exec the child only makes system calls: everything was prepared in the parent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "jail.hpp"
#include "lambdad/sandbox/exec_report.hpp"
#include "lambdad/sandbox/spawn_helpers.hpp"

namespace lambdad::sandbox {
namespace {

/// What the child reads; all of it prepared before clone.
struct ChildPlan {
  const Jail* jail;
  const SpawnSpec* spec;
  char* const* argv;  ///< lambdad-init's: init, executable, the runtime's argv
  char* const* envp;
  int* source_fds;  ///< one slot per op (the child's copy is filled in)
  Pipe out, err, status, sync;
  int channel[2] = {-1, -1};  ///< private network: the child sends its Runtime API socket on [1]
};

/// Where the Runtime API listens inside a private network namespace (Lambda's address).
constexpr uint16_t kRuntimeApiPort = 9001;

/// One byte carrying one fd (SCM_RIGHTS) over the socketpair; on the stack, no allocation.
struct FdMessage {
  char byte = 'L';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};

  FdMessage() {
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
};

[[noreturn]] void fail(const ChildPlan& plan, int step, int error) {
  ExecReport report{error, kSetupFailed, step};
  (void)!::write(plan.status.write, &report, sizeof report);
  _exit(126);
}

/// Child, in its new network namespace (whose user namespace it still has every capability of):
/// brings up the loopback, listens on 127.0.0.1:9001 and sends that socket to lambdad, which
/// accepts on it from outside. Nothing else in the namespace can be reached. Returns 0 or errno.
int listen_inside(int channel, int* step) {
  *step = kStepLoopback;
  int any = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (any < 0) return errno;
  ifreq lo{};
  std::memcpy(lo.ifr_name, "lo", 3);
  lo.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  int rc = ::ioctl(any, SIOCSIFFLAGS, &lo) == 0 ? 0 : errno;
  ::close(any);
  if (rc) return rc;
  *step = kStepRuntimeApiSocket;
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener < 0) return errno;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(kRuntimeApiPort);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, SOMAXCONN) != 0) {
    rc = errno;
    ::close(listener);
    return rc;
  }
  FdMessage m;
  cmsghdr* header = CMSG_FIRSTHDR(&m.message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &listener, sizeof(int));
  rc = ::sendmsg(channel, &m.message, MSG_NOSIGNAL) == 1 ? 0 : errno;
  ::close(listener);
  ::close(channel);
  return rc;
}

/// Parent: the socket the child sent, or -1 when it failed (its report says why) or took longer
/// than `timeout_ms`.
int receive_listener(int channel, int timeout_ms) {
  pollfd ready{channel, POLLIN, 0};
  if (::poll(&ready, 1, timeout_ms) != 1) return -1;
  FdMessage m;
  if (::recvmsg(channel, &m.message, MSG_CMSG_CLOEXEC) != 1) return -1;
  cmsghdr* header = CMSG_FIRSTHDR(&m.message);
  if (!header || header->cmsg_type != SCM_RIGHTS) return -1;
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
  return fd;
}

[[noreturn]] void contain(const ChildPlan& plan) {
  const Jail& jail = *plan.jail;
  const Sandbox::Shared& shared = *jail.shared;
  const SpawnSpec& spec = *plan.spec;
  // The worker must not outlive lambdad, even when lambdad is SIGKILLed (set again after the
  // credentials change, which clears it).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::setpgid(0, 0);
  char go = 0;
  ::close(plan.sync.write);
  if (::read(plan.sync.read, &go, 1) != 1 || go != 'G') _exit(125);  // parent gave up
  ::close(plan.sync.read);
  if (plan.channel[1] >= 0) {
    ::close(plan.channel[0]);
    int step = 0;
    if (int rc = listen_inside(plan.channel[1], &step)) fail(plan, step, rc);
  }

  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    fail(plan, kStepPrivate, errno);
  }
  size_t failed = 0;
  // With the server's own file access (the sources' parents may be private to it).
  if (int rc = open_sources(jail.ops, plan.source_fds, &failed)) {
    fail(plan, kStepOps + static_cast<int>(failed), rc);
  }
  // Exec'd from this fd after pivot_root (it must be a file of this mount namespace too).
  const int init_fd = ::open(shared.init_path, O_PATH | O_CLOEXEC);
  if (init_fd < 0) fail(plan, kStepExecInit, errno);
  // Files this child creates in its own tmpfs belong to the mapped id (kuid 0 is not mapped).
  ::syscall(SYS_setfsgid, shared.gid);  // raw: see drop_privileges()
  ::syscall(SYS_setfsuid, shared.uid);
  if (::mount("tmpfs", shared.root_dir, "tmpfs", MS_NOSUID | MS_NODEV,
              "size=4m,nr_inodes=4096,mode=0755") != 0 ||
      ::chdir(shared.root_dir) != 0) {
    fail(plan, kStepRootTmpfs, errno);
  }
  if (int rc = run_ops(jail.ops, plan.source_fds, &failed)) {
    fail(plan, kStepOps + static_cast<int>(failed), rc);
  }
  if (::syscall(SYS_pivot_root, ".", ".") != 0 || ::umount2(".", MNT_DETACH) != 0 ||
      ::chdir("/") != 0) {
    fail(plan, kStepPivot, errno);
  }
  if (::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    fail(plan, kStepRemountRoot, errno);
  }
  if (::sethostname("localhost", 9) != 0) fail(plan, kStepHostname, errno);

  int step = 0;
  if (int rc = drop_privileges(shared, &step)) fail(plan, step, rc);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan, kStepNoNewPrivs, errno);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The credential change cleared the first PDEATHSIG: had lambdad died since, nothing would kill
  // us. getppid() is 0 in a new PID namespace, so ask the report pipe: its read end is lambdad's,
  // and a pipe without readers polls POLLERR.
  if (pollfd report{plan.status.write, 0, 0};
      ::poll(&report, 1, 0) == 1 && (report.revents & POLLERR)) {
    _exit(125);
  }

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(plan.out.write, 1) < 0 ||
      ::dup2(plan.err.write, 2) < 0) {
    fail(plan, kStepStdio, errno);
  }
  // lambdad-init reports the runtime's exec failure and exit status on fd 3.
  if (plan.status.write == kInitReportFd) {
    ::fcntl(kInitReportFd, F_SETFD, 0);
  } else if (::dup2(plan.status.write, kInitReportFd) < 0) {
    fail(plan, kStepStdio, errno);
  }
  rlimit files{spec.max_open_files, spec.max_open_files};
  ::setrlimit(RLIMIT_NOFILE, &files);
  rlimit processes{spec.max_processes, spec.max_processes};
  ::setrlimit(RLIMIT_NPROC, &processes);
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  sched_param param{};
  ::sched_setscheduler(0, SCHED_BATCH, &param);
  ::setpriority(PRIO_PROCESS, 0, spec.nice);
  if (::chdir(spec.cwd.c_str()) != 0) fail(plan, kStepChdir, errno);
  // Nothing lambdad holds open may leak into the function (sockets, the database, other pipes,
  // the bind sources).
  ::close_range(kInitReportFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
  if (jail.seccomp) {
    if (int rc = install_seccomp(jail.seccomp)) fail(plan, kStepSeccomp, rc);
  }
  ::syscall(SYS_execveat, init_fd, "", plan.argv, plan.envp, AT_EMPTY_PATH);
  // fd 3 lost its close-on-exec flag: report through it (it is the status pipe).
  ExecReport report{errno, kSetupFailed, kStepExecInit};
  (void)!::write(kInitReportFd, &report, sizeof report);
  _exit(126);
}

class NamespaceLauncher final : public ProcessLauncher {
 public:
  explicit NamespaceLauncher(std::unique_ptr<ProcessLauncher> fallback)
      : fallback_(std::move(fallback)) {}

  SpawnedProcess spawn(const SpawnSpec& spec) override {
    if (!spec.jail) return fallback_->spawn(spec);
    const Jail& jail = *spec.jail;
    std::vector<std::string> init_argv;
    init_argv.reserve(spec.argv.size() + 2);
    init_argv.push_back("lambdad-init");
    init_argv.push_back(spec.executable);
    init_argv.insert(init_argv.end(), spec.argv.begin(), spec.argv.end());
    auto argv = exec_pointers(init_argv);
    auto envp = exec_pointers(spec.env);
    std::vector<int> source_fds(jail.ops.size(), -1);
    ChildPlan plan{&jail, &spec, argv.data(), envp.data(), source_fds.data(), {}, {}, {}, {}};
    plan.out = make_pipe(O_NONBLOCK);
    plan.err = make_pipe(O_NONBLOCK);
    plan.status = make_pipe(O_NONBLOCK);
    plan.sync = make_pipe(0);
    if (spec.private_network &&
        ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, plan.channel) != 0) {
      plan.channel[0] = plan.channel[1] = -1;
    }
    auto close_all = [&] {
      for (const Pipe* p : {&plan.out, &plan.err, &plan.status, &plan.sync}) {
        if (p->read >= 0) ::close(p->read);
        if (p->write >= 0) ::close(p->write);
      }
      for (int& fd : plan.channel) {
        if (fd >= 0) ::close(fd);
        fd = -1;
      }
    };
    if (spec.private_network && plan.channel[0] < 0) {
      int error = errno;
      close_all();
      throw std::system_error(error, std::system_category(), "socketpair");
    }

    int pidfd = -1;
    clone_args args{};
    args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                 CLONE_PIDFD | (spec.private_network ? CLONE_NEWNET : 0);
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    bool in_cgroup = false;
    long pid = -1;
    if (spec.cgroup_dir_fd >= 0) {
      clone_args into = args;
      into.flags |= CLONE_INTO_CGROUP;
      into.cgroup = static_cast<uint64_t>(spec.cgroup_dir_fd);
      pid = ::syscall(SYS_clone3, &into, sizeof into);
      in_cgroup = pid >= 0;
    }
    // Without the cgroup (v1, or a v2 folder the kernel refuses): the caller moves it in later.
    if (pid < 0) pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
      int error = errno;
      close_all();
      throw std::system_error(error, std::system_category(), "clone3");
    }
    if (pid == 0) contain(plan);

    ::close(plan.out.write);
    ::close(plan.err.write);
    ::close(plan.status.write);
    ::close(plan.sync.read);
    plan.out.write = plan.err.write = plan.status.write = plan.sync.read = -1;
    int error = write_id_maps(static_cast<pid_t>(pid), *jail.shared);
    if (error == 0 && ::write(plan.sync.write, "G", 1) != 1) error = errno;
    ::close(plan.sync.write);
    plan.sync.write = -1;
    int runtime_api_fd = -1;
    if (error == 0 && spec.private_network) {
      ::close(plan.channel[1]);
      plan.channel[1] = -1;
      // A few system calls away; a child that fails reports why and closes its end at once.
      runtime_api_fd = receive_listener(plan.channel[0], 5000);
    }
    if (error != 0) {
      ::kill(static_cast<pid_t>(pid), SIGKILL);
      ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
      ::close(pidfd);
      close_all();
      throw std::system_error(error, std::system_category(), "sandbox: writing the id maps");
    }
    for (int fd : plan.channel) {
      if (fd >= 0) ::close(fd);
    }
    return {.pid = static_cast<pid_t>(pid),
            .pidfd = pidfd,
            .stdout_fd = plan.out.read,
            .stderr_fd = plan.err.read,
            .exec_status_fd = plan.status.read,
            .in_cgroup = in_cgroup,
            .runtime_api_fd = runtime_api_fd};
  }

  void kill_group(pid_t pid, int signal) override { fallback_->kill_group(pid, signal); }

 private:
  std::unique_ptr<ProcessLauncher> fallback_;
};

}  // namespace

std::unique_ptr<ProcessLauncher> make_namespace_launcher(
    std::unique_ptr<ProcessLauncher> fallback) {
  return std::make_unique<NamespaceLauncher>(std::move(fallback));
}

}  // namespace lambdad::sandbox
