// `lambdad schedules [TEMPLATE]`: a template's schedules and when each fires next, read from the
// template alone (no server; a running server's last fires are not known here).
#include <cstdio>
#include <map>
#include <string>

#include <spdlog/spdlog.h>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/cli/parameter_overrides.hpp"
#include "lambdad/cli/template_options.hpp"
#include "lambdad/schedule/table.hpp"

namespace lambdad::cli {
namespace {

constexpr const char* kHelp =
    "usage: lambdad schedules [TEMPLATE] [--now TIME] [--no-build-dir] [--state-dir DIR]\n"
    "                         [--parameter-overrides K=V ...]\n"
    "\n"
    "Lists the schedules of a SAM template (Schedule and ScheduleV2 events of functions,\n"
    "AWS::Events::Rule and AWS::Scheduler::Schedule resources that target a function) with\n"
    "their target, expression, time zone and next fire. TEMPLATE is a template file or a folder\n"
    "holding template.yaml / template.yml (default: the current folder).\n"
    "\n"
    "The next fire is the one of a schedule deployed now that never fired: a rate() rule fires\n"
    "one period after it is deployed, a rate() Scheduler schedule at once (or at StartDate).\n"
    "\n"
    "options:\n"
    "  --now TIME                     compute next fires as of TIME (2026-01-01T00:00:00Z)\n"
    "  --no-build-dir                 read the template even when sam build's output is newer\n"
    "  --state-dir DIR                where .zip code is unpacked (default: .lambdad beside\n"
    "                                 the template)\n"
    "  --parameter-overrides K=V ...  template parameter values\n"
    "\n"
    "exit status: 0 listed, 1 the template has problems, 2 usage error\n";

}  // namespace

int schedules(Args args) {
  try {
    const SplitArgs split = take_overrides(args);
    const Options options(split.rest, {"now", "state-dir"}, {"no-build-dir"});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (options.positionals().size() > 1) throw UsageError("schedules takes one TEMPLATE");
    schedule::TimePoint now =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (auto given = options.get("now")) {
      try {
        now = schedule::parse_timestamp(*given);
      } catch (const schedule::ScheduleError& e) {
        throw UsageError(std::string("--now: ") + e.what());
      }
    }
    const std::string path = options.positionals().empty() ? "." : options.positionals().front();
    // The table is the output: no "serving ..." line (spdlog's default logger is stdout).
    spdlog::set_level(spdlog::level::warn);
    const LoadedTemplate loaded =
        load_template_or_report(path, parse_overrides(split.overrides), options);
    if (loaded.tmpl.path.empty()) return 1;
    const std::string table =
        schedule::format_schedule_table(schedule::plan_schedules(loaded.tmpl.schedules, now));
    std::fputs(table.c_str(), stdout);
    return 0;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad schedules: %s\n\n%s", e.what(), kHelp);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad schedules: %s\n", e.what());
    return 1;
  }
}

}  // namespace lambdad::cli
