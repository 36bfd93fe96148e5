#include <system_error>

#include "lambdad/deploy/code_archive.hpp"
#include "load_context.hpp"

namespace lambdad::deploy {

namespace fs = std::filesystem;

std::optional<fs::path> local_folder(const Node& value, const std::string& who,
                                     const std::string& property, LoadContext& ctx) {
  if (value.is_invalid()) return std::nullopt;
  if (value.unresolved) {
    ctx.error(value.line, who,
              property + " uses " + describe(value) + ", which lambdad cannot resolve locally");
    return std::nullopt;
  }
  const bool s3 = value.is_map() || (value.is_scalar() && value.text.starts_with("s3://"));
  if (s3) {
    ctx.error(value.line, who,
              property + ": S3 locations are not supported; use a local folder or .zip file");
    return std::nullopt;
  }
  if (!value.is_scalar() || value.text.empty()) {
    ctx.error(value.line, who, property + " must be a local folder, got " + describe(value));
    return std::nullopt;
  }
  const fs::path path = (ctx.dir / value.text).lexically_normal();
  std::error_code ec;
  if (is_archive_name(path) && !fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) {
      ctx.error(value.line, who, property + ": file '" + value.text + "' does not exist");
      return std::nullopt;
    }
    try {
      fs::path folder = unpack_archive(path, ctx.code_root);
      const fs::path canonical = fs::weakly_canonical(path, ec);
      ctx.archives.push_back(ec ? path : canonical);
      return folder;
    } catch (const ArchiveError& e) {
      ctx.error(value.line, who, property + ": " + e.what());
      return std::nullopt;
    }
  }
  if (!fs::exists(path, ec)) {
    ctx.error(value.line, who, property + ": folder '" + value.text + "' does not exist");
    return std::nullopt;
  }
  if (!fs::is_directory(path, ec)) {
    ctx.error(value.line, who, property + " '" + value.text + "' is not a folder");
    return std::nullopt;
  }
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path : canonical;
}

}  // namespace lambdad::deploy
