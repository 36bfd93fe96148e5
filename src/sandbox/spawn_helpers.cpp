#include "lambdad/sandbox/spawn_helpers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace lambdad::sandbox {

Pipe make_pipe(int read_flags) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe2");
  if (read_flags) fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | read_flags);
  return {fds[0], fds[1]};
}

std::vector<char*> exec_pointers(const std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (const auto& s : strings) result.push_back(const_cast<char*>(s.c_str()));
  result.push_back(nullptr);
  return result;
}

}  // namespace lambdad::sandbox
