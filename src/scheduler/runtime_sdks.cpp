#include "lambdad/scheduler/runtime_sdks.hpp"

#include <cstdlib>
#include <vector>

namespace lambdad::scheduler {
namespace {

namespace fs = std::filesystem;

fs::path real(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::canonical(path, ec);
  return ec ? path : out;
}

void add_unique(std::vector<fs::path>& list, const fs::path& p) {
  for (const auto& q : list) {
    if (q == p) return;
  }
  list.push_back(p);
}

std::string joined(const std::vector<fs::path>& list) {
  std::string out;
  for (const auto& p : list) out += (out.empty() ? "" : ", ") + p.string();
  return out;
}

}  // namespace

std::optional<RuntimeSdk> find_node_sdk(const fs::path& node, std::string& why) {
  std::vector<fs::path> roots;
  if (const char* prefix = std::getenv("NPM_CONFIG_PREFIX"); prefix && *prefix) {
    add_unique(roots, fs::path(prefix) / "lib" / "node_modules");
  }
  add_unique(roots, real(node).parent_path().parent_path() / "lib" / "node_modules");
  add_unique(roots, "/usr/local/lib/node_modules");
  add_unique(roots, "/usr/lib/node_modules");
  std::error_code ec;
  for (const auto& root : roots) {
    if (fs::is_directory(root / "@aws-sdk", ec)) return RuntimeSdk{real(root), false};
  }
  why = "no @aws-sdk in " + joined(roots) +
        " (npm install -g @aws-sdk/client-s3 … puts the packages there)";
  return std::nullopt;
}

std::optional<RuntimeSdk> find_python_sdk(const fs::path& python, const std::string& version,
                                          std::string& why) {
  // "3.11" of "3.11.7".
  std::string minor = version;
  if (const size_t first = version.find('.'); first != std::string::npos) {
    if (const size_t second = version.find('.', first + 1); second != std::string::npos) {
      minor = version.substr(0, second);
    }
  }
  const fs::path prefix = real(python).parent_path().parent_path();
  const bool system = prefix == "/usr";
  struct Candidate {
    fs::path dir;
    bool on_path;
  };
  const std::vector<Candidate> candidates = {
      {prefix / "lib" / ("python" + minor) / "site-packages", true},
      {"/usr/local/lib/python" + minor + "/dist-packages", system},
      {"/usr/lib/python3/dist-packages", system},
  };
  std::error_code ec;
  std::vector<fs::path> looked;
  for (const auto& c : candidates) {
    looked.push_back(c.dir);
    if (fs::exists(c.dir / "boto3" / "__init__.py", ec)) return RuntimeSdk{c.dir, c.on_path};
  }
  why = "no boto3 in " + joined(looked) +
        " (Debian's python3-boto3, or pip install boto3 for this python3)";
  return std::nullopt;
}

}  // namespace lambdad::scheduler
