#include "lambdad/worker/log_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace lambdad::worker {
namespace {

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
