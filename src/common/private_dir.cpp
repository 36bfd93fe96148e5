#include "lambdad/common/private_dir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace lambdad {

namespace fs = std::filesystem;

void create_private_dirs(const fs::path& dir) {
  std::string text = dir.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  const fs::path path = text;
  std::error_code ec;
  if (path.empty() || fs::is_directory(path, ec)) return;
  const fs::path parent = path.parent_path();
  if (!parent.empty() && parent != path) create_private_dirs(parent);
  // mkdir's own mode, not a chmod after: the folder is never open to others, even briefly.
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw fs::filesystem_error("cannot create folder", path,
                               std::error_code(errno, std::generic_category()));
  }
}

std::optional<fs::perms> make_private(const fs::path& dir) {
  const fs::file_status status = fs::status(dir);
  if (!fs::is_directory(status)) {
    const int error = fs::exists(status) ? ENOTDIR : ENOENT;
    throw fs::filesystem_error("not a folder", dir,
                               std::error_code(error, std::generic_category()));
  }
  const fs::perms mode = status.permissions() & fs::perms::mask;
  const fs::perms open = fs::perms::group_all | fs::perms::others_all;
  if ((mode & open) == fs::perms::none) return std::nullopt;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  return mode;
}

}  // namespace lambdad
