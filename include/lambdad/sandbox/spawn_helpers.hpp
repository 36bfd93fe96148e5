#pragma once
/// @brief What both launchers (process.cpp and contain.cpp) prepare before forking: the
/// pipes to the child and exec's argument arrays. Allocation happens here, in the parent, because
/// the child must not allocate between vfork/clone and exec.

#include <string>
#include <vector>

namespace lambdad::sandbox {

struct Pipe {
  int read = -1;
  int write = -1;
};

/// A close-on-exec pipe; `read_flags` (e.g. O_NONBLOCK) go on the read end. Throws
/// std::system_error.
Pipe make_pipe(int read_flags);

/// argv / envp for execve: pointers into `strings`, null-terminated.
std::vector<char*> exec_pointers(const std::vector<std::string>& strings);

}  // namespace lambdad::sandbox
