#include "lambdad/deploy/code_archive.hpp"
#include "lambdad/common/encoding.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lambdad/common/private_dir.hpp"

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kMaxLinkTarget = 4096;

struct DigestFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void add(std::string_view data) { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }
  std::string hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &length);
    return hex_lower({reinterpret_cast<const char*>(digest), length});
  }

 private:
  std::unique_ptr<EVP_MD_CTX, DigestFree> ctx_;
};

std::string file_sha256(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ArchiveError("cannot read " + file.string() + ": " + std::strerror(errno));
  Sha256 sha;
  std::vector<char> buffer(kChunk);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.add({buffer.data(), static_cast<size_t>(in.gcount())});
  }
  if (in.bad()) throw ArchiveError("cannot read " + file.string());
  return sha.hex_digest();
}

/// A folder under construction: removed with everything in it unless it was renamed into place.
class TempFolder {
 public:
  explicit TempFolder(const fs::path& root, const std::string& name) {
    static std::atomic<unsigned> counter{0};
    path_ = root /
            (".tmp-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::error_code ec;
    try {
      create_private_dirs(root);  // the state dir's code/ (private_dir.hpp)
    } catch (const fs::filesystem_error& e) {
      ec = e.code();
    }
    if (ec || !fs::create_directory(path_, ec) || ec) {
      throw ArchiveError("cannot create " + path_.string() + ": " + ec.message());
    }
    fs::permissions(path_, fs::perms(0755), ec);
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const fs::path& path() const { return path_; }

  /// Renames the folder to `final_path`; another process that got there first wins, and this
  /// copy is removed.
  void publish(const fs::path& final_path) {
    std::error_code ec;
    fs::rename(path_, final_path, ec);
    if (ec && !fs::is_directory(final_path)) {
      throw ArchiveError("cannot rename " + path_.string() + " to " + final_path.string() + ": " +
                         ec.message());
    }
    if (!ec) path_.clear();
  }

 private:
  fs::path path_;
};

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

enum class Kind { kFile, kFolder, kLink };

struct Entry {
  zip_uint64_t index = 0;
  std::string name;  ///< as stored
  fs::path path;     ///< checked, relative, normalised
  Kind kind = Kind::kFile;
  mode_t mode = 0644;
  zip_uint64_t size = 0;
  zip_uint64_t compressed = 0;
  std::string link_target;  ///< for kLink, checked to stay inside the folder
};

class Unzipper {
 public:
  Unzipper(const fs::path& archive, const ArchiveLimits& limits)
      : label_("'" + archive.filename().string() + "'"), limits_(limits) {
    int code = 0;
    zip_ = std::unique_ptr<zip_t, ZipDiscard>(
        zip_open(archive.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!zip_) throw ArchiveError(label_ + " " + open_error(code));
  }

  /// Reads the central directory and checks every entry before anything is written.
  void check() {
    const zip_int64_t count = zip_get_num_entries(zip_.get(), 0);
    if (count < 0) throw ArchiveError(label_ + " cannot be read");
    if (static_cast<zip_uint64_t>(count) > limits_.max_entries) {
      throw ArchiveError(label_ + " has " + std::to_string(count) +
                         " entries; lambdad unzips at most " + std::to_string(limits_.max_entries));
    }
    zip_uint64_t total = 0;
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
      Entry entry = read_entry(i);
      total += entry.size;
      if (total > limits_.max_total_bytes) {
        throw ArchiveError(label_ + " unzips to more than " + megabytes(limits_.max_total_bytes) +
                           ", Lambda's limit for a deployment package (CodeSizeUnzipped)");
      }
      if (!entry.path.empty()) entries_.push_back(std::move(entry));
    }
    check_links();
  }

  /// Writes the checked entries below `dest`: folders and files first, symbolic links last, so
  /// that no write ever goes through a link.
  void extract(const fs::path& dest) {
    for (const Entry& entry : entries_) {
      if (entry.kind == Kind::kFolder) make_folder(dest / entry.path);
    }
    for (const Entry& entry : entries_) {
      if (entry.kind == Kind::kFile) write_file(dest, entry);
    }
    for (const Entry& entry : entries_) {
      if (entry.kind == Kind::kLink) make_link(dest, entry);
    }
  }

 private:
  static std::string open_error(int code) {
    switch (code) {
      case ZIP_ER_NOZIP:
        return "is not a zip file, or it is truncated (no end of central directory)";
      case ZIP_ER_INCONS:
        return "is damaged or truncated (inconsistent zip archive)";
      case ZIP_ER_NOENT:
        return "does not exist";
      case ZIP_ER_OPEN:
      case ZIP_ER_READ:
        return "cannot be read: " + std::string(std::strerror(errno));
      default: {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        std::string text = "cannot be opened: " + std::string(zip_error_strerror(&error));
        zip_error_fini(&error);
        return text;
      }
    }
  }

  static std::string megabytes(std::uint64_t bytes) {
    return std::to_string(bytes / 1'048'576) + " MB";
  }

  std::string entry_label(const std::string& name) const {
    return label_ + ": entry '" + name + "'";
  }

  /// The entry's name as a relative path below the folder; empty for the folder itself.
  fs::path checked_path(const std::string& name) const {
    if (name.empty()) throw ArchiveError(label_ + " has an entry with an empty name");
    if (name.find('\0') != std::string::npos) {
      throw ArchiveError(entry_label(name) + " has a NUL character in its name");
    }
    if (name.front() == '/' || name.front() == '\\' ||
        (name.size() > 1 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0])))) {
      throw ArchiveError(entry_label(name) + " is an absolute path; refusing to unzip it");
    }
    fs::path out;
    size_t start = 0;
    while (start <= name.size()) {
      const size_t end = std::min(name.find('/', start), name.size());
      const std::string part = name.substr(start, end - start);
      if (part == "..") {
        throw ArchiveError(entry_label(name) +
                           " leads outside the folder ('..'); refusing to unzip it");
      }
      if (!part.empty() && part != ".") out /= part;
      start = end + 1;
    }
    return out;
  }

  Entry read_entry(zip_uint64_t index) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
      throw ArchiveError(label_ + " is damaged: " + zip_strerror(zip_.get()));
    }
    Entry entry;
    entry.index = index;
    entry.name = st.name;
    entry.path = checked_path(entry.name);
    entry.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    entry.compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    zip_uint8_t system = 0;
    zip_uint32_t attributes = 0;
    bool unix_mode = false;
    if (zip_file_get_external_attributes(zip_.get(), index, 0, &system, &attributes) == 0 &&
        system == ZIP_OPSYS_UNIX && (attributes >> 16) != 0) {
      unix_mode = true;
      entry.mode = static_cast<mode_t>(attributes >> 16);
    }
    if (entry.name.back() == '/' || (unix_mode && S_ISDIR(entry.mode))) {
      entry.kind = Kind::kFolder;
    } else if (unix_mode && S_ISLNK(entry.mode)) {
      entry.kind = Kind::kLink;
    }
    // Only the permission bits, never set-id or sticky; the owner can always read what it made.
    entry.mode = unix_mode ? (entry.mode & 0777) | S_IRUSR : 0644;
    if (entry.kind == Kind::kFile && entry.size >= limits_.ratio_checked_from_bytes &&
        entry.size / std::max<zip_uint64_t>(entry.compressed, 1) > limits_.max_ratio) {
      throw ArchiveError(entry_label(entry.name) + " expands " + std::to_string(entry.compressed) +
                         " bytes to " + std::to_string(entry.size) + " (more than " +
                         std::to_string(limits_.max_ratio) +
                         ":1); refusing what looks like a zip bomb");
    }
    if (entry.kind == Kind::kLink) {
      if (entry.size == 0 || entry.size > kMaxLinkTarget) {
        throw ArchiveError(entry_label(entry.name) + " is a symbolic link with a bad target");
      }
      entry.link_target = read_all(entry, kMaxLinkTarget);
      check_link_target(entry);
    }
    return entry;
  }

  /// As many links as Linux follows in one lookup (MAXSYMLINKS) before ELOOP.
  static constexpr int kMaxLinkHops = 40;

  /// Where `target`, read from the folder `dir` (both relative to the unzipped folder), leads
  /// once the archive's links on its way are followed, as the kernel resolves it; nullopt when
  /// it leaves the folder or follows more than `budget` links (then `budget` < 0).
  static std::optional<fs::path> resolve(fs::path dir, const std::string& target,
                                         const std::map<fs::path, const Entry*>& links,
                                         int& budget) {
    for (const fs::path& part : fs::path(target)) {
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (dir.empty()) return std::nullopt;
        dir = dir.parent_path();
        continue;
      }
      dir /= part;
      const auto link = links.find(dir);
      if (link == links.end()) continue;
      if (--budget < 0) return std::nullopt;
      auto next = resolve(dir.parent_path(), link->second->link_target, links, budget);
      if (!next) return std::nullopt;
      dir = std::move(*next);
    }
    return dir;
  }

  void check_link_target(const Entry& entry) const {
    const std::string& target = entry.link_target;
    if (target.find('\0') != std::string::npos || target.empty()) {
      throw ArchiveError(entry_label(entry.name) + " is a symbolic link with a bad target");
    }
    if (target.front() == '/') {
      throw ArchiveError(entry_label(entry.name) + " is a symbolic link to an absolute path ('" +
                         target + "'); refusing to unzip it");
    }
    const fs::path resolved = (entry.path.parent_path() / target).lexically_normal();
    if (!resolved.empty() && *resolved.begin() == "..") {
      throw ArchiveError(entry_label(entry.name) +
                         " is a symbolic link leading outside the folder ('" + target +
                         "'); refusing to unzip it");
    }
  }

  /// No entry may sit below a symbolic link: unzipping it would write through the link. And no
  /// link may lead out through another: `d/up -> ..` and `esc -> d/up/..` each stay inside read
  /// alone, but the kernel resolves `esc` to the folder's parent.
  void check_links() const {
    std::map<fs::path, const Entry*> links;
    for (const Entry& entry : entries_) {
      if (entry.kind == Kind::kLink) links[entry.path] = &entry;
    }
    if (links.empty()) return;
    for (const auto& [path, link] : links) {
      int budget = kMaxLinkHops;
      if (!resolve(path.parent_path(), link->link_target, links, budget)) {
        throw ArchiveError(entry_label(link->name) +
                           (budget < 0 ? " leads through more than " +
                                             std::to_string(kMaxLinkHops) + " symbolic links"
                                       : " is a symbolic link leading outside the folder ('" +
                                             link->link_target + "') through another link") +
                           "; refusing to unzip it");
      }
    }
    for (const Entry& entry : entries_) {
      for (fs::path parent = entry.path.parent_path(); !parent.empty();
           parent = parent.parent_path()) {
        if (links.contains(parent)) {
          throw ArchiveError(entry_label(entry.name) + " lies below the symbolic link '" +
                             parent.string() + "'; refusing to unzip it");
        }
      }
    }
  }

  std::unique_ptr<zip_file_t, ZipFileClose> open(const Entry& entry) {
    std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(zip_.get(), entry.index, 0));
    if (!file) {
      throw ArchiveError(entry_label(entry.name) + " cannot be read: " + zip_strerror(zip_.get()));
    }
    return file;
  }

  std::string read_all(const Entry& entry, size_t limit) {
    auto file = open(entry);
    std::string out(limit + 1, '\0');
    const zip_int64_t n = zip_fread(file.get(), out.data(), out.size());
    if (n < 0) {
      throw ArchiveError(entry_label(entry.name) + " is damaged: " + zip_file_strerror(file.get()));
    }
    out.resize(static_cast<size_t>(n));
    return out;
  }

  void make_folder(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw ArchiveError(label_ + ": cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms(0755), ec);
  }

  void write_file(const fs::path& dest, const Entry& entry) {
    if (entry.path.has_parent_path()) make_folder(dest / entry.path.parent_path());
    const fs::path target = dest / entry.path;
    const int fd =
        ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, entry.mode);
    if (fd < 0) {
      throw ArchiveError(entry_label(entry.name) + " cannot be written" +
                         (errno == EEXIST ? std::string(": the archive holds it twice")
                                          : ": " + std::string(std::strerror(errno))));
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    auto file = open(entry);
    std::vector<char> buffer(kChunk);
    zip_uint64_t written = 0;
    while (true) {
      const zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
      if (n < 0) {
        throw ArchiveError(entry_label(entry.name) +
                           " is damaged or truncated: " + zip_file_strerror(file.get()));
      }
      if (n == 0) break;
      written += static_cast<zip_uint64_t>(n);
      total_written_ += static_cast<zip_uint64_t>(n);
      // The sizes checked came from the central directory; what inflates is counted too.
      if (written > entry.size || total_written_ > limits_.max_total_bytes) {
        throw ArchiveError(entry_label(entry.name) +
                           " holds more data than its header says; refusing to unzip it");
      }
      for (zip_int64_t done = 0; done < n;) {
        const ssize_t w = ::write(fd, buffer.data() + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          throw ArchiveError(label_ + ": cannot write " + target.string() + ": " +
                             std::strerror(errno));
        }
        done += w;
      }
    }
    ::fchmod(fd, entry.mode);  // the umask may have taken bits away
  }

  void make_link(const fs::path& dest, const Entry& entry) {
    if (entry.path.has_parent_path()) make_folder(dest / entry.path.parent_path());
    if (::symlink(entry.link_target.c_str(), (dest / entry.path).c_str()) != 0) {
      throw ArchiveError(entry_label(entry.name) + " cannot be made a symbolic link" +
                         (errno == EEXIST ? std::string(": another entry has its name")
                                          : ": " + std::string(std::strerror(errno))));
    }
  }

  std::string label_;
  ArchiveLimits limits_;
  std::unique_ptr<zip_t, ZipDiscard> zip_;
  std::vector<Entry> entries_;
  zip_uint64_t total_written_ = 0;
};

}  // namespace

bool is_archive_name(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".zip" || extension == ".jar";
}

fs::path unpack_archive(const fs::path& archive, const fs::path& code_root,
                        const ArchiveLimits& limits) {
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec)) {
    throw ArchiveError("'" + archive.filename().string() + "' is not a file");
  }
  const std::string sha = file_sha256(archive);
  const fs::path final_path = code_root / sha;
  if (fs::is_directory(final_path, ec)) return final_path;
  Unzipper unzipper(archive, limits);
  unzipper.check();
  TempFolder temp(code_root, sha);
  unzipper.extract(temp.path());
  // A zip being rewritten (a build, hot reload's trigger) must not be filed under the hash of
  // its previous content.
  if (file_sha256(archive) != sha) {
    throw ArchiveError(
        "'" + archive.filename().string() +
        "' changed while it was being unzipped; it is read again on its next change");
  }
  temp.publish(final_path);
  return final_path;
}

fs::path write_inline_code(std::string_view code, const std::string& file_name,
                           const fs::path& code_root) {
  Sha256 sha;
  sha.add(file_name);
  sha.add(std::string_view("\0", 1));
  sha.add(code);
  const std::string name = sha.hex_digest();
  const fs::path final_path = code_root / name;
  std::error_code ec;
  if (fs::is_directory(final_path, ec)) return final_path;
  TempFolder temp(code_root, name);
  {
    std::ofstream out(temp.path() / file_name, std::ios::binary);
    out.write(code.data(), static_cast<std::streamsize>(code.size()));
    if (!out.flush()) {
      throw ArchiveError("cannot write " + (temp.path() / file_name).string());
    }
  }
  fs::permissions(temp.path() / file_name, fs::perms(0644), ec);
  temp.publish(final_path);
  return final_path;
}

}  // namespace lambdad::deploy
