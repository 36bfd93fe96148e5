#include "lambdad/registry/code_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/private_dir.hpp"
#include "lambdad/deploy/code_archive.hpp"

namespace lambdad::registry {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempPrefix = ".tmp-";

AwsError unzip_refused(const std::string& why) {
  // AWS's own sentence, then what lambdad found.
  return errors::invalid_parameter(
      "Could not unzip uploaded file. Please check your file, then try to upload again. (" + why +
      ")");
}

/// A file under construction: removed unless renamed into place.
class TempFile {
 public:
  explicit TempFile(const fs::path& root) {
    static std::atomic<unsigned> counter{0};
    path_ = root / (std::string(kTempPrefix) + "upload-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++) + ".zip");
  }
  ~TempFile() {
    std::error_code ec;
    if (!path_.empty()) fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out.flush()) {
    throw errors::service("cannot write " + path.string() + ": " + std::strerror(errno));
  }
}

std::string unzip_reason(const deploy::ArchiveError& e, const std::string& archive_name) {
  std::string text = e.what();
  const std::string label = "'" + archive_name + "'";
  for (size_t at = text.find(label); at != std::string::npos; at = text.find(label, at)) {
    text.replace(at, label.size(), "the zip");
  }
  return text;
}

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return {reinterpret_cast<const char*>(digest), length};
}

StagedCode CodeStore::stage(std::string_view zip) const {
  const std::string digest = sha256(zip);
  StagedCode staged{hex_lower(digest), base64_encode(digest), zip.size(), {}};
  try {
    create_private_dirs(root_);
  } catch (const fs::filesystem_error& e) {
    throw errors::service("cannot create " + root_.string() + ": " + e.code().message());
  }
  const fs::path kept = zip_file(staged.hex);
  std::error_code ec;
  bool made_zip = false;
  if (!fs::is_regular_file(kept, ec)) {
    TempFile temp(root_);
    write_file(temp.path(), zip);
    fs::rename(temp.path(), kept, ec);
    if (ec) throw errors::service("cannot rename to " + kept.string() + ": " + ec.message());
    temp.release();
    made_zip = true;
  }
  try {
    staged.dir = deploy::unpack_archive(kept, root_);
  } catch (const deploy::ArchiveError& e) {
    if (made_zip) fs::remove(kept, ec);
    throw unzip_refused(unzip_reason(e, kept.filename().string()));
  }
  return staged;
}

StagedCode CodeStore::check(std::string_view zip) const {
  const std::string digest = sha256(zip);
  StagedCode staged{hex_lower(digest), base64_encode(digest), zip.size(), {}};
  std::error_code ec;
  if (fs::is_directory(folder(staged.hex), ec)) {
    staged.dir = folder(staged.hex);
    return staged;
  }
  // Unzipped into a scratch root that goes away with it: the same checks, nothing kept.
  TempFile temp(root_);
  const fs::path scratch = root_ / (temp.path().stem().string() + "-dryrun");
  struct Scratch {
    fs::path path;
    ~Scratch() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } guard{scratch};
  try {
    create_private_dirs(scratch);
  } catch (const fs::filesystem_error& e) {
    throw errors::service("cannot create " + scratch.string() + ": " + e.code().message());
  }
  const fs::path archive = scratch / "upload.zip";
  write_file(archive, zip);
  try {
    deploy::unpack_archive(archive, scratch / "code");
  } catch (const deploy::ArchiveError& e) {
    throw unzip_refused(unzip_reason(e, "upload.zip"));
  }
  return staged;
}

bool CodeStore::holds(const fs::path& dir) const {
  return dir.parent_path() == root_ && !dir.filename().string().starts_with(kTempPrefix);
}

size_t CodeStore::sweep(const std::set<std::string>& used_hex,
                        const std::set<fs::path>& keep) const {
  size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (auto it = fs::directory_iterator(root_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    if (name.starts_with(kTempPrefix)) {
      doomed.push_back(path);
    } else if (path.extension() == ".zip" && !used_hex.contains(path.stem().string())) {
      doomed.push_back(path);
      const fs::path dir = folder(path.stem().string());
      if (!keep.contains(dir)) doomed.push_back(dir);
    }
  }
  for (const auto& path : doomed) {
    std::error_code remove_ec;
    if (fs::remove_all(path, remove_ec) > 0) ++removed;
    if (remove_ec) spdlog::warn("cannot remove {}: {}", path.string(), remove_ec.message());
  }
  return removed;
}

std::string CodeStore::zip_folder(const fs::path& dir) const {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) throw std::runtime_error("cannot list " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  create_private_dirs(root_);
  TempFile temp(root_);
  int error = 0;
  std::unique_ptr<zip_t, ZipDiscard> archive(
      zip_open(temp.path().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error));
  if (!archive) throw std::runtime_error("cannot create " + temp.path().string());
  // Link targets must outlive zip_close, which reads every source.
  std::vector<std::unique_ptr<std::string>> targets;
  for (const auto& path : entries) {
    const std::string name = fs::relative(path, dir, ec).generic_string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    zip_int64_t index = -1;
    if (S_ISDIR(st.st_mode)) {
      index = zip_dir_add(archive.get(), name.c_str(), ZIP_FL_ENC_UTF_8);
    } else if (S_ISLNK(st.st_mode)) {
      auto target = std::make_unique<std::string>(fs::read_symlink(path, ec).string());
      zip_source_t* source = zip_source_buffer(archive.get(), target->data(), target->size(), 0);
      index = zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8);
      if (index < 0) zip_source_free(source);
      targets.push_back(std::move(target));
    } else if (S_ISREG(st.st_mode)) {
      zip_source_t* source = zip_source_file(archive.get(), path.c_str(), 0, -1);
      index = source ? zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8) : -1;
      if (index < 0 && source) zip_source_free(source);
    } else {
      continue;  // sockets, fifos: nothing a zip holds
    }
    if (index < 0) {
      throw std::runtime_error("cannot add " + name + " to a zip: " + zip_strerror(archive.get()));
    }
    zip_file_set_external_attributes(archive.get(), static_cast<zip_uint64_t>(index), 0,
                                     ZIP_OPSYS_UNIX, static_cast<zip_uint32_t>(st.st_mode) << 16);
    // One fixed time (the zip format's earliest, 1980-01-01): the same files make the same
    // zip, so PublishVersion of an unchanged folder finds the same CodeSha256.
    zip_file_set_mtime(archive.get(), static_cast<zip_uint64_t>(index), 315532800, 0);
  }
  if (zip_close(archive.get()) != 0) {
    throw std::runtime_error("cannot write a zip of " + dir.string() + ": " +
                             zip_strerror(archive.get()));
  }
  archive.release();  // closed: nothing left to discard
  std::ifstream in(temp.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace lambdad::registry
