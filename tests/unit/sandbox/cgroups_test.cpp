// WorkerCgroups against a folder standing in for cgroupfs: the files a worker's cgroup gets.
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/cpu_weight.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

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

TEST_F(CgroupsTest, SweepKillsWhatADeadServerLeftAndSparesTheLiving) {
  const fs::path parent = dir_ / "parent";
  fs::create_directories(parent / "lambdad-111" / "live-worker");
  fs::create_directories(parent / "lambdad-222" / "dead-worker");
  fs::create_directories(parent / "lambdad-333");  // a dead server without workers
  fs::create_directories(parent / "lambdad-x");
  fs::create_directories(parent / "other");
  // A grandchild a dead server's worker left running.
  const pid_t orphan = fork();
  ASSERT_GE(orphan, 0);
  if (orphan == 0) {
    execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::ofstream(parent / "lambdad-222" / "dead-worker" / "cgroup.procs") << orphan << "\n";
  const pid_t bystander = fork();
  ASSERT_GE(bystander, 0);
  if (bystander == 0) {
    execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::ofstream(parent / "lambdad-111" / "live-worker" / "cgroup.procs") << bystander << "\n";

  std::vector<pid_t> asked;
  const Leftovers found = sweep_dead_servers(
      parent, false,
      [&](pid_t pid, const fs::path&) {
        asked.push_back(pid);
        return pid == 111;
      },
      "lambdad-333");
  EXPECT_EQ(found.servers, std::vector<pid_t>{222});
  EXPECT_EQ(found.processes, 1u);
  std::sort(asked.begin(), asked.end());
  EXPECT_EQ(asked, (std::vector<pid_t>{111, 222}));  // never "lambdad-x", "other" or `keep`
  int status = 0;
  ASSERT_EQ(waitpid(orphan, &status, 0), orphan);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(waitpid(bystander, &status, WNOHANG), 0);  // the live server's worker runs on
  EXPECT_TRUE(fs::exists(parent / "lambdad-111" / "live-worker"));
  EXPECT_TRUE(fs::exists(parent / "lambdad-333"));
  kill(bystander, SIGKILL);
  waitpid(bystander, &status, 0);
}

TEST_F(CgroupsTest, ALiveServersFolderIsItsOwnOnlyIfMadeAfterItStarted) {
  const auto own = own_cgroup("");
  if (!own) GTEST_SKIP() << "no cgroup v2 line in /proc/self/cgroup";
  const fs::path folder = dir_ / ("lambdad-" + std::to_string(getpid()));
  fs::create_directories(folder);
  EXPECT_TRUE(live_server_folder(getpid(), folder, "", *own));
  EXPECT_FALSE(live_server_folder(getpid(), folder, "", *own + "/elsewhere"));
  // Last changed before this process started: its pid was recycled.
  timespec long_ago[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, folder.c_str(), long_ago, 0), 0);
  EXPECT_FALSE(live_server_folder(getpid(), folder, "", *own));
  EXPECT_FALSE(live_server_folder(0x3ffffff0, folder, "", *own));  // no such process
}

}  // namespace
}  // namespace lambdad::sandbox
