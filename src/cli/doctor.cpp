// `lambdad doctor`: what this machine offers lambdad (runtimes, memory accounting).
#include <cstdio>
#include <string>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/sandbox/cgroups.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/scheduler/runtimes.hpp"

namespace lambdad::cli {
namespace {

constexpr const char* kHelp =
    "usage: lambdad doctor\n"
    "\n"
    "Probes this machine the way 'lambdad serve' does and prints what it found: the node and\n"
    "python3 that nodejs* / python* functions run on (LAMBDAD_NODE / LAMBDAD_PYTHON choose\n"
    "others), where the bootstrap clients are, where Max Memory Used can come from, and the\n"
    "sandbox tiers this host allows (a trial worker is contained to find out).\n";

}  // namespace

int doctor(Args args) {
  try {
    const Options options(args, {}, {});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (!options.positionals().empty()) throw UsageError("doctor takes no arguments");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad doctor: %s\n\n%s", e.what(), kHelp);
    return 2;
  }
  std::printf("lambdad %s\n\nruntimes:\n", LAMBDAD_VERSION);
  scheduler::Runtimes runtimes;
  runtimes.probe();
  for (const auto& line : runtimes.describe()) std::printf("  %s\n", line.c_str());

  std::string why;
  const auto cgroups = sandbox::WorkerCgroups::probe(why);
  std::printf("\nworker cgroups (MemorySize limit, pids limit, Max Memory Used):\n");
  std::printf("  %s\n",
              cgroups ? ("available: " + cgroups->describe()).c_str()
                      : ("unavailable (no limits; Max Memory Used from /proc): " + why).c_str());

  std::printf("\nsandbox:\n");
  for (const auto& line : sandbox::Sandbox::probe().describe()) std::printf("  %s\n", line.c_str());
  return 0;
}

}  // namespace lambdad::cli
