#include "lambdad/common/private_dir.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace lambdad {
namespace {

namespace fs = std::filesystem;

fs::perms mode_of(const fs::path& p) {
  return fs::status(p).permissions() & fs::perms::mask;
}

class PrivateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("lambdad-private-dir-" + std::to_string(getpid()));
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(PrivateDirTest, MakesEveryMissingFolderPrivate) {
  create_private_dirs(root_ / "state" / "code/");
  EXPECT_EQ(mode_of(root_ / "state"), fs::perms::owner_all);
  EXPECT_EQ(mode_of(root_ / "state" / "code"), fs::perms::owner_all);
  // An existing folder is left as it is.
  fs::permissions(root_ / "state", fs::perms(0755));
  create_private_dirs(root_ / "state");
  EXPECT_EQ(mode_of(root_ / "state"), fs::perms(0755));
}

TEST_F(PrivateDirTest, TightensAnOpenFolderOnly) {
  fs::create_directory(root_ / "open");
  fs::permissions(root_ / "open", fs::perms(0755));
  EXPECT_EQ(make_private(root_ / "open"), fs::perms(0755));
  EXPECT_EQ(mode_of(root_ / "open"), fs::perms::owner_all);
  EXPECT_EQ(make_private(root_ / "open"), std::nullopt);
  EXPECT_THROW(make_private(root_ / "missing"), fs::filesystem_error);
}

TEST_F(PrivateDirTest, AFileInTheWayIsAnError) {
  fs::create_directory(root_ / "a");
  {
    std::FILE* f = std::fopen((root_ / "a" / "file").c_str(), "w");
    std::fclose(f);
  }
  EXPECT_THROW(create_private_dirs(root_ / "a" / "file" / "state"), fs::filesystem_error);
}

}  // namespace
}  // namespace lambdad
