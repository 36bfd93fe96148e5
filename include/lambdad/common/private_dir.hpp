#pragma once
/// @brief lambdad's state dir holds every function's logs, invocation records and unpacked code:
/// the folders lambdad makes for it are private to the server's user (mode 0700), so that other
/// users of the host, and workers that run as another user, cannot read them.

#include <filesystem>
#include <optional>

namespace lambdad {

/// Creates `dir` and every missing folder above it with mode 0700; an existing one is left as it
/// is. Throws std::filesystem::error when one cannot be made.
void create_private_dirs(const std::filesystem::path& dir);

/// Tightens an existing folder that group or others may access to 0700. Returns the mode it had
/// when it changed it, nullopt when it was private already. Throws std::filesystem::error (not
/// the owner, no such folder).
std::optional<std::filesystem::perms> make_private(const std::filesystem::path& dir);

}  // namespace lambdad
