// Zip extraction of a `.zip` CodeUri (libzip under lambdad's checks: entries outside the folder,
// symbolic links leading out, files under links, bombs): the bytes are the archive, unpacked into
// the process's scratch folder, which is emptied after each run. Limits are lowered so that a
// run stays small; the checks are the same.

#include <sys/stat.h>

#include "lambdad/deploy/code_archive.hpp"
#include "scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;

/// Nothing unpacked may point outside `root` (the kernel's resolution, links through links too).
void check_inside(const fs::path& root) {
  std::error_code ec;
  const std::string prefix = fs::canonical(root, ec).string() + "/";
  if (ec) __builtin_trap();
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    const fs::path target = fs::weakly_canonical(it->path(), ec);
    if (ec) {  // a loop of links (ELOOP) leads nowhere
      ec.clear();
      continue;
    }
    if (!target.string().starts_with(prefix) && target.string() + "/" != prefix) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path dir = lambdad::fuzz::scratch_dir() / "zip";
  static const fs::path archive = dir / "code.zip";
  static const fs::path code_root = dir / "code";
  static const bool made = fs::create_directories(dir);
  (void)made;
  lambdad::fuzz::write_file(archive, std::string_view(reinterpret_cast<const char*>(data), size));
  const lambdad::deploy::ArchiveLimits limits{.max_total_bytes = 8 << 20,
                                              .max_entries = 1000,
                                              .ratio_checked_from_bytes = 64 << 10,
                                              .max_ratio = 200};
  try {
    const fs::path folder = lambdad::deploy::unpack_archive(archive, code_root, limits);
    check_inside(folder);
  } catch (const lambdad::deploy::ArchiveError&) {
  }
  // Unpacked folders are read-only by convention, not mode; make every one removable anyway.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(code_root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && !it->is_symlink()) chmod(it->path().c_str(), 0700);
  }
  fs::remove_all(code_root, ec);
  return 0;
}
