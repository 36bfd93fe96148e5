#include "lambdad/control_api/logs_api.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;
using store::LogReader;

constexpr std::string_view kGroupPrefix = "/aws/lambda/";
/// AWS pages FilterLogEvents and GetLogEvents at 1 MB of messages as well as by count.
constexpr size_t kPageBytes = 1024 * 1024;

AwsError invalid(const std::string& message) {
  return AwsError(400, "InvalidParameterException", message);
}

AwsError constraint(const std::string& field, const std::string& value, const std::string& rule) {
  return invalid("1 validation error detected: Value '" + value + "' at '" + field +
                 "' failed to satisfy constraint: " + rule);
}

// ---- request fields -------------------------------------------------------------------------

std::optional<std::string> string_field(const json& req, const char* name) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw invalid("Field '" + std::string(name) + "' must be a string");
  return it->get<std::string>();
}

std::optional<int64_t> int_field(const json& req, const char* name, int64_t min, int64_t max) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer())
    throw invalid("Field '" + std::string(name) + "' must be an integer");
  const int64_t value = it->get<int64_t>();
  if (value < min) {
    throw constraint(name, std::to_string(value),
                     "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (value > max) {
    throw constraint(name, std::to_string(value),
                     "Member must have value less than or equal to " + std::to_string(max));
  }
  return value;
}

bool bool_field(const json& req, const char* name) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw invalid("Field '" + std::string(name) + "' must be a boolean");
  return it->get<bool>();
}

std::vector<std::string> strings_field(const json& req, const char* name) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return {};
  if (!it->is_array() || it->empty() || it->size() > 100 ||
      !std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); })) {
    throw invalid("Field '" + std::string(name) + "' must be a list of 1 to 100 strings");
  }
  return it->get<std::vector<std::string>>();
}

// ---- names and ARNs -------------------------------------------------------------------------

std::string group_name(const std::string& function) {
  return std::string(kGroupPrefix) + function;
}

std::string group_arn(const std::string& function) {
  return "arn:aws:logs:" + region() + ":" + kAccountId + ":log-group:" + group_name(function);
}

/// `arn:aws:logs:…:log-group:NAME[:*]` or a plain name, to the name.
std::string identifier_to_name(std::string identifier) {
  if (!identifier.starts_with("arn:")) return identifier;
  const size_t at = identifier.find(":log-group:");
  if (at == std::string::npos) throw invalid("Invalid logGroupIdentifier: " + identifier);
  identifier.erase(0, at + std::string_view(":log-group:").size());
  if (identifier.ends_with(":*")) identifier.resize(identifier.size() - 2);
  return identifier;
}

AwsError group_not_found() {
  return AwsError(400, "ResourceNotFoundException", "The specified log group does not exist.");
}

/// The function behind the request's log group, which must exist.
std::string function_of(const json& req, LogReader& reader) {
  auto name = string_field(req, "logGroupName");
  auto identifier = string_field(req, "logGroupIdentifier");
  if (name && identifier) {
    throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (!name && !identifier) throw invalid("Either logGroupName or logGroupIdentifier is required");
  const std::string group = name ? *name : identifier_to_name(*identifier);
  if (!group.starts_with(kGroupPrefix)) throw group_not_found();
  std::string function = group.substr(kGroupPrefix.size());
  const auto functions = reader.functions();
  if (!std::binary_search(functions.begin(), functions.end(), function)) throw group_not_found();
  return function;
}

// ---- tokens ---------------------------------------------------------------------------------

/// Tokens are `<kind>/<timestamp>/<id>`: a position in the (timestamp, id) order.
std::string token(char kind, const LogReader::Cursor& at) {
  return std::string(1, kind) + "/" + std::to_string(at.timestamp_ms) + "/" + std::to_string(at.id);
}

std::optional<LogReader::Cursor> parse_token(std::string_view text, char kind) {
  if (text.size() < 4 || text[0] != kind || text[1] != '/') return std::nullopt;
  LogReader::Cursor at;
  const char* end = text.data() + text.size();
  auto [slash, ec1] = std::from_chars(text.data() + 2, end, at.timestamp_ms);
  if (ec1 != std::errc() || slash == end || *slash != '/') return std::nullopt;
  auto [last, ec2] = std::from_chars(slash + 1, end, at.id);
  if (ec2 != std::errc() || last != end) return std::nullopt;
  return at;
}

AwsError bad_token() {
  return invalid("The specified nextToken is invalid.");
}

LogReader::Cursor cursor(const LogReader::Row& row) {
  return {row.timestamp_ms, row.id};
}

// ---- events ---------------------------------------------------------------------------------

/// Worker output is arbitrary bytes; JSON needs UTF-8, so invalid sequences become U+FFFD.
std::string utf8(const std::string& text) {
  std::string out;
  size_t i = 0, copied = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xE  ? 3
                       : (c >> 3) == 0x1E ? 4
                                          : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      // Overlong forms, surrogates and values past U+10FFFF are invalid too.
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xC0 || c == 0xC1 || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
             (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90) || c > 0xF4);
    }
    if (ok) {
      i += len;
      continue;
    }
    out.append(text, copied, i - copied).append("\xEF\xBF\xBD");
    copied = ++i;
  }
  if (copied == 0) return text;
  return out.append(text, copied, std::string::npos);
}

/// Rows up to `limit` and kPageBytes of messages; `more` is set when rows were left over.
std::vector<LogReader::Row> page(std::vector<LogReader::Row> rows, size_t limit, bool& more) {
  size_t bytes = 0, keep = 0;
  while (keep < rows.size() && keep < limit) {
    bytes += rows[keep].message.size();
    if (keep > 0 && bytes > kPageBytes) break;
    ++keep;
  }
  more = keep < rows.size();
  rows.resize(keep);
  return rows;
}

void apply_time_range(const json& req, LogReader::Query& q) {
  q.start_ms = int_field(req, "startTime", 0, INT64_MAX);
  q.end_ms = int_field(req, "endTime", 0, INT64_MAX);
}

// ---- operations -----------------------------------------------------------------------------

json filter_log_events(const json& req, LogReader& reader) {
  LogReader::Query q{.function = function_of(req, reader)};
  apply_time_range(req, q);
  q.filter_pattern = string_field(req, "filterPattern").value_or("");
  q.log_streams = strings_field(req, "logStreamNames");
  q.log_stream_prefix = string_field(req, "logStreamNamePrefix").value_or("");
  if (!q.log_streams.empty() && !q.log_stream_prefix.empty()) {
    throw invalid("Cannot specify both logStreamNames and logStreamNamePrefix");
  }
  bool_field(req, "interleaved");  // accepted (deprecated on AWS): results are always interleaved
  bool_field(req, "unmask");
  const auto limit = static_cast<size_t>(int_field(req, "limit", 1, 10000).value_or(10000));
  if (auto next = string_field(req, "nextToken")) {
    q.after = parse_token(*next, 'n');
    if (!q.after) throw bad_token();
  }
  q.limit = limit + 1;
  bool more = false;
  const auto rows = page(reader.filter(q), limit, more);
  json events = json::array();
  for (const auto& row : rows) {
    events.push_back({{"logStreamName", row.log_stream},
                      {"timestamp", row.timestamp_ms},
                      {"message", utf8(row.message)},
                      {"ingestionTime", row.ingestion_ms},
                      {"eventId", std::to_string(row.id)}});
  }
  json response = {{"events", std::move(events)}, {"searchedLogStreams", json::array()}};
  if (more) response["nextToken"] = token('n', cursor(rows.back()));
  return response;
}

json get_log_events(const json& req, LogReader& reader) {
  LogReader::Query q{.function = function_of(req, reader)};
  const auto stream = string_field(req, "logStreamName");
  if (!stream) throw invalid("logStreamName is required");
  const auto streams = reader.streams(q.function);
  if (std::none_of(streams.begin(), streams.end(),
                   [&](const auto& s) { return s.name == *stream; })) {
    throw AwsError(400, "ResourceNotFoundException", "The specified log stream does not exist.");
  }
  q.log_streams = {*stream};
  apply_time_range(req, q);
  if (q.end_ms) *q.end_ms -= 1;  // GetLogEvents' endTime is exclusive, FilterLogEvents' is not
  bool_field(req, "unmask");
  const auto limit = static_cast<size_t>(int_field(req, "limit", 1, 10000).value_or(10000));
  const auto next = string_field(req, "nextToken");
  const bool forward = next ? (*next)[0] == 'f' : bool_field(req, "startFromHead");
  if (next) {
    (forward ? q.after : q.before) = parse_token(*next, forward ? 'f' : 'b');
    if (!q.after && !q.before) throw bad_token();
  }
  q.order = forward ? LogReader::Order::kTime : LogReader::Order::kTimeDesc;
  q.limit = limit;
  bool more = false;
  auto rows = page(reader.filter(q), limit, more);
  if (!forward) std::reverse(rows.begin(), rows.end());
  json events = json::array();
  for (const auto& row : rows) {
    events.push_back({{"timestamp", row.timestamp_ms},
                      {"message", utf8(row.message)},
                      {"ingestionTime", row.ingestion_ms}});
  }
  // With nothing returned, each token stays where the request stood, so a poller sees the same
  // forward token until new events arrive (as on AWS).
  // From an empty start, the forward token begins at the very start so later events show up.
  const LogReader::Cursor here =
      q.after.value_or(q.before.value_or(LogReader::Cursor{INT64_MIN, 0}));
  return {{"events", std::move(events)},
          {"nextForwardToken", token('f', rows.empty() ? here : cursor(rows.back()))},
          {"nextBackwardToken", token('b', rows.empty() ? here : cursor(rows.front()))}};
}

json describe_log_groups(const json& req, LogReader& reader) {
  const auto prefix = string_field(req, "logGroupNamePrefix").value_or("");
  const auto pattern = string_field(req, "logGroupNamePattern").value_or("");
  if (!prefix.empty() && !pattern.empty()) {
    throw invalid("logGroupNamePrefix and logGroupNamePattern are mutually exclusive");
  }
  const auto limit = static_cast<size_t>(int_field(req, "limit", 1, 50).value_or(50));
  const auto after = string_field(req, "nextToken");
  json groups = json::array();
  std::optional<std::string> next;
  for (const auto& g : reader.groups()) {
    const std::string name = group_name(g.function);
    if (!name.starts_with(prefix) || name.find(pattern) == std::string::npos) continue;
    if (after && name <= *after) continue;
    if (groups.size() == limit) {
      next = groups.back()["logGroupName"].get<std::string>();
      break;
    }
    groups.push_back({{"logGroupName", name},
                      {"creationTime", g.creation_ms},
                      {"metricFilterCount", 0},
                      {"arn", group_arn(g.function) + ":*"},
                      {"storedBytes", g.stored_bytes},
                      {"logGroupClass", "STANDARD"},
                      {"logGroupArn", group_arn(g.function)}});
  }
  json response = {{"logGroups", std::move(groups)}};
  if (next) response["nextToken"] = *next;
  return response;
}

std::vector<LogReader::Stream> ordered_streams(const json& req, const std::string& function,
                                               LogReader& reader) {
  const auto prefix = string_field(req, "logStreamNamePrefix").value_or("");
  const auto order_by = string_field(req, "orderBy").value_or("LogStreamName");
  if (order_by != "LogStreamName" && order_by != "LastEventTime") {
    throw constraint("orderBy", order_by,
                     "Member must satisfy enum value set: [LogStreamName, LastEventTime]");
  }
  if (order_by == "LastEventTime" && !prefix.empty()) {
    throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  auto streams = reader.streams(function);
  std::erase_if(streams, [&](const auto& s) { return !s.name.starts_with(prefix); });
  if (order_by == "LastEventTime") {
    std::stable_sort(streams.begin(), streams.end(),
                     [](const auto& a, const auto& b) { return a.last_ms < b.last_ms; });
  }
  if (bool_field(req, "descending")) std::reverse(streams.begin(), streams.end());
  return streams;
}

json describe_log_streams(const json& req, LogReader& reader) {
  const std::string function = function_of(req, reader);
  const auto streams = ordered_streams(req, function, reader);
  const auto limit = static_cast<size_t>(int_field(req, "limit", 1, 50).value_or(50));
  size_t offset = 0;
  if (auto next = string_field(req, "nextToken")) {
    auto [end, ec] = std::from_chars(next->data() + std::min<size_t>(2, next->size()),
                                     next->data() + next->size(), offset);
    if (!next->starts_with("s/") || ec != std::errc() || end != next->data() + next->size()) {
      throw bad_token();
    }
  }
  json out = json::array();
  for (size_t i = offset; i < streams.size() && out.size() < limit; ++i) {
    const auto& s = streams[i];
    out.push_back({{"logStreamName", s.name},
                   {"creationTime", s.creation_ms},
                   {"firstEventTimestamp", s.first_ms},
                   {"lastEventTimestamp", s.last_ms},
                   {"lastIngestionTime", s.last_ingestion_ms},
                   {"arn", group_arn(function) + ":log-stream:" + s.name},
                   {"storedBytes", s.stored_bytes}});
  }
  json response = {{"logStreams", std::move(out)}};
  if (offset + limit < streams.size())
    response["nextToken"] = "s/" + std::to_string(offset + limit);
  return response;
}

}  // namespace

json handle_logs_call(std::string_view operation, const json& request, store::LogReader& reader) {
  const json empty = json::object();
  const json& req = request.is_null() ? empty : request;
  if (!req.is_object()) throw invalid("The request body must be a JSON object");
  if (operation == "FilterLogEvents") return filter_log_events(req, reader);
  if (operation == "GetLogEvents") return get_log_events(req, reader);
  if (operation == "DescribeLogGroups") return describe_log_groups(req, reader);
  if (operation == "DescribeLogStreams") return describe_log_streams(req, reader);
  throw AwsError(
      400, "UnknownOperationException",
      "lambdad does not support the CloudWatch Logs operation '" + std::string(operation) + "'");
}

}  // namespace lambdad::control_api
