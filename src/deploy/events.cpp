#include "events.hpp"

#include <algorithm>
#include <set>

#include "api_access.hpp"
#include "api_auth.hpp"
#include "api_settings_reader.hpp"
#include "sam_properties.hpp"
#include "schedules.hpp"

#include "lambdad/common/encoding.hpp"
#include "lambdad/deploy/schedule_expression.hpp"

namespace lambdad::deploy {

namespace {

using Keys = std::set<std::string, std::less<>>;

const Keys kMethods = {"get", "post", "put", "delete", "patch", "head", "options", "any"};

bool is_alphanumeric(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

class EventReader {
 public:
  EventReader(const std::string& who, LoadContext& ctx) : function_(who), who_(who), ctx_(ctx) {}

  std::optional<EventSource> read(const std::string& name, const Node& event) {
    who_ += ": event '" + name + "'";
    if (!is_alphanumeric(name)) error(event.line, "the event name must be alphanumeric");
    if (!event.is_map()) return error(event.line, "must be a map with Type and Properties");
    check_keys(event, "", {"Type", "Properties"});
    const Node* type = event.find("Type");
    if (!type || !type->is_scalar()) return error(event.line, "Type is required");
    Node properties = Node::map(event.line);
    if (const Node* given = event.find("Properties"); given && !given->is_null()) {
      if (!given->is_map()) return error(given->line, "Properties must be a map");
      properties = *given;
    }
    return read_typed(EventSource{.name = name, .type = type->text, .line = event.line}, properties,
                      type->line);
  }

 private:
  std::optional<EventSource> read_typed(EventSource source, Node& properties, int type_line) {
    const std::string& type = source.type;
    bool ok = true;
    if (type == "Api") {
      ok = read_api(properties);
    } else if (type == "HttpApi") {
      ok = read_http_api(properties);
    } else if (type == "Schedule" || type == "ScheduleV2") {
      ok = read_schedule(properties, type == "ScheduleV2");
    } else if (const PropertyNames* known = sam_event_properties(type)) {
      check_keys(properties, type, *known);
      ctx_.problems.warning(type_line, "event '" + source.name + "' of type " + type + " on " +
                                           function_ + " is not run by lambdad");
      return std::nullopt;
    } else {
      return error(type_line, "unknown event type '" + type +
                                  "' (SAM rejects it; lambdad runs Api, HttpApi, Schedule and "
                                  "ScheduleV2)");
    }
    if (!ok || unroutable_) return std::nullopt;
    source.properties = to_json(properties);
    if (type == "Api" || type == "HttpApi") {
      source.route = read_event_route(source.properties, type == "Api");
    }
    return source;
  }

  bool unroutable_ = false;  ///< an Api / HttpApi event whose Path API Gateway would skip

  std::nullopt_t error(int line, const std::string& message) {
    ctx_.error(line, who_, message);
    return std::nullopt;
  }

  bool fail(int line, const std::string& message) {
    ctx_.error(line, who_, message);
    return false;
  }

  bool check_keys(const Node& map, const std::string& type, const Keys& keys) {
    bool ok = true;
    for (const auto& entry : map.entries) {
      if (keys.contains(entry.key)) continue;
      std::string known;
      for (const auto& key : keys) known += (known.empty() ? "" : ", ") + key;
      error(entry.value.line, "unknown " + (type.empty() ? "" : type + " ") + "property '" +
                                  entry.key + "' (known: " + known + ")");
      ok = false;
    }
    return ok;
  }

  /// A required or optional string property; nullopt when absent or wrong (reported).
  std::optional<std::string> string_property(const Node& properties, std::string_view key,
                                             bool required) {
    const Node* value = properties.find(key);
    if (!value || value->is_null()) {
      if (required) error(properties.line, std::string(key) + " is required");
      return std::nullopt;
    }
    if (value->is_invalid()) return std::nullopt;
    if (value->unresolved) {
      error(value->line, std::string(key) + " " + ctx_.resolver.unresolved_reason(*value));
      return std::nullopt;
    }
    if (!value->is_scalar()) {
      error(value->line, std::string(key) + " must be a string, got " + describe(*value));
      return std::nullopt;
    }
    return value->text;
  }

  bool check_route(const Node& properties, bool required) {
    auto path = string_property(properties, "Path", required);
    auto method = string_property(properties, "Method", required);
    bool ok = (path || !required) && (method || !required);
    if (path && !path->starts_with("/") && *path != "$default") {
      // SAM puts the path in the API's document as written; API Gateway's import skips a path
      // without '/' with a warning (FailOnWarnings is off by default), so the stack deploys
      // without that route. lambdad does the same.
      ctx_.warning(properties.find("Path")->line, who_,
                   "Path '" + *path +
                       "' does not start with /: API Gateway skips it when it imports the API, "
                       "so this event has no route");
      unroutable_ = true;
    }
    if (method && !kMethods.contains(ascii_lower(*method))) {
      ok = fail(properties.find("Method")->line,
                "Method '" + *method +
                    "' must be one of GET, POST, PUT, DELETE, PATCH, HEAD, "
                    "OPTIONS, ANY");
    }
    return ok;
  }

  /// RestApiId / ApiId: a Ref to (or the logical id of) an API of this template; the implicit
  /// API when absent, as SAM does.
  bool link_api(Node& properties, std::string_view key, std::string_view api_type,
                std::string_view implicit) {
    const Node* value = properties.find(key);
    if (!value) {
      properties.set(std::string(key), Node::scalar(std::string(implicit), properties.line));
      return true;
    }
    if (value->is_invalid()) return false;
    const std::string id = !value->ref.empty() ? value->ref : value->is_scalar() ? value->text : "";
    if (ctx_.is_type(id, api_type)) {
      properties.set(std::string(key), Node::scalar(id, value->line));
      return true;
    }
    return fail(value->line, std::string(key) + " must be a Ref to an " + std::string(api_type) +
                                 " of this template");
  }

  bool read_api(Node& properties) {
    bool ok = check_keys(properties, "Api", *sam_event_properties("Api"));
    ok = check_route(properties, true) && ok;
    ok = check_event_auth(properties, who_, ctx_) && ok;
    ok = check_event_access(properties, true, who_, ctx_) && ok;
    return link_api(properties, "RestApiId", "AWS::Serverless::Api", kImplicitRestApi) && ok;
  }

  bool read_http_api(Node& properties) {
    bool ok = check_keys(properties, "HttpApi", *sam_event_properties("HttpApi"));
    const bool has_path = properties.find("Path"), has_method = properties.find("Method");
    if (!has_path && !has_method) {
      properties.set("Path", Node::scalar("$default", properties.line));
      properties.set("Method", Node::scalar("ANY", properties.line));
    } else if (has_path != has_method) {
      ok = fail(properties.line, std::string("HttpApi needs both Path and Method, or neither (for "
                                             "the $default route); ") +
                                     (has_path ? "Method" : "Path") + " is missing");
    } else {
      ok = check_route(properties, true) && ok;
    }
    ok = check_payload_version(properties) && ok;
    ok = check_timeout(properties) && ok;
    ok = check_event_auth(properties, who_, ctx_) && ok;
    ok = check_event_access(properties, false, who_, ctx_) && ok;
    return link_api(properties, "ApiId", "AWS::Serverless::HttpApi", kImplicitHttpApi) && ok;
  }

  bool check_payload_version(Node& properties) {
    auto version = string_property(properties, "PayloadFormatVersion", false);
    if (!properties.find("PayloadFormatVersion")) {
      properties.set("PayloadFormatVersion", Node::scalar("2.0", properties.line));
      return true;
    }
    if (version && (*version == "1.0" || *version == "2.0")) return true;
    return fail(properties.find("PayloadFormatVersion")->line,
                "PayloadFormatVersion must be \"1.0\" or \"2.0\"");
  }

  bool check_timeout(const Node& properties) {
    const Node* value = properties.find("TimeoutInMillis");
    if (!value) return true;
    auto millis = to_integer(*value);
    if (millis && *millis >= 50 && *millis <= 30000) return true;
    return fail(value->line, "TimeoutInMillis must be a whole number between 50 and 30000");
  }

  bool read_schedule(Node& properties, bool v2) {
    const char* expression_key = v2 ? "ScheduleExpression" : "Schedule";
    const char* type = v2 ? "ScheduleV2" : "Schedule";
    bool ok = check_keys(properties, type, *sam_event_properties(type));
    if (auto expression = string_property(properties, expression_key, true)) {
      if (auto problem = check_schedule_expression(*expression, v2); !problem.empty()) {
        ok = fail(properties.find(expression_key)->line,
                  std::string(expression_key) + " '" + *expression + "': " + problem);
      }
    } else {
      ok = false;
    }
    ok = check_input(properties) && ok;
    ok = check_state(properties) && ok;
    if (const Node* enabled = properties.find("Enabled"); enabled && !to_bool(*enabled)) {
      ok = fail(enabled->line, "Enabled must be true or false");
    }
    ok = check_schedule_settings(properties, who_, ctx_) && ok;
    if (v2) ok = check_schedule_dates(properties, who_, ctx_) && ok;
    return ok;
  }

  bool check_input(const Node& properties) {
    if (const Node* given = properties.find("Input"); given && given->unresolved) {
      ctx_.warning(given->line, who_,
                   "Input uses " + describe(*given) +
                       ", which lambdad cannot resolve locally; it is passed "
                       "as that JSON object");
      return true;
    }
    auto input = string_property(properties, "Input", false);
    if (!input) return !properties.find("Input") || properties.find("Input")->is_null();
    if (nlohmann::json::accept(*input)) return true;
    return fail(properties.find("Input")->line, "Input must be a JSON document (as a string)");
  }

  bool check_state(const Node& properties) {
    const Node* state = properties.find("State");
    if (!state || (state->is_scalar() && (state->text == "ENABLED" || state->text == "DISABLED"))) {
      return true;
    }
    return fail(state->line, "State must be ENABLED or DISABLED");
  }

  std::string function_;  ///< "function 'Hello'"
  std::string who_;       ///< "function 'Hello': event 'Get'"
  LoadContext& ctx_;
};

}  // namespace

std::vector<EventSource> read_events(const Node& events, const std::string& who, LoadContext& ctx) {
  std::vector<EventSource> sources;
  if (!events.is_map()) {
    ctx.error(events.line, who, "Events must be a map, got " + describe(events));
    return sources;
  }
  for (const auto& [name, event] : events.entries) {
    if (auto source = EventReader(who, ctx).read(name, event))
      sources.push_back(*std::move(source));
  }
  return sources;
}

}  // namespace lambdad::deploy
