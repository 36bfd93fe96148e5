#include "lambdad/deploy/code_fingerprint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "unit/store/temp_dir.hpp"

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;

class CodeFingerprintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("code/bootstrap", "#!/bin/sh\n");
    write("code/lib/util.sh", "x=1\n");
    write("layer/bin/tool", "tool\n");
  }

  void write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::string code() const { return tree_fingerprint(dir_ / "code", filter_); }

  lambdad::testing::TempDir dir_;
  PathFilter filter_;
};

TEST_F(CodeFingerprintTest, StableWhileNothingChanges) {
  const std::string first = code();
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(code(), first);
}

TEST_F(CodeFingerprintTest, EditsNewFilesRemovalsAndModesChangeIt) {
  std::string before = code();
  write("code/lib/util.sh", "x=22\n");  // another size
  EXPECT_NE(code(), before);

  before = code();
  const auto path = dir_ / "code/lib/util.sh";
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(1));  // same size
  EXPECT_NE(code(), before);

  before = code();
  fs::permissions(dir_ / "code/bootstrap", fs::perms::owner_exec, fs::perm_options::add);
  EXPECT_NE(code(), before);

  before = code();
  write("code/new.txt", "");
  EXPECT_NE(code(), before);

  before = code();
  fs::create_directories(dir_ / "code/empty");
  EXPECT_NE(code(), before);

  before = code();
  fs::remove(dir_ / "code/new.txt");
  EXPECT_NE(code(), before);

  before = code();
  fs::rename(dir_ / "code/lib/util.sh", dir_ / "code/lib/other.sh");
  EXPECT_NE(code(), before);
}

TEST_F(CodeFingerprintTest, ScratchFilesAndExcludedFoldersDoNotCount) {
  fs::create_directories(dir_ / "code/state");
  filter_.exclude(dir_ / "code/state/");  // a trailing slash is the same folder
  const std::string before = code();
  for (const char* scratch :
       {"code/.bootstrap.swp", "code/.bootstrap.swx", "code/bootstrap~", "code/4913",
        "code/.#bootstrap", "code/#bootstrap#", "code/__pycache__/app.cpython-311.pyc",
        "code/lib/__pycache__/x.pyc", "code/.git/index", "code/state/lambdad.db"}) {
    write(scratch, "scratch");
    EXPECT_EQ(code(), before) << scratch;
  }
}

TEST_F(CodeFingerprintTest, PathFilter) {
  PathFilter filter;
  filter.exclude(dir_ / "a/b");
  EXPECT_TRUE(filter.ignored(dir_ / "a/b"));
  EXPECT_TRUE(filter.ignored(dir_ / "a/b/c/d.txt"));
  EXPECT_FALSE(filter.ignored(dir_ / "a/bc"));
  EXPECT_FALSE(filter.ignored(dir_ / "a"));
  EXPECT_TRUE(filter.ignored(dir_ / "x/4913"));
  EXPECT_FALSE(filter.ignored(dir_ / "x/49130"));
  EXPECT_FALSE(filter.ignored(dir_ / "x/#"));
  EXPECT_FALSE(filter.ignored(dir_ / "x/swp"));
}

TEST_F(CodeFingerprintTest, MissingFolderIsUnknown) {
  EXPECT_EQ(tree_fingerprint(dir_ / "nope", filter_), "");
  write("file", "not a folder");
  EXPECT_EQ(tree_fingerprint(dir_ / "file", filter_), "");
}

TEST_F(CodeFingerprintTest, FunctionsCombineCodeAndLayers) {
  FunctionConfig plain{.name = "Plain", .code_dir = dir_ / "code"};
  FunctionConfig layered{.name = "Layered", .code_dir = dir_ / "code", .layers = {dir_ / "layer"}};
  FunctionConfig broken{.name = "Broken", .code_dir = dir_ / "code", .layers = {dir_ / "gone"}};
  auto before = code_fingerprints({plain, layered, broken}, filter_);
  EXPECT_EQ(before["Plain"], code());
  EXPECT_NE(before["Layered"], before["Plain"]);
  EXPECT_EQ(before["Broken"], "");

  write("layer/bin/tool", "tool 2\n");
  auto after = code_fingerprints({plain, layered}, filter_);
  EXPECT_EQ(after["Plain"], before["Plain"]);
  EXPECT_NE(after["Layered"], before["Layered"]);

  EXPECT_EQ(code_folders({plain, layered, broken}),
            (std::vector<fs::path>{dir_ / "code", dir_ / "layer", dir_ / "gone"}));
}

}  // namespace
}  // namespace lambdad::deploy
