// sam's `npm` workflow (nodejs* functions, Node.js layers): the source without node_modules, then
// the production dependencies installed in the artifact.
#include <fstream>

#include <nlohmann/json.hpp>

#include "lambdad/build/builders.hpp"
#include "steps.hpp"

namespace lambdad::build {

namespace fs = std::filesystem;

bool package_has_dependencies(const fs::path& folder) {
  std::ifstream in(folder / "package.json");
  if (!in) return false;
  const auto manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) return false;
  const auto deps = manifest.find("dependencies");
  return deps != manifest.end() && deps->is_object() && !deps->empty();
}

void build_npm(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  const fs::path root = layer_root(item, artifact);
  say(item, "copying " + item.code_dir.string() + " (without node_modules)");
  copy_source(item.code_dir, root, ctx.excluded, /*skip_node_modules=*/true);
  if (!package_has_dependencies(root)) {
    say(item, fs::exists(root / "package.json") ? "package.json has no dependencies to install"
                                                : "no package.json: nothing to install");
    return;
  }
  // npm ci installs exactly the lockfile (and fails when it disagrees with package.json).
  const bool locked =
      fs::exists(root / "package-lock.json") || fs::exists(root / "npm-shrinkwrap.json");
  Command install{
      .argv = {"npm", locked ? "ci" : "install", "--omit=dev", "--no-audit", "--no-fund"},
      .cwd = root};
  run_step(ctx, item, install, locked ? "npm ci" : "npm install");
}

}  // namespace lambdad::build
