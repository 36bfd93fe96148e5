#pragma once
/// @brief Uploaded code, content-addressed under the state dir: the zip as uploaded,
/// `<state-dir>/code/<sha256>.zip` (GetFunction's download), and beside it the folder it unzips
/// to, `<state-dir>/code/<sha256>/` (the function's /var/task; the same folder a template's
/// `CodeUri: app.zip` of that content unzips to). Both are made under temporary names and renamed
/// into place, the zip first, so a crash leaves either nothing or a zip no function names, which
/// sweep() removes at the next start.
///
/// Thread safety: plain functions over the disk, run on the registry's thread.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

namespace lambdad::registry {

struct StagedCode {
  std::string hex;     ///< SHA-256 of the zip, lower-case hex: the folder's name
  std::string base64;  ///< the same digest in base64: the API's CodeSha256
  uint64_t size = 0;   ///< the zip's size: the API's CodeSize
  std::filesystem::path dir;
};

class CodeStore {
 public:
  explicit CodeStore(std::filesystem::path root) : root_(std::move(root)) {}

  /// Keeps `zip` and unzips it (deploy/code_archive's checks: zip-slip, bombs, truncation).
  /// Throws AwsError InvalidParameterValueException for a zip that cannot be unzipped; then
  /// nothing it made is left.
  StagedCode stage(std::string_view zip) const;
  /// What stage() would answer, without writing anything but a temporary folder (DryRun).
  StagedCode check(std::string_view zip) const;

  std::filesystem::path folder(const std::string& hex) const { return root_ / hex; }
  std::filesystem::path zip_file(const std::string& hex) const { return root_ / (hex + ".zip"); }
  /// Whether `dir` is a folder of this store (uploaded code).
  bool holds(const std::filesystem::path& dir) const;

  /// At start: removes temporary leftovers of an interrupted upload, and the kept zips (with
  /// their folders) of code no function names any more, except folders in `keep` (code a
  /// template uses). Returns how many entries it removed.
  size_t sweep(const std::set<std::string>& used_hex,
               const std::set<std::filesystem::path>& keep) const;

  /// The bytes of a folder zipped (a template function's code for GetFunction's download):
  /// regular files with their modes and symbolic links as links, in name order with one fixed
  /// time, so the same files make the same bytes. Throws std::runtime_error.
  std::string zip_folder(const std::filesystem::path& dir) const;

 private:
  std::filesystem::path root_;
};

/// SHA-256 of `data`, raw bytes.
std::string sha256(std::string_view data);

}  // namespace lambdad::registry
