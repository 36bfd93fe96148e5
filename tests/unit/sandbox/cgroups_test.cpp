// WorkerCgroups against a folder standing in for cgroupfs: the files a worker's cgroup gets.
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/cpu_weight.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

namespace lambdad::sandbox {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CgroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lambdad-cgroups-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// A worker folder as the kernel would show it: the control files exist already.
  void fake_worker(const fs::path& root, const std::string& id,
                   std::initializer_list<const char*> files) {
    fs::create_directories(root / id);
    for (const char* file : files) std::ofstream(root / id / file) << "";
  }

  fs::path dir_;
};

TEST_F(CgroupsTest, LimitsFollowMemorySize) {
  const auto small = CgroupLimits::for_function(128);
  EXPECT_EQ(small.memory_bytes, 128u << 20);
  EXPECT_EQ(small.pids, 1024u);
}

TEST(CpuWeightTest, NiceIsTheClosestWeightToLambdasShare) {
  EXPECT_EQ(nice_for_memory(128), 12);   // 74 of 1024: nice 12 weighs 70
  EXPECT_EQ(nice_for_memory(512), 6);    // 296: 272 (nice 5 weighs 335)
  EXPECT_EQ(nice_for_memory(1024), 2);   // 593: 655
  EXPECT_EQ(nice_for_memory(1769), 0);   // a full vCPU
  EXPECT_EQ(nice_for_memory(10240), 0);  // more vCPUs, not a higher priority
  EXPECT_EQ(nice_for_memory(1), 19);
}

TEST_F(CgroupsTest, V1WritesEachControllersLimit) {
  const fs::path memory = dir_ / "memory", pids = dir_ / "pids";
  fake_worker(memory, "w1",
              {"cgroup.procs", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
               "memory.max_usage_in_bytes", "memory.oom_control"});
  fake_worker(pids, "w1", {"cgroup.procs", "pids.max"});
  auto cgroups = WorkerCgroups::at({memory, pids}, false);
  {
    auto cgroup = cgroups->create("w1", CgroupLimits::for_function(256));
    ASSERT_NE(cgroup, nullptr);
    EXPECT_EQ(read(memory / "w1" / "memory.limit_in_bytes"), std::to_string(256u << 20));
    EXPECT_EQ(read(memory / "w1" / "memory.memsw.limit_in_bytes"), std::to_string(256u << 20));
    EXPECT_EQ(read(pids / "w1" / "pids.max"), "1024");
    EXPECT_EQ(cgroup->clone_into_fd(), -1);  // v1: moved in after start

    std::ofstream(memory / "w1" / "memory.max_usage_in_bytes") << "52428800\n";
    EXPECT_EQ(cgroup->peak_bytes(), 52428800u);
    EXPECT_FALSE(cgroup->oom_killed());
    std::ofstream(memory / "w1" / "memory.oom_control")
        << "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
    EXPECT_TRUE(cgroup->oom_killed());
  }
  EXPECT_EQ(cgroups->describe().rfind("cgroup v1 (memory, pids) under ", 0), 0u);
}

TEST_F(CgroupsTest, V1WithoutPidsStillLimitsMemory) {
  const fs::path memory = dir_ / "memory";
  fake_worker(
      memory, "w1",
      {"cgroup.procs", "memory.limit_in_bytes", "memory.max_usage_in_bytes", "memory.oom_control"});
  auto cgroups = WorkerCgroups::at({memory, {}}, false);
  auto cgroup = cgroups->create("w1", CgroupLimits::for_function(128));
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(read(memory / "w1" / "memory.limit_in_bytes"), std::to_string(128u << 20));
  EXPECT_EQ(cgroups->describe().rfind("cgroup v1 (memory) under ", 0), 0u);
}

TEST_F(CgroupsTest, V2WritesOneFolderAndClonesInto) {
  const fs::path root = dir_ / "unified";
  fake_worker(root, "w1",
              {"cgroup.procs", "memory.max", "memory.swap.max", "memory.peak", "memory.events",
               "pids.max"});
  auto cgroups = WorkerCgroups::at({root}, true);
  auto cgroup = cgroups->create("w1", CgroupLimits::for_function(3538));
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(read(root / "w1" / "memory.max"), std::to_string(3538ull << 20));
  EXPECT_EQ(read(root / "w1" / "memory.swap.max"), "0");
  EXPECT_EQ(read(root / "w1" / "pids.max"), "1024");
  EXPECT_GE(cgroup->clone_into_fd(), 0);
  std::ofstream(root / "w1" / "memory.events") << "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n";
  EXPECT_TRUE(cgroup->oom_killed());
}

TEST_F(CgroupsTest, AWorkerWhoseMemoryLimitCannotBeSetGetsNoCgroup) {
  // No memory.limit_in_bytes to write: the worker runs without limits rather than unlimited in a
  // cgroup that claims to limit it.
  const fs::path memory = dir_ / "memory";
  fake_worker(memory, "w1", {"cgroup.procs", "memory.max_usage_in_bytes"});
  auto cgroups = WorkerCgroups::at({memory, {}}, false);
  EXPECT_EQ(cgroups->create("w1", CgroupLimits::for_function(128)), nullptr);
  // Measuring only (no limit asked) works with the same files.
  EXPECT_NE(cgroups->create("w1", CgroupLimits{.memory_bytes = 0}), nullptr);
}

}  // namespace
}  // namespace lambdad::sandbox
