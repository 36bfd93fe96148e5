#include "lambdad/deploy/change_watcher.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "unit/store/temp_dir.hpp"

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ChangeWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("template.yaml", "Resources: {}\n");
    write("code/bootstrap", "#!/bin/sh\n");
    write("code/lib/util.sh", "x=1\n");
    write("other.txt", "not watched\n");
  }

  void write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  std::unique_ptr<ChangeWatcher> watcher(PathFilter filter = {}) {
    auto w = std::make_unique<ChangeWatcher>(std::move(filter));
    w->watch({dir_ / "template.yaml"}, {dir_ / "code"});
    return w;
  }

  /// Whether a change counts within `within` (then waits for its burst to end).
  static bool changed(ChangeWatcher& w, std::chrono::milliseconds within = 400ms,
                      ChangeWatcher::Changes* out = nullptr) {
    auto changes = w.wait(50ms, 5s, within);
    if (changes && out) *out = *changes;
    return changes && changes->events > 0;
  }

  lambdad::testing::TempDir dir_;
};

TEST_F(ChangeWatcherTest, AnEditInTheTreeCounts) {
  auto w = watcher();
  write("code/lib/util.sh", "x=2\n");
  ChangeWatcher::Changes changes;
  ASSERT_TRUE(changed(*w, 2s, &changes));
  EXPECT_GE(changes.events, 1u);
  EXPECT_EQ(changes.samples.front(), dir_ / "code/lib/util.sh");
  EXPECT_FALSE(changed(*w)) << "reported twice";
}

TEST_F(ChangeWatcherTest, TheTemplateCountsItsNeighboursDoNot) {
  auto w = watcher();
  write("other.txt", "still not watched\n");
  EXPECT_FALSE(changed(*w));

  // An editor's save: a new file renamed over the template (a watch on the file would end).
  write("template.yaml.new", "Resources: {a: 1}\n");
  fs::rename(dir_ / "template.yaml.new", dir_ / "template.yaml");
  ChangeWatcher::Changes changes;
  ASSERT_TRUE(changed(*w, 2s, &changes));
  EXPECT_EQ(changes.samples.back(), dir_ / "template.yaml");
  write("template.yaml", "Resources: {b: 1}\n");
  EXPECT_TRUE(changed(*w, 2s));
}

TEST_F(ChangeWatcherTest, ABurstIsOneChange) {
  auto w = watcher();
  const auto start = Clock::now();
  for (int i = 0; i < 200; ++i) write("code/lib/util.sh", "x=" + std::to_string(i) + "\n");
  for (int i = 0; i < 20; ++i) write("code/gen/file" + std::to_string(i), "generated\n");
  auto changes = w->wait(150ms);
  ASSERT_TRUE(changes);
  EXPECT_GT(changes->events, 200u);
  // Each path once (files made in gen/ before its watch existed are covered by its creation).
  EXPECT_EQ(changes->samples.front(), dir_ / "code/lib/util.sh");
  EXPECT_EQ(changes->samples.at(1), dir_ / "code/gen");
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_FALSE(changed(*w)) << "the burst was reported twice";
}

TEST_F(ChangeWatcherTest, NewSubfoldersAreWatched) {
  auto w = watcher();
  fs::create_directories(dir_ / "code/new/deeper");
  ASSERT_TRUE(changed(*w, 2s));
  write("code/new/deeper/file.js", "x");
  ChangeWatcher::Changes changes;
  ASSERT_TRUE(changed(*w, 2s, &changes));
  EXPECT_EQ(changes.samples.front(), dir_ / "code/new/deeper/file.js");
}

TEST_F(ChangeWatcherTest, FoldersMovedInWithContentAreWatchedToo) {
  auto w = watcher();
  write("staging/pkg/index.js", "1");
  fs::rename(dir_ / "staging/pkg", dir_ / "code/pkg");  // moved in whole, as npm does
  ASSERT_TRUE(changed(*w, 2s));
  write("code/pkg/index.js", "2");
  EXPECT_TRUE(changed(*w, 2s));
}

TEST_F(ChangeWatcherTest, FoldersMovedOutAreForgotten) {
  auto w = watcher();
  fs::create_directories(dir_ / "outside");
  fs::rename(dir_ / "code/lib", dir_ / "outside/lib");
  ASSERT_TRUE(changed(*w, 2s));
  write("outside/lib/util.sh", "x=3\n");
  EXPECT_FALSE(changed(*w));
}

TEST_F(ChangeWatcherTest, ScratchFilesAndExcludedFoldersDoNotCount) {
  fs::create_directories(dir_ / "code/.lambdad");
  PathFilter filter;
  filter.exclude(dir_ / "code/.lambdad");
  auto w = watcher(filter);
  write("code/.bootstrap.swp", "x");
  write("code/bootstrap~", "x");
  write("code/4913", "x");
  write("code/__pycache__/m.pyc", "x");
  write("code/.lambdad/lambdad.db", "x");
  fs::create_directories(dir_ / "code/.lambdad/sub");
  EXPECT_FALSE(changed(*w));
}

TEST_F(ChangeWatcherTest, ACodeFolderRemovedAndMadeAgainIsSeen) {
  auto w = watcher();
  fs::remove_all(dir_ / "code");
  ASSERT_TRUE(changed(*w, 2s));
  w->watch({dir_ / "template.yaml"}, {dir_ / "code"});  // as after a refused reload
  write("code/bootstrap", "#!/bin/sh\necho back\n");
  ASSERT_TRUE(changed(*w, 2s));
  write("code/bootstrap", "#!/bin/sh\necho again\n");
  EXPECT_TRUE(changed(*w, 2s));
}

TEST_F(ChangeWatcherTest, FoldersNoLongerListedAreDropped) {
  auto w = watcher();
  const size_t both = w->watch_count();
  w->watch({dir_ / "template.yaml"}, {});
  EXPECT_EQ(w->watch_count(), 1u);
  EXPECT_GT(both, 1u);
  write("code/bootstrap", "#!/bin/sh\necho unwatched\n");
  EXPECT_FALSE(changed(*w));
}

TEST_F(ChangeWatcherTest, EndlessWritesAreReportedAfterTheLongestWait) {
  auto w = watcher();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; !done; ++i) {
      write("code/lib/util.sh", std::to_string(i));
      std::this_thread::sleep_for(10ms);
    }
  });
  const auto start = Clock::now();
  auto changes = w->wait(200ms, 500ms);
  const auto took = Clock::now() - start;
  done = true;
  writer.join();
  ASSERT_TRUE(changes);
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 3s);
}

TEST_F(ChangeWatcherTest, StopEndsAWait) {
  auto w = watcher();
  auto waiting = std::async(std::launch::async, [&] { return w->wait(50ms); });
  std::this_thread::sleep_for(50ms);
  w->stop();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(waiting.get());
  EXPECT_FALSE(w->wait(50ms));  // and every later one
}

}  // namespace
}  // namespace lambdad::deploy
