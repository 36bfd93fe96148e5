#include "lambdad/sandbox/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace lambdad::sandbox {
namespace {

TEST(DescribeWaitStatus, UsesLambdaWording) {
  EXPECT_EQ(describe_wait_status(CLD_EXITED, 3), "exit status 3");
  EXPECT_EQ(describe_wait_status(CLD_KILLED, SIGKILL), "signal: killed");
  EXPECT_EQ(describe_wait_status(CLD_DUMPED, SIGSEGV), "signal: segmentation fault");
}

siginfo_t wait_for(const SpawnedProcess& p) {
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED);
  return info;
}

/// The lines a pipe holds (its writer has exited).
std::vector<std::string> lines_in(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  std::vector<std::string> lines;
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST(PosixLauncher, ExecFailureIsReportedThroughTheStatusPipe) {
  auto launcher = make_posix_launcher();
  SpawnedProcess p = launcher->spawn(
      {.executable = "/nonexistent/bootstrap", .argv = {"bootstrap"}, .env = {}, .cwd = "/"});
  siginfo_t info = wait_for(p);
  EXPECT_EQ(info.si_status, 127);
  int error = 0;
  ASSERT_EQ(read(p.exec_status_fd, &error, sizeof error), static_cast<ssize_t>(sizeof error));
  EXPECT_EQ(error, ENOENT);
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd}) close(fd);
}

TEST(PosixLauncher, ChildGetsEnvCwdOwnGroupAndNoInheritedFds) {
  auto launcher = make_posix_launcher();
  // fd 3+ of the parent must not be visible: the child lists its own fds.
  SpawnedProcess p =
      launcher->spawn({.executable = "/bin/sh",
                       .argv = {"sh", "-c",
                                "echo $GREETING; pwd; ls /proc/self/fd | tr '\\n' ' '; echo; "
                                "[ $(ps -o pgid= $$) -eq $$ ] && echo own-group; echo err >&2"},
                       .env = {"GREETING=hi", "PATH=/usr/bin:/bin"},
                       .cwd = "/tmp"});
  siginfo_t info = wait_for(p);
  EXPECT_EQ(info.si_code, CLD_EXITED);
  int error = 0;
  EXPECT_EQ(read(p.exec_status_fd, &error, sizeof error), 0) << "exec succeeded: EOF";
  // The child has exited: all it wrote is in the pipes.
  std::vector<std::string> out = lines_in(p.stdout_fd), err = lines_in(p.stderr_fd);
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0], "hi");
  EXPECT_EQ(out[1], "/tmp");
  // 0, 1, 2 and the fd ls itself opens: nothing of the parent's.
  EXPECT_LE(std::count(out[2].begin(), out[2].end(), ' '), 4) << out[2];
  EXPECT_EQ(out.back(), "own-group");
  EXPECT_EQ(err, std::vector<std::string>{"err"});
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd}) close(fd);
}

}  // namespace
}  // namespace lambdad::sandbox
