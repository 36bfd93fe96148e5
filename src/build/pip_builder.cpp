// sam's `pip` workflow (python3.* functions and layers): the source copied, then the packages of
// requirements.txt installed into the artifact with pip.
#include <fstream>

#include "lambdad/build/builders.hpp"
#include "steps.hpp"

namespace lambdad::build {

namespace fs = std::filesystem;

std::vector<std::string> requirement_names(const fs::path& requirements, bool* has_options) {
  std::vector<std::string> names;
  if (has_options) *has_options = false;
  std::ifstream in(requirements);
  for (std::string line; std::getline(in, line);) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    line.erase(0, begin);
    if (line.front() == '-') {  // -r other.txt, -e ., --index-url …
      if (has_options) *has_options = true;
      continue;
    }
    // The name ends at a version specifier, an extra, a marker or a URL.
    const size_t end = line.find_first_of(" \t\r<>=!~;[@(");
    names.push_back(line.substr(0, end));
  }
  return names;
}

void build_pip(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  const fs::path root = layer_root(item, artifact);
  say(item, "copying " + item.code_dir.string());
  copy_source(item.code_dir, root, ctx.excluded, false);
  const fs::path requirements = item.code_dir / "requirements.txt";
  bool options = false;
  const auto names = requirement_names(requirements, &options);
  if (names.empty() && !options) {
    say(item, fs::exists(requirements) ? "requirements.txt lists no packages"
                                       : "no requirements.txt: nothing to install");
    return;
  }
  Command install{
      .argv = {ctx.options.python, "-m", "pip", "install", "--disable-pip-version-check", "-r",
               requirements.string(), "-t", root.string()},
      .cwd = item.code_dir};
  run_step(ctx, item, install, "pip install -r requirements.txt");
}

}  // namespace lambdad::build
