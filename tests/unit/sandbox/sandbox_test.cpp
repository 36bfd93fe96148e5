#include "lambdad/sandbox/sandbox.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "lambdad/sandbox/exec_report.hpp"

namespace lambdad::sandbox {
namespace {

namespace fs = std::filesystem;

TEST(SandboxTier, NamesRoundTrip) {
  for (Tier t : {Tier::kNone, Tier::kProcess, Tier::kNamespaces}) {
    EXPECT_EQ(parse_tier(tier_name(t)), t);
  }
  EXPECT_EQ(parse_tier("chroot"), std::nullopt);
}

TEST(SeccompFilter, BuildsOnceAsBpf) {
  auto filter = SeccompFilter::build();
  ASSERT_NE(filter, nullptr);
  EXPECT_GT(filter->instructions(), 40u);
  EXPECT_EQ(filter->program()->len, filter->instructions());
}

/// lambdad-init is built beside lambdad; the unit tests run from <build>/tests.
void find_init() {
  if (std::getenv("LAMBDAD_INIT")) return;
  const fs::path exe = fs::read_symlink("/proc/self/exe");
  for (const fs::path& candidate :
       {exe.parent_path() / "lambdad-init", exe.parent_path().parent_path() / "lambdad-init"}) {
    if (fs::exists(candidate)) setenv("LAMBDAD_INIT", candidate.c_str(), 1);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 5000) == 1) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

TEST(NamespaceSandbox, WorkerSeesOnlyItsJail) {
  find_init();
  auto sandbox = Sandbox::create({});
  if (sandbox->tier() != Tier::kNamespaces) {
    GTEST_SKIP() << "no namespaces tier on this host: " << sandbox->host().namespaces_detail;
  }
  const fs::path code =
      fs::temp_directory_path() / ("lambdad-sandbox-test-" + std::to_string(getpid()));
  fs::create_directories(code);
  sandbox::SpawnSpec spec{
      .executable = "/bin/sh",
      .argv = {"sh", "-c", "id -u; pwd; ls /var/task; ls /proc | grep -c '^[0-9]'"},
      .env = {"PATH=/usr/bin:/bin"},
      .cwd = "/var/task"};
  { std::ofstream(code / "marker") << "x"; }
  sandbox->apply(spec, {.code_dir = code,
                        .layers = {},
                        .runtime_dir = {},
                        .interpreters = {},
                        .ephemeral_storage_mb = 16});
  ASSERT_NE(spec.jail, nullptr);
  auto launcher = sandbox->make_launcher();
  sandbox::SpawnedProcess p = launcher->spawn(spec);
  const std::string out = read_all(p.stdout_fd);
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED);
  ExecReport report;
  ASSERT_EQ(read(p.exec_status_fd, &report, sizeof report), static_cast<ssize_t>(sizeof report));
  EXPECT_EQ(report.kind, kRuntimeExited);
  EXPECT_TRUE(WIFEXITED(report.detail) && WEXITSTATUS(report.detail) == 0) << report.detail;
  const std::string uid = getuid() == 0 ? "65534" : std::to_string(getuid());
  const std::string expected = uid + "\n/var/task\nmarker\n";
  ASSERT_EQ(out.substr(0, expected.size()), expected) << out;
  // Its own PID namespace: lambdad-init, sh, ls and grep.
  EXPECT_LE(std::stoi(out.substr(expected.size())), 5) << out;
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd}) close(fd);
  fs::remove_all(code);
}

TEST(NamespaceSandbox, ExecFailureIsReportedAsBefore) {
  find_init();
  auto sandbox = Sandbox::create({});
  if (sandbox->tier() != Tier::kNamespaces) GTEST_SKIP() << "no namespaces tier on this host";
  sandbox::SpawnSpec spec{
      .executable = "/var/task/bootstrap", .argv = {"bootstrap"}, .env = {}, .cwd = "/var/task"};
  sandbox->apply(spec, {.code_dir = "/usr/share",
                        .layers = {},
                        .runtime_dir = {},
                        .interpreters = {},
                        .ephemeral_storage_mb = 16});
  auto launcher = sandbox->make_launcher();
  sandbox::SpawnedProcess p = launcher->spawn(spec);
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED);
  int error = 0;
  ASSERT_EQ(read(p.exec_status_fd, &error, sizeof error), static_cast<ssize_t>(sizeof error));
  EXPECT_EQ(error, ENOENT);
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd}) close(fd);
}

/// A fresh folder under the system's temp folder, removed at the end of the test.
struct TempTree {
  fs::path root =
      fs::temp_directory_path() / ("lambdad-hidden-test-" + std::to_string(getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempTree() { fs::create_directories(root); }
  ~TempTree() { fs::remove_all(root); }
};

TEST(HiddenTargets, StateDirInsideTheCodeFolderIsCoveredAtItsJailPath) {
  TempTree t;
  fs::create_directories(t.root / ".lambdad" / "code");
  const std::vector<fs::path> hidden = {t.root / ".lambdad"};
  EXPECT_EQ(hidden_targets(t.root, "/var/task", hidden),
            std::vector<fs::path>{"/var/task/.lambdad"});
  // Deeper, a trailing slash, a path not yet made: compared as paths, not as strings.
  EXPECT_EQ(hidden_targets(t.root.string() + "/", "/opt", {t.root / "a" / "state"}),
            std::vector<fs::path>{"/opt/a/state"});
  // The hidden folder is the bound folder itself: the whole target is covered.
  EXPECT_EQ(hidden_targets(t.root / ".lambdad", "/var/task", hidden),
            std::vector<fs::path>{"/var/task"});
}

TEST(HiddenTargets, FoldersOutsideTheBindAreNotCovered) {
  TempTree t;
  fs::create_directories(t.root / "fn");
  fs::create_directories(t.root / "fn-state");
  // A sibling whose name starts like the bound folder's, the parent, code unpacked inside the
  // state dir (CodeUri zip): none of them shows inside a bind of `fn`.
  EXPECT_TRUE(hidden_targets(t.root / "fn", "/var/task", {t.root / "fn-state"}).empty());
  EXPECT_TRUE(hidden_targets(t.root / "fn", "/var/task", {t.root}).empty());
  EXPECT_TRUE(hidden_targets(t.root / "fn", "/var/task", {}).empty());
}

TEST(HiddenTargets, SymlinksAreResolvedOnBothSides) {
  TempTree t;
  fs::create_directories(t.root / "real" / ".lambdad");
  fs::create_directory_symlink(t.root / "real", t.root / "link");
  EXPECT_EQ(hidden_targets(t.root / "link", "/var/task", {t.root / "real" / ".lambdad"}),
            std::vector<fs::path>{"/var/task/.lambdad"});
  EXPECT_EQ(hidden_targets(t.root / "real", "/var/task", {t.root / "link" / ".lambdad"}),
            std::vector<fs::path>{"/var/task/.lambdad"});
}

TEST(NamespaceSandbox, StateDirInsideCodeAndLayersLooksEmpty) {
  find_init();
  TempTree t;
  const fs::path project = t.root / "project";  // a template folder; its function has CodeUri ./
  const fs::path state = project / ".lambdad";
  const fs::path other = t.root / "layer2";
  fs::create_directories(state / "code" / "abc");
  fs::create_directories(other);
  std::ofstream(state / "lambdad.db") << "secret";
  std::ofstream(state / "code" / "abc" / "bootstrap") << "other function";
  std::ofstream(project / "marker") << "x";
  std::ofstream(other / "layer-marker") << "y";
  fs::permissions(state, fs::perms::owner_all, fs::perm_options::replace);
  auto sandbox = Sandbox::create({.hidden = {state}});
  if (sandbox->tier() != Tier::kNamespaces) {
    GTEST_SKIP() << "no namespaces tier on this host: " << sandbox->host().namespaces_detail;
  }
  // The project folder is both the code and the first of two layers (an overlay at /opt).
  sandbox::SpawnSpec spec{
      .executable = "/bin/sh",
      .argv = {"sh", "-c",
               "ls -A /var/task/.lambdad; echo -; ls -A /opt/.lambdad; echo -;"
               "cat /var/task/.lambdad/lambdad.db /opt/.lambdad/code/abc/bootstrap 2>/dev/null;"
               "echo $?; touch /var/task/.lambdad/x 2>/dev/null || echo read-only;"
               "ls /var/task /opt"},
      .env = {"PATH=/usr/bin:/bin"},
      .cwd = "/var/task"};
  sandbox->apply(spec, {.code_dir = project,
                        .layers = {project, other},
                        .runtime_dir = {},
                        .interpreters = {},
                        .ephemeral_storage_mb = 16});
  ASSERT_NE(spec.jail, nullptr);
  auto launcher = sandbox->make_launcher();
  sandbox::SpawnedProcess p = launcher->spawn(spec);
  const std::string out = read_all(p.stdout_fd);
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED);
  ExecReport report;
  ASSERT_EQ(read(p.exec_status_fd, &report, sizeof report), static_cast<ssize_t>(sizeof report));
  EXPECT_EQ(report.kind, kRuntimeExited) << out;
  EXPECT_EQ(out, "-\n-\n1\nread-only\n/opt:\nlayer-marker\nmarker\n\n/var/task:\nmarker\n");
  for (int fd : {p.pidfd, p.stdout_fd, p.stderr_fd, p.exec_status_fd}) close(fd);
}

}  // namespace
}  // namespace lambdad::sandbox
