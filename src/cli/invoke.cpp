// `lambdad invoke FUNCTION`: one invocation, in-process (one-shot) or against a running server.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/endpoint_signing.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/cli/parameter_overrides.hpp"
#include "lambdad/cli/template_options.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/http/sync_client.hpp"
#include "lambdad/server/server.hpp"

namespace lambdad::cli {
namespace {

constexpr const char* kHelp =
    "usage: lambdad invoke FUNCTION [options]\n"
    "\n"
    "Invokes FUNCTION once and prints its response on stdout. Without --endpoint it loads the\n"
    "template, runs the one call in-process and stops; with --endpoint it asks a running server.\n"
    "Exit status: 0 success, 1 function error or failed call, 2 usage.\n"
    "\n"
    "options:\n"
    "  --event JSON                the event (default {})\n"
    "  --event-file FILE           read the event from FILE ('-' for stdin)\n"
    "  --qualifier Q               version or alias\n"
    "  --invocation-type TYPE      RequestResponse (default), Event or DryRun (--endpoint only)\n"
    "  --log-type Tail             print the last 4 KB of the log on stderr\n"
    "  --endpoint URL              a running server's Lambda API, e.g. http://127.0.0.1:3001\n"
    "  --template PATH             template file or folder (default: the current folder)\n"
    "  --parameter-overrides 'K=V' template parameter values\n"
    "  --state-dir DIR             database and state (default .lambdad beside the template)\n"
    "  --no-build-dir              use the template even when sam build's output\n"
    "                              (.aws-sam/build/template.yaml) is newer\n"
    "  --log-level LEVEL           server log level for one-shot runs (default warn)\n";

std::string read_event(const Options& opts) {
  if (auto file = opts.get("event-file")) {
    if (*file == "-") return {std::istreambuf_iterator<char>(std::cin), {}};
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw UsageError("cannot read --event-file " + *file);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  return opts.get_or("event", "{}");
}

int print_result(const std::string& payload, const std::string& function_error,
                 const std::string& log_tail) {
  if (!log_tail.empty()) std::fprintf(stderr, "%s", log_tail.c_str());
  std::fwrite(payload.data(), 1, payload.size(), stdout);
  std::fputc('\n', stdout);
  return function_error.empty() ? 0 : 1;
}

int invoke_remote(const Options& opts, const std::string& function, const std::string& event) {
  http::Url url = http::parse_url(*opts.get("endpoint"));
  std::string target = "/2015-03-31/functions/" + function + "/invocations";
  if (auto q = opts.get("qualifier")) target += "?Qualifier=" + *q;
  const std::string type = opts.get_or("invocation-type", "RequestResponse");
  http::Headers headers = {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", type}};
  if (opts.get_or("log-type", "None") == "Tail") headers.emplace_back("X-Amz-Log-Type", "Tail");
  sign_for_endpoint(url, "POST", target, headers, event, "lambda");
  auto response = http::request(url, "POST", target, headers, event, std::chrono::minutes(16));
  if (response.status >= 300) {
    std::fprintf(stderr, "lambdad invoke: %u %s: %s\n", response.status,
                 response.header("x-amzn-ErrorType").value_or("").c_str(), response.body.c_str());
    return 1;
  }
  std::string tail;
  if (auto encoded = response.header("X-Amz-Log-Result"))
    tail = base64_decode(*encoded).value_or("");
  if (type != "RequestResponse") {
    std::printf("%u %s\n", response.status,
                response.header("x-amzn-RequestId").value_or("").c_str());
    return 0;
  }
  return print_result(response.body, response.header("X-Amz-Function-Error").value_or(""), tail);
}

int invoke_local(const Options& opts, const std::map<std::string, std::string>& overrides,
                 const std::string& function, const std::string& event) {
  LoadedTemplate loaded = load_template_or_report(opts.get_or("template", "."), overrides, opts);
  if (loaded.tmpl.path.empty()) return 1;
  server::ServerOptions so;
  so.listen = false;
  so.state_dir = loaded.state_dir;
  server::Server server(std::move(loaded.tmpl), std::move(so));
  server.start();
  scheduler::InvokeRequest call;
  call.function = function;
  call.qualifier = opts.get_or("qualifier", "");
  call.payload = event.empty() ? "{}" : event;
  call.tail = opts.get_or("log-type", "None") == "Tail";
  if (!nlohmann::json::accept(call.payload)) throw UsageError("the event is not valid JSON");
  auto result = server.invoke_once(std::move(call));
  return print_result(result.payload, result.function_error, result.log_tail);
}

}  // namespace

int invoke(Args args) {
  try {
    const SplitArgs split = take_overrides(args);
    const auto overrides = parse_overrides(split.overrides);
    Options opts(split.rest,
                 {"event", "event-file", "qualifier", "invocation-type", "log-type", "endpoint",
                  "template", "state-dir", "log-level"},
                 {"no-build-dir"});
    if (opts.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (opts.positionals().size() != 1) throw UsageError("invoke takes one FUNCTION");
    if (!opts.get("log-level")) {
      const std::string_view quiet[] = {"--log-level", "warn"};
      apply_log_level(Options(quiet, {"log-level"}, {}));
    } else {
      apply_log_level(opts);
    }
    const std::string event = read_event(opts);
    if (opts.get("endpoint")) return invoke_remote(opts, opts.positionals()[0], event);
    if (opts.get_or("invocation-type", "RequestResponse") != "RequestResponse") {
      throw UsageError("--invocation-type other than RequestResponse needs --endpoint");
    }
    return invoke_local(opts, overrides, opts.positionals()[0], event);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad invoke: %s\n\n%s", e.what(), kHelp);
    return 2;
  } catch (const AwsError& e) {
    std::fprintf(stderr, "lambdad invoke: %s: %s\n", e.type.c_str(), e.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad invoke: %s\n", e.what());
    return 1;
  }
}

}  // namespace lambdad::cli
