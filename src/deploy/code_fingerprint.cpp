#include "lambdad/deploy/code_fingerprint.hpp"
#include "lambdad/common/encoding.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <set>

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return hex_lower({reinterpret_cast<const char*>(digest), length});
}

/// One line per entry: what an edit, a rename over it, a chmod or a new file changes.
std::string describe_entry(const fs::path& relative, const struct stat& st,
                           const fs::path& absolute) {
  std::string line = relative.string();
  line += '\0';
  line += std::to_string(st.st_mode);
  // A folder's own times change with any name made in it, ignored ones too; what it holds has
  // lines of its own.
  if (S_ISDIR(st.st_mode)) return line;
  line += ' ' + std::to_string(st.st_size) + ' ' + std::to_string(st.st_mtim.tv_sec) + '.' +
          std::to_string(st.st_mtim.tv_nsec) + ' ' + std::to_string(st.st_ino);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    line += " -> " + fs::read_symlink(absolute, ec).string();
  }
  return line;
}

}  // namespace

bool PathFilter::ignored_name(std::string_view name) {
  if (name == "4913" || name == "__pycache__" || name == ".git") return true;
  if (name.ends_with(".swp") || name.ends_with(".swx") || name.ends_with('~')) return true;
  if (name.starts_with(".#")) return true;
  return name.size() > 1 && name.front() == '#' && name.back() == '#';
}

void PathFilter::exclude(const fs::path& dir) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(dir, ec), ec).lexically_normal();
  if (canonical.filename().empty()) canonical = canonical.parent_path();  // "a/b/" → "a/b"
  if (!canonical.empty()) excluded.push_back(canonical);
}

bool PathFilter::ignored(const fs::path& path) const {
  if (ignored_name(path.filename().native())) return true;
  return std::any_of(excluded.begin(), excluded.end(),
                     [&](const fs::path& dir) { return path_within(path, dir); });
}

bool path_within(const fs::path& path, const fs::path& dir) {
  return std::mismatch(dir.begin(), dir.end(), path.begin(), path.end()).first == dir.end();
}

std::string tree_fingerprint(const fs::path& dir, const PathFilter& filter) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "";
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return "";
  std::vector<std::string> entries;
  for (; it != fs::end(it); it.increment(ec)) {
    if (ec) return "";  // a folder vanished mid-walk: the change is seen by the next walk
    const fs::path& path = it->path();
    if (filter.ignored(path)) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;  // removed since it was listed
    entries.push_back(describe_entry(path.lexically_relative(dir), st, path));
  }
  // Directory order changes with creations and deletions; the fingerprint must not.
  std::sort(entries.begin(), entries.end());
  std::string all;
  for (const auto& entry : entries) all += entry + '\n';
  return sha256_hex(all);
}

std::map<std::string, std::string> code_fingerprints(const std::vector<FunctionConfig>& functions,
                                                     const PathFilter& filter) {
  std::map<fs::path, std::string> trees;  // functions often share a code folder or a layer
  auto tree = [&](const fs::path& dir) -> const std::string& {
    auto it = trees.find(dir);
    if (it == trees.end()) {
      // lambdad's own copy of an archive or InlineCode (in the excluded state dir) is named by
      // its content's hash: the name is the fingerprint.
      it = trees
               .emplace(dir, filter.ignored(dir) ? sha256_hex("unpacked " + dir.string())
                                                 : tree_fingerprint(dir, filter))
               .first;
    }
    return it->second;
  };
  std::map<std::string, std::string> out;
  for (const auto& fn : functions) {
    std::string combined = tree(fn.code_dir);
    bool known = !combined.empty();
    for (const auto& layer : fn.layers) {
      known = known && !tree(layer).empty();
      combined += ' ' + tree(layer);
    }
    out[fn.name] = known ? (fn.layers.empty() ? combined : sha256_hex(combined)) : "";
  }
  return out;
}

std::vector<fs::path> code_folders(const std::vector<FunctionConfig>& functions) {
  std::set<fs::path> seen;
  std::vector<fs::path> out;
  auto add = [&](const fs::path& dir) {
    if (!dir.empty() && seen.insert(dir).second) out.push_back(dir);
  };
  for (const auto& fn : functions) {
    add(fn.code_dir);
    for (const auto& layer : fn.layers) add(layer);
  }
  return out;
}

}  // namespace lambdad::deploy
