#include "lambdad/worker/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "lambdad/worker/log_pipe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace lambdad::worker {
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
  boost::asio::io_context ioc;
  std::vector<std::string> out, err;
  LogPipe out_pipe(ioc.get_executor(), p.stdout_fd,
                   [&](std::string_view l) { out.emplace_back(l); }, {});
  LogPipe err_pipe(ioc.get_executor(), p.stderr_fd,
                   [&](std::string_view l) { err.emplace_back(l); }, {});
  boost::asio::co_spawn(ioc, out_pipe.run(), boost::asio::detached);
  boost::asio::co_spawn(ioc, err_pipe.run(), boost::asio::detached);
  ioc.run();
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0], "hi");
  EXPECT_EQ(out[1], "/tmp");
  // 0, 1, 2 and the fd ls itself opens: nothing of the parent's.
  EXPECT_LE(std::count(out[2].begin(), out[2].end(), ' '), 4) << out[2];
  EXPECT_EQ(out.back(), "own-group");
  EXPECT_EQ(err, std::vector<std::string>{"err"});
  for (int fd : {p.pidfd, p.exec_status_fd}) close(fd);
}

TEST(LogPipe, SplitsLinesLongerThanCloudWatchAllowsAndKeepsPartialLastLine) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  std::string big(300 * 1024, 'x');
  std::string data = "one\r\ntwo\n" + big + "\ntail-without-newline";
  boost::asio::io_context ioc;
  std::vector<std::string> lines;
  LogPipe pipe(ioc.get_executor(), fds[0], [&](std::string_view l) { lines.emplace_back(l); }, {});
  std::thread writer([&] {
    int flags = fcntl(fds[1], F_GETFL);
    fcntl(fds[1], F_SETFL, flags & ~O_NONBLOCK);
    ASSERT_EQ(write(fds[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(fds[1]);
  });
  boost::asio::co_spawn(ioc, pipe.run(), boost::asio::detached);
  ioc.run();
  writer.join();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "one");
  EXPECT_EQ(lines[1], "two");
  EXPECT_EQ(lines[2].size(), 256u * 1024);
  EXPECT_EQ(lines[3].size(), big.size() - 256u * 1024);
  EXPECT_EQ(lines[4], "tail-without-newline");
}

}  // namespace
}  // namespace lambdad::worker
