// Unzipping CodeUri archives and writing InlineCode into the state dir, and the zips refused.
#include "lambdad/deploy/code_archive.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct ZipEntry {
  std::string name;
  std::string data;
  mode_t mode = S_IFREG | 0644;  ///< S_IFDIR / S_IFLNK with permission bits; 0: no Unix mode
};

class CodeArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lambdad-archive-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    root_ = dir_ / "state" / "code";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Writes a zip with libzip (names stored as given, so bad ones can be made).
  fs::path make_zip(const std::string& name, const std::vector<ZipEntry>& entries) {
    const fs::path path = dir_ / name;
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    EXPECT_NE(archive, nullptr);
    for (const auto& entry : entries) {
      zip_int64_t index = -1;
      if (S_ISDIR(entry.mode)) {
        index = zip_dir_add(archive, entry.name.c_str(), ZIP_FL_ENC_UTF_8);
      } else {
        zip_source_t* source = zip_source_buffer(archive, entry.data.data(), entry.data.size(), 0);
        index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
      }
      EXPECT_GE(index, 0) << entry.name << ": " << zip_strerror(archive);
      if (entry.mode != 0) {
        zip_file_set_external_attributes(archive, static_cast<zip_uint64_t>(index), 0,
                                         ZIP_OPSYS_UNIX,
                                         static_cast<zip_uint32_t>(entry.mode) << 16);
      }
    }
    EXPECT_EQ(zip_close(archive), 0);
    return path;
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// The ArchiveError message of unpacking `zip`; nothing may be left in the code root.
  std::string refusal(const fs::path& zip, const ArchiveLimits& limits = {}) {
    try {
      unpack_archive(zip, root_, limits);
      ADD_FAILURE() << zip << " was unpacked";
    } catch (const ArchiveError& e) {
      std::error_code ec;
      EXPECT_TRUE(!fs::exists(root_, ec) || fs::is_empty(root_, ec)) << "left behind in " << root_;
      return e.what();
    }
    return "";
  }

  fs::path dir_, root_;
};

TEST_F(CodeArchiveTest, UnpacksFilesFoldersLinksAndExecBits) {
  const fs::path zip = make_zip("app.zip", {{"bootstrap", "#!/bin/sh\necho hi\n", S_IFREG | 0755},
                                            {"lib/", "", S_IFDIR | 0755},
                                            {"lib/data.txt", "data"},
                                            {"lib/current", "data.txt", S_IFLNK | 0777},
                                            {"docs/readme.md", "read me", 0},
                                            {"setuid", "x", S_IFREG | 04755}});
  const fs::path folder = unpack_archive(zip, root_);
  EXPECT_EQ(folder.parent_path(), root_);
  EXPECT_EQ(folder.filename().string().size(), 64u);  // the zip's sha256
  EXPECT_EQ(read(folder / "bootstrap"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(fs::status(folder / "bootstrap").permissions() & fs::perms::owner_exec,
            fs::perms::owner_exec);
  EXPECT_EQ(fs::status(folder / "lib" / "data.txt").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  ASSERT_TRUE(fs::is_symlink(folder / "lib" / "current"));
  EXPECT_EQ(fs::read_symlink(folder / "lib" / "current"), "data.txt");
  EXPECT_EQ(read(folder / "lib" / "current"), "data");
  EXPECT_EQ(read(folder / "docs" / "readme.md"), "read me");  // no Unix mode: 0644
  EXPECT_EQ(fs::status(folder / "setuid").permissions() & fs::perms::set_uid, fs::perms::none);

  // The same archive again (a restart, a reload) reuses the folder; no temporary one is left.
  EXPECT_EQ(unpack_archive(zip, root_), folder);
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1);
}

TEST_F(CodeArchiveTest, AnotherArchiveGetsAnotherFolder) {
  const fs::path first = unpack_archive(make_zip("a.zip", {{"index.js", "1"}}), root_);
  const fs::path second = unpack_archive(make_zip("a.zip", {{"index.js", "2"}}), root_);
  EXPECT_NE(first, second);
  EXPECT_EQ(read(second / "index.js"), "2");
}

TEST_F(CodeArchiveTest, LinksInsideTheFolderAreKept) {
  const fs::path folder =
      unpack_archive(make_zip("ok.zip", {{"a/b/file", "x"},
                                         {"a/b/up", "../b/file", S_IFLNK | 0777},
                                         {"a/dir", "b", S_IFLNK | 0777}}),
                     root_);
  EXPECT_EQ(read(folder / "a" / "b" / "up"), "x");
  EXPECT_EQ(read(folder / "a" / "dir" / "file"), "x");
}

TEST_F(CodeArchiveTest, RefusesDotDotEntries) {
  EXPECT_THAT(refusal(make_zip("slip.zip", {{"ok.js", "x"}, {"../evil.js", "x"}})),
              HasSubstr("entry '../evil.js' leads outside the folder"));
  EXPECT_THAT(refusal(make_zip("slip2.zip", {{"a/../../evil.js", "x"}})),
              HasSubstr("leads outside the folder"));
  EXPECT_FALSE(fs::exists(dir_ / "evil.js"));
  EXPECT_FALSE(fs::exists(dir_ / "state" / "evil.js"));
}

TEST_F(CodeArchiveTest, RefusesAbsolutePaths) {
  EXPECT_THAT(refusal(make_zip("abs.zip", {{"/tmp/evil.js", "x"}})),
              HasSubstr("entry '/tmp/evil.js' is an absolute path"));
  EXPECT_THAT(refusal(make_zip("drive.zip", {{"C:/evil.js", "x"}})),
              HasSubstr("is an absolute path"));
}

TEST_F(CodeArchiveTest, RefusesLinksLeadingOut) {
  EXPECT_THAT(refusal(make_zip("up.zip", {{"link", "../../etc/passwd", S_IFLNK | 0777}})),
              HasSubstr("entry 'link' is a symbolic link leading outside the folder"));
  EXPECT_THAT(refusal(make_zip("deep.zip", {{"a/b/link", "../../..", S_IFLNK | 0777}})),
              HasSubstr("leading outside the folder"));
  EXPECT_THAT(refusal(make_zip("abs.zip", {{"link", "/etc", S_IFLNK | 0777}})),
              HasSubstr("is a symbolic link to an absolute path ('/etc')"));
}

TEST_F(CodeArchiveTest, RefusesLinksLeadingOutThroughOtherLinks) {
  // Each link stays inside read alone; the kernel resolves `esc` through `d/up` to the folder's
  // parent (found by tests/fuzz/code_archive.cpp; corpus/code_archive/link-through-link.zip).
  EXPECT_THAT(refusal(make_zip("chain.zip", {{"d/", "", S_IFDIR | 0755},
                                             {"d/up", "..", S_IFLNK | 0777},
                                             {"esc", "d/up/..", S_IFLNK | 0777}})),
              HasSubstr("entry 'esc' is a symbolic link leading outside the folder ('d/up/..') "
                        "through another link"));
  EXPECT_THAT(refusal(make_zip("deeper.zip", {{"a/b/top", "../..", S_IFLNK | 0777},
                                              {"x", "a/b/top/../../etc", S_IFLNK | 0777}})),
              HasSubstr("entry 'x' is a symbolic link leading outside the folder"));
  EXPECT_THAT(
      refusal(make_zip("loop.zip", {{"a", "b/x", S_IFLNK | 0777}, {"b", "a/y", S_IFLNK | 0777}})),
      HasSubstr("leads through more than 40 symbolic links"));
}

TEST_F(CodeArchiveTest, LinksThroughLinksInsideAreKept) {
  // pnpm's node_modules: `.bin/a` leads through the link `a` into `.pnpm/`.
  const fs::path folder = unpack_archive(
      make_zip("pnpm.zip", {{"node_modules/.pnpm/a@1/node_modules/a/cli.js", "1"},
                            {"node_modules/a", ".pnpm/a@1/node_modules/a", S_IFLNK | 0777},
                            {"node_modules/.bin/a", "../a/cli.js", S_IFLNK | 0777},
                            {"up", "node_modules/a/..", S_IFLNK | 0777}}),
      root_);
  EXPECT_EQ(read(folder / "node_modules" / ".bin" / "a"), "1");
  EXPECT_TRUE(fs::is_symlink(folder / "up"));
}

TEST_F(CodeArchiveTest, RefusesAFileUnderALinkedFolder) {
  // The link alone stays inside; the file under it would be written through it.
  EXPECT_THAT(refusal(make_zip("through.zip", {{"sub/", "", S_IFDIR | 0755},
                                               {"dir", "sub", S_IFLNK | 0777},
                                               {"dir/evil.js", "x"}})),
              HasSubstr("entry 'dir/evil.js' lies below the symbolic link 'dir'"));
  // Whatever the order of the entries.
  EXPECT_THAT(refusal(make_zip("order.zip", {{"dir/evil.js", "x"}, {"dir", ".", S_IFLNK | 0777}})),
              HasSubstr("lies below the symbolic link 'dir'"));
}

TEST_F(CodeArchiveTest, RefusesZipBombs) {
  const std::string zeros(4 << 20, '\0');  // deflates about 1000:1
  EXPECT_THAT(refusal(make_zip("bomb.zip", {{"zeros.bin", zeros}})),
              HasSubstr("refusing what looks like a zip bomb"));

  ArchiveLimits small;
  small.max_total_bytes = 1000;
  EXPECT_THAT(
      refusal(make_zip("big.zip", {{"a", std::string(600, 'a')}, {"b", std::string(600, 'b')}}),
              small),
      HasSubstr("unzips to more than 0 MB, Lambda's limit for a deployment package"));

  ArchiveLimits few;
  few.max_entries = 2;
  EXPECT_THAT(refusal(make_zip("many.zip", {{"a", "1"}, {"b", "2"}, {"c", "3"}}), few),
              HasSubstr("has 3 entries; lambdad unzips at most 2"));
}

TEST_F(CodeArchiveTest, RefusesTruncatedAndNonZipFiles) {
  const fs::path good = make_zip("good.zip", {{"index.js", std::string(5000, 'x')}});
  const std::string bytes = read(good);
  std::ofstream(dir_ / "cut.zip", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT(refusal(dir_ / "cut.zip"),
              HasSubstr("'cut.zip' is not a zip file, or it is truncated"));

  std::ofstream(dir_ / "text.zip") << "this is not a zip\n";
  EXPECT_THAT(refusal(dir_ / "text.zip"), HasSubstr("'text.zip' is not a zip file"));

  // The central directory intact, a file's data damaged: found while unzipping, nothing left.
  std::string damaged = bytes;
  damaged[40] = static_cast<char>(damaged[40] ^ 0x55);
  damaged[41] = static_cast<char>(damaged[41] ^ 0x55);
  std::ofstream(dir_ / "damaged.zip", std::ios::binary) << damaged;
  EXPECT_THAT(refusal(dir_ / "damaged.zip"), HasSubstr("damaged"));
}

TEST_F(CodeArchiveTest, InlineCodeIsWrittenOncePerContent) {
  const fs::path folder =
      write_inline_code("exports.handler = async () => 1;\n", "index.js", root_);
  EXPECT_EQ(read(folder / "index.js"), "exports.handler = async () => 1;\n");
  EXPECT_EQ(write_inline_code("exports.handler = async () => 1;\n", "index.js", root_), folder);
  EXPECT_NE(write_inline_code("exports.handler = async () => 2;\n", "index.js", root_), folder);
  EXPECT_NE(write_inline_code("exports.handler = async () => 1;\n", "index.py", root_), folder);
}

TEST_F(CodeArchiveTest, ArchiveNames) {
  EXPECT_TRUE(is_archive_name("a/app.zip"));
  EXPECT_TRUE(is_archive_name("app.JAR"));
  EXPECT_FALSE(is_archive_name("app"));
  EXPECT_FALSE(is_archive_name("app.zip.d/x"));
}

}  // namespace
}  // namespace lambdad::deploy
