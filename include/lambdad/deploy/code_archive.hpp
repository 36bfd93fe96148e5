#pragma once
/// @brief Code that does not sit in a folder of the project: a `.zip` / `.jar` CodeUri or layer
/// ContentUri (unzipped with libzip) and a function's InlineCode (written as CloudFormation
/// writes `Code.ZipFile`). Both become a read-only-by-convention folder in the state dir,
/// `<state-dir>/code/<sha256>/`, named by the content's hash so that a restart or a hot reload
/// of the same archive reuses it, and made in a temporary folder renamed into place so that a
/// failure leaves nothing behind.
///
/// Archives are untrusted input: entries that would land outside the folder (`../`, absolute
/// names, symbolic links leading out, a file under a symbolic link) are refused, as are zip
/// bombs (Lambda's 250 MB unzipped limit, an entry count cap, a compression ratio cap).
///
/// Thread safety: plain functions over the disk. Two processes unzipping the same archive into
/// the same state dir race harmlessly: the second rename fails and its copy is removed.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lambdad::deploy {

/// Why an archive or inline code cannot become a code folder; the message names the archive.
class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ArchiveLimits {
  /// Lambda's limit on a deployment package unzipped (CodeSizeUnzipped, 250 MB).
  std::uint64_t max_total_bytes = 262'144'000;
  std::uint64_t max_entries = 100'000;
  /// An entry this big (uncompressed) may not have been compressed more than max_ratio to 1:
  /// real code and data stay far below; a zip bomb's entries are near deflate's ~1000:1.
  std::uint64_t ratio_checked_from_bytes = 1 << 20;
  std::uint64_t max_ratio = 200;
};

/// Unzips `archive` into `<code_root>/<sha256 of the archive>/` (reused when already there) and
/// returns that folder. Keeps symbolic links and the executable bits. Throws ArchiveError.
std::filesystem::path unpack_archive(const std::filesystem::path& archive,
                                     const std::filesystem::path& code_root,
                                     const ArchiveLimits& limits = {});

/// Writes `code` as `<code_root>/<sha256>/<file_name>` (reused when already there) and returns
/// the folder. Throws ArchiveError when the disk refuses.
std::filesystem::path write_inline_code(std::string_view code, const std::string& file_name,
                                        const std::filesystem::path& code_root);

/// Whether a CodeUri / ContentUri path names an archive (`.zip` or `.jar`, any case).
bool is_archive_name(const std::filesystem::path& path);

}  // namespace lambdad::deploy
