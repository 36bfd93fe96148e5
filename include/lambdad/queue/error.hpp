#pragma once
/// @brief What an engine operation throws when its backend failed: the transaction rolled back,
/// nothing of it was written.

#include <stdexcept>
#include <string>

namespace lambdad::queue {

struct Error : std::runtime_error {
  Error(const std::string& message, bool disk_full)
      : std::runtime_error(message), disk_full(disk_full) {}
  bool disk_full;  ///< the store's disk (or its size cap) is full: it may pass when space returns
};

}  // namespace lambdad::queue
