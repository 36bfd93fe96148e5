#include <algorithm>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "lambdad/deploy/code_archive.hpp"
#include "load_context.hpp"

namespace lambdad::deploy {

namespace fs = std::filesystem;

namespace {

/// What makes a missing code path: `lambdad build` remakes `.aws-sam/build`; for anything else
/// the project's own build, named when the template's folder says which one it is.
std::string build_hint(const fs::path& dir, const fs::path& missing) {
  std::error_code ec;
  // Also from .aws-sam/build/template.yaml itself, whose CodeUris are its own subfolders.
  if (std::find(missing.begin(), missing.end(), fs::path(".aws-sam")) != missing.end()) {
    return "run 'lambdad build'";
  }
  if (fs::exists(dir / "Cargo.toml", ec)) return "run the project's build ('cargo lambda build')";
  if (fs::exists(dir / "Makefile", ec)) return "run the project's build ('make')";
  std::ifstream in(dir / "package.json");
  const nlohmann::json package = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (package.is_object() && package.contains("scripts") && package["scripts"].is_object() &&
      package["scripts"].contains("build")) {
    return "run the project's build ('npm run build')";
  }
  return "run the project's build";
}

std::optional<fs::path> not_built_yet(const Node& value, const std::string& who,
                                      const std::string& property, fs::path path,
                                      LoadContext& ctx) {
  if (path.filename().empty()) path = path.parent_path();  // "dist/": the folder itself
  std::error_code ec;  // as an existing folder is returned: symbolic links above it resolved
  if (fs::path canonical = fs::weakly_canonical(path, ec); !ec) path = std::move(canonical);
  const std::string what = is_archive_name(path) ? "file" : "folder";
  ctx.warning(value.line, who,
              property + ": " + what + " '" + value.text + "' (" + path.string() +
                  ") does not exist yet; " + build_hint(ctx.dir, path) +
                  " (invocations fail until it exists; serve picks it up when it appears)");
  ctx.missing_code.insert(path);
  return path;
}

}  // namespace

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
  if (!fs::exists(path, ec)) return not_built_yet(value, who, property, path, ctx);
  if (is_archive_name(path) && !fs::is_directory(path, ec)) {
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
  if (!fs::is_directory(path, ec)) {
    ctx.error(value.line, who, property + " '" + value.text + "' is not a folder");
    return std::nullopt;
  }
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path : canonical;
}

}  // namespace lambdad::deploy
