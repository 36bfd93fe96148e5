// The endpoint guard on real loopback connections: the kernel names the client's socket, and only
// the process tree that holds it passes.
#include "lambdad/sandbox/endpoint_guard.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

namespace lambdad::sandbox {
namespace {

class EndpointGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = probe_endpoint_guard();
    if (!missing.empty()) GTEST_SKIP() << "no endpoint guard on this host: " << missing;
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(listener_, 8), 0);
    ASSERT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    address_ = address;
  }
  void TearDown() override {
    for (int fd : {listener_, client_, accepted_}) {
      if (fd >= 0) ::close(fd);
    }
    for (pid_t pid : children_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  int connect_client() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address_), sizeof(address_)), 0);
    return fd;
  }

  // The accepted connection's client socket inode, as the server side asks for it.
  std::optional<ino_t> accept_and_ask() {
    accepted_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    EXPECT_GE(accepted_, 0);
    sockaddr_storage peer{}, self{};
    socklen_t peer_length = sizeof(peer), self_length = sizeof(self);
    ::getpeername(accepted_, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    ::getsockname(accepted_, reinterpret_cast<sockaddr*>(&self), &self_length);
    return client_socket_inode(reinterpret_cast<sockaddr*>(&peer),
                               reinterpret_cast<sockaddr*>(&self));
  }

  pid_t spawn_sleep() {
    pid_t pid = -1;
    char sleep[] = "sleep";
    char seconds[] = "30";
    char* argv[] = {sleep, seconds, nullptr};
    EXPECT_EQ(::posix_spawnp(&pid, "sleep", nullptr, nullptr, argv, environ), 0);
    children_.push_back(pid);
    return pid;
  }

  int listener_ = -1, client_ = -1, accepted_ = -1;
  sockaddr_in address_{};
  std::vector<pid_t> children_;
};

TEST_F(EndpointGuardTest, NamesTheClientsSocket) {
  client_ = connect_client();
  const auto inode = accept_and_ask();
  ASSERT_TRUE(inode);
  struct stat st {};
  ASSERT_EQ(::fstat(client_, &st), 0);
  EXPECT_EQ(*inode, st.st_ino);
  EXPECT_TRUE(tree_holds_socket(::getpid(), *inode));
}

TEST_F(EndpointGuardTest, AnotherProcessTreeDoesNotHoldIt) {
  client_ = connect_client();
  const auto inode = accept_and_ask();
  ASSERT_TRUE(inode);
  // A process that never had the socket (close-on-exec), and which is not an ancestor of ours.
  EXPECT_FALSE(tree_holds_socket(spawn_sleep(), *inode));
}

TEST_F(EndpointGuardTest, FindsTheSocketInADescendant) {
  // The worker is `sleep`'s parent here: a process tree whose child holds the socket.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const int fd = connect_client();
    (void)fd;
    char byte = 1;
    (void)!::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  children_.push_back(child);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);
  const auto inode = accept_and_ask();
  ASSERT_TRUE(inode);
  EXPECT_TRUE(tree_holds_socket(child, *inode));
  EXPECT_TRUE(tree_holds_socket(::getpid(), *inode)) << "the child is in our tree";
  EXPECT_FALSE(tree_holds_socket(spawn_sleep(), *inode));
}

TEST_F(EndpointGuardTest, AClosedClientIsNotFound) {
  client_ = connect_client();
  ::close(client_);
  client_ = -1;
  EXPECT_FALSE(accept_and_ask());
}

TEST_F(EndpointGuardTest, RefusesWhatIsNotTcpIp) {
  sockaddr unix_address{};
  unix_address.sa_family = AF_UNIX;
  std::string why;
  EXPECT_FALSE(client_socket_inode(&unix_address, &unix_address, &why));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace lambdad::sandbox
