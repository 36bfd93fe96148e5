// lambdad: a self-hosted, AWS-Lambda-compatible function runtime server.
#include <csignal>
#include <cstdio>
#include <string_view>
#include <vector>

#include "lambdad/cli/commands.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: lambdad <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve [PATH]            run the functions of a SAM template (gateway + Lambda API)\n"
    "  invoke FUNCTION         invoke a function once, or against a running server\n"
    "  logs FUNCTION           print a function's logs (from the state dir or a server)\n"
    "  events                  list a server's Event invocations; redrive the failed ones\n"
    "  validate [TEMPLATE]     check a SAM template and list every problem with its line\n"
    "  build [PATH]            build functions and layers as 'sam build' (.aws-sam/build)\n"
    "  schedules [TEMPLATE]    list a template's schedules and when each fires next\n"
    "  doctor                  show what this machine offers (runtimes, memory accounting)\n"
    "\n"
    "Run 'lambdad <command> --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing a socket or pipe must not kill the server
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::puts("lambdad " LAMBDAD_VERSION);
    return 0;
  }
  const std::string_view command = args[0];
  const lambdad::cli::Args rest(args.data() + 1, args.size() - 1);
  if (command == "serve") return lambdad::cli::serve(rest);
  if (command == "invoke") return lambdad::cli::invoke(rest);
  if (command == "logs") return lambdad::cli::logs(rest);
  if (command == "events") return lambdad::cli::events(rest);
  if (command == "validate") return lambdad::cli::validate(rest);
  if (command == "build") return lambdad::cli::build(rest);
  if (command == "schedules") return lambdad::cli::schedules(rest);
  if (command == "doctor") return lambdad::cli::doctor(rest);
  std::fprintf(stderr, "lambdad: unknown command '%.*s'\n\n%s", static_cast<int>(command.size()),
               command.data(), kUsage.data());
  return 2;
}
