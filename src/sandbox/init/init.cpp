// lambdad-init: PID 1 of a sandboxed worker's PID namespace (Lambda has /var/rapid/init there).
//
// A process that is PID 1 of its namespace ignores every signal it has no handler for, even one it
// sends itself (`kill -SEGV $$`, abort()), and inherits every orphan. So the runtime is not PID 1:
// this small static program is. It runs the runtime as its only child, reaps every process that
// ends up under it, and when the runtime ends reports its wait status through the exec-status
// pipe (PID 1 cannot die of the runtime's signal to show it), then exits, which makes the kernel
// kill whatever is left in the namespace.
//
// usage (exec'd by lambdad after the sandbox is set up, seccomp already in force):
//   lambdad-init EXECUTABLE ARGV0 [ARGS...]     with the report pipe on fd 3
//
// Only system calls; no allocation. Built static, so its start costs an exec and nothing else.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lambdad/sandbox/exec_report.hpp"

using lambdad::sandbox::ExecReport;
using lambdad::sandbox::kInitReportFd;

int main(int argc, char** argv, char** envp) {
  if (argc < 3) return 125;
  // Blocked signals are queued for sigwaitinfo() instead of being dropped (PID 1 without
  // handlers); the runtime gets a clean mask back.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  const bool report = fcntl(kInitReportFd, F_SETFD, FD_CLOEXEC) == 0;

  pid_t runtime = vfork();
  if (runtime == 0) {
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[1], argv + 2, envp);
    ExecReport failed{errno, lambdad::sandbox::kExecFailed, 0};
    if (report) (void)!write(kInitReportFd, &failed, sizeof failed);
    _exit(127);
  }
  if (runtime < 0) {
    ExecReport failed{errno, lambdad::sandbox::kSetupFailed, 0};
    if (report) (void)!write(kInitReportFd, &failed, sizeof failed);
    return 126;
  }

  // Signals for the worker come to its whole process group from lambdad; inside the namespace
  // nobody can signal PID 1. So this loop only reaps.
  for (;;) {
    siginfo_t info;
    if (sigwaitinfo(&all, &info) < 0 || info.si_signo != SIGCHLD) continue;
    for (;;) {
      int status = 0;
      pid_t done = waitpid(-1, &status, WNOHANG);
      if (done <= 0) break;
      if (done != runtime) continue;
      ExecReport exited{0, lambdad::sandbox::kRuntimeExited, status};
      if (report) (void)!write(kInitReportFd, &exited, sizeof exited);
      // The same exit code when it exited; 128 + signal otherwise (lambdad reads the report).
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
}
