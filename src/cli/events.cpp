// `lambdad events`: the Event invocations a running server holds (waiting, running, failed for
// good), and the redrive of failed ones, through its lambda port (/_lambdad/events).
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/endpoint_signing.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/http/sync_client.hpp"

namespace lambdad::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    "usage: lambdad events [list] [--failed] [options]\n"
    "       lambdad events redrive [SEQ ...] [options]\n"
    "       lambdad events purge [options]\n"
    "\n"
    "The Event (asynchronous) invocations a running server holds in its state dir's queue.\n"
    "  list      those waiting, running or waiting to retry; with --failed, those that failed\n"
    "            for good with no destination to take them (AWS would drop them)\n"
    "  redrive   failed events (the SEQs listed, or all) back to the queue, to run afresh\n"
    "  purge     deletes every failed event\n"
    "\n"
    "options:\n"
    "  --endpoint URL  the server's lambda port (default http://127.0.0.1:3001)\n"
    "  --failed        list the failed events\n"
    "  --json          print the server's JSON answer\n"
    "  --help          show this help\n";

json call(const http::Url& url, const char* method, const std::string& target,
          const std::string& body) {
  http::Headers headers = {{"Content-Type", "application/json"}};
  sign_for_endpoint(url, method, target, headers, body, "lambda");
  const auto response = http::request(url, method, target, headers, body, std::chrono::seconds(30));
  json reply = json::parse(response.body, nullptr, false);
  if (response.status != 200 || !reply.is_object()) {
    const std::string message = reply.is_object()
                                    ? reply.value("message", reply.value("Message", ""))
                                    : response.body.substr(0, 200);
    throw std::runtime_error("HTTP " + std::to_string(response.status) + ": " + message);
  }
  return reply;
}

void print_table(const json& events) {
  if (events.empty()) {
    std::puts("no events");
    return;
  }
  std::printf("%-6s %-8s %-24s %-36s %-24s %-6s %s\n", "SEQ", "STATE", "FUNCTION", "REQUEST ID",
              "ENQUEUED", "ERRORS", "NEXT ATTEMPT / CONDITION, LAST ERROR");
  for (const json& e : events) {
    std::string function = e.value("FunctionName", "");
    if (e.contains("Qualifier")) function += ":" + e.value("Qualifier", "");
    std::string detail = e.value("Condition", e.value("NextAttempt", ""));
    if (e.contains("LastError")) detail += (detail.empty() ? "" : ", ") + e.value("LastError", "");
    std::printf("%-6lld %-8s %-24s %-36s %-24s %-6d %s\n", e.value("Seq", 0LL),
                e.value("State", "").c_str(), function.c_str(), e.value("RequestId", "").c_str(),
                e.value("Enqueued", "").c_str(), e.value("FunctionErrors", 0), detail.c_str());
  }
}

int run(const Options& options) {
  const http::Url url = http::parse_url(options.get_or("endpoint", "http://127.0.0.1:3001"));
  const std::vector<std::string>& args = options.positionals();
  const std::string action = args.empty() ? "list" : args.front();
  json reply;
  if (action == "list") {
    if (args.size() > 1) throw UsageError("list takes no arguments");
    reply =
        call(url, "GET",
             std::string("/_lambdad/events") + (options.has("failed") ? "?State=Failed" : ""), "");
    if (!options.has("json")) {
      print_table(reply["Events"]);
      return 0;
    }
  } else if (action == "redrive") {
    json seqs = json::array();
    for (size_t i = 1; i < args.size(); ++i) {
      try {
        size_t end = 0;
        seqs.push_back(std::stoll(args[i], &end));
        if (end != args[i].size()) throw std::invalid_argument(args[i]);
      } catch (const std::exception&) {
        throw UsageError("'" + args[i] +
                         "' is not a SEQ (a number from 'lambdad events --failed')");
      }
    }
    reply = call(url, "POST", "/_lambdad/events/redrive",
                 seqs.empty() ? "{}" : json{{"Seqs", seqs}}.dump());
    if (!options.has("json")) {
      std::printf("%lld failed event(s) back in the queue\n", reply.value("Redriven", 0LL));
      return 0;
    }
  } else if (action == "purge") {
    if (args.size() > 1) throw UsageError("purge takes no arguments");
    reply = call(url, "DELETE", "/_lambdad/events/failed", "");
    if (!options.has("json")) {
      std::printf("%lld failed event(s) deleted\n", reply.value("Purged", 0LL));
      return 0;
    }
  } else {
    throw UsageError("unknown action '" + action + "': list, redrive or purge");
  }
  std::puts(reply.dump(2).c_str());
  return 0;
}

}  // namespace

int events(Args args) {
  try {
    const Options options(args, {"endpoint"}, {"failed", "json"});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    return run(options);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad events: %s\n\n%s", e.what(), kHelp);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad events: %s\n", e.what());
    return 1;
  }
}

}  // namespace lambdad::cli
