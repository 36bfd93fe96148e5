// `lambdad logs FUNCTION`: prints a function's log events like `aws logs tail`, from the state
// dir's database (no server needed) or from a running server's CloudWatch Logs API.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>

#include <nlohmann/json.hpp>

#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/endpoint_signing.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/control_api/logs_api.hpp"
#include "lambdad/http/sync_client.hpp"
#include "lambdad/store/filter_pattern.hpp"
#include "lambdad/store/store.hpp"

namespace lambdad::cli {
namespace {

using nlohmann::json;
using store::LogReader;

constexpr const char* kHelp =
    "usage: lambdad logs FUNCTION [options]\n"
    "\n"
    "Print a function's log events, one per line: <time> <log stream> <message>.\n"
    "FUNCTION may also be its log group, /aws/lambda/FUNCTION.\n"
    "\n"
    "options:\n"
    "  --state-dir DIR   read DIR/lambdad.db directly; no server needed (default: .lambdad)\n"
    "  --endpoint URL    ask a running server instead (its lambda port, e.g. "
    "http://127.0.0.1:3001)\n"
    "  --follow          keep printing new events until interrupted (Ctrl-C)\n"
    "  --filter PATTERN  CloudWatch Logs filter: ERROR, \"a phrase\", ?any ?of, -exclude\n"
    "  --since WHEN      only events from 30s, 10m, 2h, 1d, 1w ago, or an ISO-8601 time\n"
    "                    (e.g. 2024-01-01T12:00:00Z); default: all events\n"
    "  --help            show this help\n";

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr size_t kPage = 1000;

// Lock-free atomic: safe in a signal handler, and read by whichever thread runs the command.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

/// SIGINT/SIGTERM end --follow cleanly (exit 0); the previous handlers come back afterwards.
class StopSignals {
 public:
  StopSignals() {
    g_stop.store(false);
    struct sigaction action = {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

bool stopped() {
  return g_stop.load();
}

/// Sleeps in short slices so a signal ends the wait promptly; false once stopped.
bool pause_unless_stopped(std::chrono::milliseconds total) {
  const auto until = std::chrono::steady_clock::now() + total;
  while (!stopped() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !stopped();
}

struct Settings {
  std::string function;
  std::filesystem::path state_dir;
  std::optional<std::string> endpoint;
  bool follow = false;
  std::string filter;
  std::optional<int64_t> since_ms;
};

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// ---- --since ----------------------------------------------------------------------------------

/// Reads `count` digits at text[pos] into `out`.
bool digits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

/// `±HH:MM`, `±HHMM` or `Z` at text[pos] (nothing means UTC): the offset in minutes.
std::optional<int> zone_offset(std::string_view text, size_t& pos) {
  if (pos == text.size()) return 0;
  if (text[pos] == 'Z' || text[pos] == 'z')
    return ++pos == text.size() ? std::optional(0) : std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  ++pos;
  int hours = 0, minutes = 0;
  if (!digits(text, pos, 2, hours)) return std::nullopt;
  expect(text, pos, ':');
  if (!digits(text, pos, 2, minutes) || pos != text.size()) return std::nullopt;
  return sign * (hours * 60 + minutes);
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM]`, no zone meaning UTC.
std::optional<int64_t> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!digits(text, pos, 4, y) || !expect(text, pos, '-') || !digits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  if (expect(text, pos, 'T') || expect(text, pos, ' ')) {
    if (!digits(text, pos, 2, h) || !expect(text, pos, ':') || !digits(text, pos, 2, mi)) {
      return std::nullopt;
    }
    if (expect(text, pos, ':') && !digits(text, pos, 2, s)) return std::nullopt;
    if (expect(text, pos, '.')) {
      int digit = 0;
      for (int scale = 100; pos < text.size() && digits(text, pos, 1, digit); scale /= 10) {
        ms += digit * scale;
      }
    }
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  const auto offset = zone_offset(text, pos);
  if (!date.ok() || h > 23 || mi > 59 || s > 60 || !offset) return std::nullopt;
  const auto time =
      sys_days(date) + hours(h) + minutes(mi - *offset) + seconds(s) + milliseconds(ms);
  return duration_cast<milliseconds>(time.time_since_epoch()).count();
}

/// `30s`, `10m`, `2h`, `1d`, `1w` (before now) or an ISO-8601 time, as epoch milliseconds.
int64_t parse_since(const std::string& text) {
  size_t end = 0;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end > 0 && end + 1 == text.size() && end <= 9) {
    const std::string_view units = "smhdw";
    constexpr int64_t kSeconds[] = {1, 60, 3600, 86400, 604800};
    if (const size_t unit = units.find(text.back()); unit != std::string_view::npos) {
      return now_ms() - std::stoll(text.substr(0, end)) * kSeconds[unit] * 1000;
    }
  }
  if (auto at = parse_iso8601(text)) return *at;
  throw UsageError(
      "--since takes 30s, 10m, 2h, 1d, 1w or an ISO-8601 time such as "
      "2024-01-01T12:00:00Z, not '" +
      text + "'");
}

// ---- output -----------------------------------------------------------------------------------

/// `aws logs tail`'s default ("detailed") line: microsecond ISO time with a +00:00 offset, the
/// stream and the message, trailing whitespace removed (REPORT lines end with a tab).
void print_event(int64_t timestamp_ms, std::string_view stream, std::string_view message) {
  std::string line = iso8601_ms(timestamp_ms);
  line.replace(line.size() - 1, 1, "000+00:00");
  line.append(" ").append(stream).append(" ").append(message);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

// ---- from the database -------------------------------------------------------------------------

/// The reader, or an exit code after explaining why there is nothing to read.
std::variant<std::unique_ptr<LogReader>, int> open_database(const Settings& settings) {
  std::error_code ec;
  const auto file = std::filesystem::absolute(settings.state_dir / "lambdad.db", ec);
  if (!std::filesystem::exists(file)) {
    std::fprintf(stderr,
                 "lambdad logs: no database at %s\n(run `lambdad serve` first, or point "
                 "--state-dir at its state folder, or use --endpoint URL)\n",
                 file.c_str());
    return 1;
  }
  auto reader = LogReader::open(file);
  const auto functions = reader->functions();
  if (functions.empty()) {
    std::fprintf(stderr, "lambdad logs: %s has no log events yet\n", file.c_str());
    return 1;
  }
  if (!std::binary_search(functions.begin(), functions.end(), settings.function)) {
    std::string known;
    for (const auto& f : functions) known += (known.empty() ? "" : ", ") + f;
    std::fprintf(stderr,
                 "lambdad logs: no log events for function '%s' in %s\n(functions with logs: %s)\n",
                 settings.function.c_str(), file.c_str(), known.c_str());
    return 1;
  }
  return reader;
}

size_t print_rows(const std::vector<LogReader::Row>& rows) {
  for (const auto& row : rows) print_event(row.timestamp_ms, row.log_stream, row.message);
  std::fflush(stdout);
  return rows.size();
}

int from_database(const Settings& settings) {
  auto opened = open_database(settings);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  LogReader& reader = *std::get<std::unique_ptr<LogReader>>(opened);
  LogReader::Query query{.function = settings.function,
                         .start_ms = settings.since_ms,
                         .filter_pattern = settings.filter,
                         .limit = kPage};
  // History in time order up to a snapshot; after it, commit order, so an event that arrives
  // with an older timestamp than one already printed still gets printed, exactly once.
  query.up_to_id = reader.max_id(settings.function);
  for (;;) {
    const auto rows = reader.filter(query);
    if (print_rows(rows) < kPage || stopped()) break;
    query.after = LogReader::Cursor{rows.back().timestamp_ms, rows.back().id};
  }
  query.after.reset();
  query.order = LogReader::Order::kIngestion;
  query.after_id = query.up_to_id;
  while (settings.follow && !stopped()) {
    // Moving after_id to the newest id even past non-matching events keeps each poll's scan
    // to what is new.
    query.up_to_id = reader.max_id(settings.function);
    const auto rows = reader.filter(query);
    print_rows(rows);
    query.after_id = rows.size() == kPage ? rows.back().id : *query.up_to_id;
    if (rows.size() < kPage && !pause_unless_stopped(kPollInterval)) break;
  }
  return 0;
}

// ---- from a server -----------------------------------------------------------------------------

json call_logs_api(const http::Url& url, std::string_view operation, const json& body) {
  http::Headers headers = {
      {"Content-Type", std::string(control_api::kLogsContentType)},
      {"X-Amz-Target", std::string(control_api::kLogsTargetPrefix) + std::string(operation)}};
  const std::string text = body.dump();
  sign_for_endpoint(url, "POST", "/", headers, text, "logs");
  const auto response = http::request(url, "POST", "/", headers, text, std::chrono::seconds(30));
  json reply = json::parse(response.body, nullptr, false);
  if (response.status == 200 && reply.is_object()) return reply;
  std::string type = reply.is_object() ? reply.value("__type", "") : "";
  if (const auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  const std::string message = reply.is_object() ? reply.value("message", reply.value("Message", ""))
                                                : response.body.substr(0, 200);
  throw AwsError(static_cast<int>(response.status),
                 type.empty() ? "HTTP " + std::to_string(response.status) : type, message);
}

/// The events after `seen`, as `aws logs tail --follow` does it: page with nextToken, then poll
/// again from the newest timestamp printed, skipping event ids already printed at it.
struct RemoteTail {
  const http::Url& url;
  json request;
  int64_t newest_ms = INT64_MIN;
  std::set<std::string> ids_at_newest;

  void poll() {
    json page_request = request;
    for (;;) {
      const json page = call_logs_api(url, "FilterLogEvents", page_request);
      for (const auto& event : page.at("events")) print_remote(event);
      std::fflush(stdout);
      if (!page.contains("nextToken") || stopped()) break;
      page_request["nextToken"] = page["nextToken"];
    }
    if (newest_ms != INT64_MIN) request["startTime"] = newest_ms;
  }

  void print_remote(const json& event) {
    const int64_t ts = event.at("timestamp");
    const std::string id = event.value("eventId", "");
    if (ts < newest_ms || (ts == newest_ms && !ids_at_newest.insert(id).second)) return;
    if (ts > newest_ms) {
      newest_ms = ts;
      ids_at_newest = {id};
    }
    print_event(ts, event.at("logStreamName").get<std::string>(),
                event.at("message").get<std::string>());
  }
};

int from_endpoint(const Settings& settings) {
  const http::Url url = http::parse_url(*settings.endpoint);
  RemoteTail tail{url,
                  {{"logGroupName", "/aws/lambda/" + settings.function}, {"interleaved", true}}};
  if (settings.since_ms) tail.request["startTime"] = *settings.since_ms;
  if (!settings.filter.empty()) tail.request["filterPattern"] = settings.filter;
  try {
    tail.poll();
    while (settings.follow && pause_unless_stopped(kPollInterval)) tail.poll();
  } catch (const AwsError& e) {
    if (e.type != "ResourceNotFoundException") throw;
    std::fprintf(stderr,
                 "lambdad logs: %s has no log group /aws/lambda/%s (the function has not logged "
                 "yet, or does not exist)\n",
                 url.text().c_str(), settings.function.c_str());
    return 1;
  }
  return 0;
}

// ---- arguments ---------------------------------------------------------------------------------

Settings parse(const Options& options) {
  if (options.positionals().size() != 1) throw UsageError("logs takes exactly one FUNCTION");
  Settings s;
  s.function = options.positionals()[0];
  if (s.function.starts_with("/aws/lambda/"))
    s.function.erase(0, std::string_view("/aws/lambda/").size());
  if (s.function.empty()) throw UsageError("FUNCTION is empty");
  if (options.has("state-dir") && options.has("endpoint")) {
    throw UsageError("--state-dir and --endpoint are alternatives; give one");
  }
  s.state_dir = options.get_or("state-dir", ".lambdad");
  s.endpoint = options.get("endpoint");
  if (s.endpoint) http::parse_url(*s.endpoint);  // a bad URL is a usage error, reported now
  s.follow = options.has("follow");
  s.filter = options.get_or("filter", "");
  store::FilterPattern::parse(s.filter);  // likewise for a pattern the server would refuse
  if (auto since = options.get("since")) s.since_ms = parse_since(*since);
  return s;
}

}  // namespace

int logs(Args args) {
  Settings settings;
  try {
    const Options options(args, {"state-dir", "endpoint", "filter", "since"}, {"follow"});
    if (options.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    settings = parse(options);
  } catch (const std::exception& e) {  // UsageError, bad URL, bad filter pattern
    std::fprintf(stderr, "lambdad logs: %s\n\n%s", e.what(), kHelp);
    return 2;
  }
  StopSignals signals;
  try {
    return settings.endpoint ? from_endpoint(settings) : from_database(settings);
  } catch (const AwsError& e) {
    std::fprintf(stderr, "lambdad logs: %s: %s\n", e.type.c_str(), e.message.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad logs: %s\n", e.what());
  }
  return 1;
}

}  // namespace lambdad::cli
