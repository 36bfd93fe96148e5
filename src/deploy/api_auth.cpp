#include "api_auth.hpp"

#include <map>
#include <set>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/regex.hpp"

namespace lambdad::deploy {

namespace {

using Keys = std::set<std::string, std::less<>>;

const Keys kRestLambdaKeys = {"FunctionArn", "FunctionInvokeRole", "FunctionPayloadType",
                              "Identity", "DisableFunctionDefaultPermissions"};
const Keys kHttpLambdaKeys = {
    "FunctionArn",           "FunctionInvokeRole", "AuthorizerPayloadFormatVersion",
    "EnableSimpleResponses", "Identity",           "EnableFunctionDefaultPermissions"};
const Keys kTokenIdentityKeys = {"Header", "ValidationExpression", "ReauthorizeEvery"};
const Keys kRequestIdentityKeys = {"Headers", "QueryStrings", "StageVariables", "Context",
                                   "ReauthorizeEvery"};
const Keys kIdentityLists = {"Headers", "QueryStrings", "StageVariables", "Context"};
constexpr long long kDefaultRestTtl = 300;
constexpr long long kMaxTtl = 3600;

class AuthReader {
 public:
  AuthReader(std::string who, bool http_api, LoadContext& ctx)
      : who_(std::move(who)), http_(http_api), ctx_(ctx) {}

  void read(Node& auth) {
    if (!auth.is_map()) return error(auth.line, "Auth must be a map");
    Node* authorizers = auth.find("Authorizers");
    if (authorizers && !authorizers->is_map() && !authorizers->is_null()) {
      error(authorizers->line, "Auth.Authorizers must be a map");
      authorizers = nullptr;
    }
    if (authorizers && authorizers->is_map()) {
      for (auto& [name, spec] : authorizers->entries) read_authorizer(name, spec);
    }
    check_default(auth, authorizers);
    if (Node* preflight = auth.find("AddDefaultAuthorizerToCorsPreflight")) {
      normalise_bool(*preflight, "Auth.AddDefaultAuthorizerToCorsPreflight");
    }
  }

 private:
  void error(int line, const std::string& message) { ctx_.error(line, who_, message); }
  void warning(int line, const std::string& message) { ctx_.warning(line, who_, message); }

  void check_default(const Node& auth, const Node* authorizers) {
    const Node* name = auth.find("DefaultAuthorizer");
    if (!name || name->is_invalid()) return;
    if (!name->is_scalar() || name->unresolved || name->text.empty()) {
      return error(name->line, "Auth.DefaultAuthorizer must be the name of an authorizer");
    }
    if (name->text == "AWS_IAM") {
      return warning(name->line, "AWS_IAM authorization is not enforced by lambdad");
    }
    if (!authorizers || !authorizers->find(name->text)) {
      error(name->line, "Unable to set DefaultAuthorizer because '" + name->text +
                            "' was not defined in 'Authorizers'.");
    }
  }

  void read_authorizer(const std::string& name, Node& spec) {
    const std::string where = "Auth.Authorizers." + name;
    if (!spec.is_map()) return error(spec.line, where + " must be a map");
    if (!spec.find("FunctionArn")) {
      // HTTP API JWT authorizers are left as they are; REST Cognito ones are not enforced.
      if (!http_) {
        warning(spec.line, where + ": lambdad enforces Lambda authorizers only; the routes this " +
                               (spec.find("UserPoolArn") ? "Cognito " : "") +
                               "authorizer guards are open");
      }
      return;
    }
    for (const auto& entry : spec.entries) {
      if (!(http_ ? kHttpLambdaKeys : kRestLambdaKeys).contains(entry.key)) {
        warning(entry.value.line, where + "." + entry.key + " is not used by lambdad");
      }
    }
    normalise_function(where, *spec.find("FunctionArn"));
    const bool token = http_ ? false : read_payload_type(where, spec);
    if (http_) read_http_format(where, spec);
    const std::optional<long long> ttl = read_identity(where, spec, token);
    if (!http_ && !token && ttl.value_or(kDefaultRestTtl) > 0 && !has_identity_lists(spec)) {
      error(spec.line, name +
                           " Authorizer must specify Identity with at least one of Headers, "
                           "QueryStrings, StageVariables, or Context.");
    }
  }

  /// REST FunctionPayloadType; true for TOKEN (the default).
  bool read_payload_type(const std::string& where, const Node& spec) {
    const Node* type = spec.find("FunctionPayloadType");
    if (!type || type->is_invalid()) return true;
    if (type->is_scalar() && (type->text == "TOKEN" || type->text == "REQUEST")) {
      return type->text == "TOKEN";
    }
    error(type->line, where + ".FunctionPayloadType must be TOKEN or REQUEST");
    return true;
  }

  void read_http_format(const std::string& where, Node& spec) {
    Node* version = spec.find("AuthorizerPayloadFormatVersion");
    bool v2 = false;
    if (!version) {
      error(spec.line, where + " must define AuthorizerPayloadFormatVersion (\"1.0\" or \"2.0\")");
    } else if (version->is_scalar() && (version->text == "1.0" || version->text == "2.0")) {
      v2 = version->text == "2.0";
      *version = Node::scalar(version->text, version->line);  // `2.0` unquoted is a number
    } else if (!version->is_invalid()) {
      error(version->line, where + ".AuthorizerPayloadFormatVersion must be \"1.0\" or \"2.0\"");
    }
    if (Node* simple = spec.find("EnableSimpleResponses")) {
      const auto value = normalise_bool(*simple, where + ".EnableSimpleResponses");
      if (value.value_or(false) && version && !v2) {
        error(simple->line, where +
                                ".EnableSimpleResponses needs AuthorizerPayloadFormatVersion "
                                "\"2.0\"");
      }
    }
  }

  /// Checks Identity; returns ReauthorizeEvery when given (and valid).
  std::optional<long long> read_identity(const std::string& where, Node& spec, bool token) {
    Node* identity = spec.find("Identity");
    if (!identity || identity->is_null() || identity->is_invalid()) return std::nullopt;
    if (!identity->is_map()) {
      error(identity->line, where + ".Identity must be a map");
      return std::nullopt;
    }
    const Keys& known = token ? kTokenIdentityKeys : kRequestIdentityKeys;
    std::optional<long long> ttl;
    for (auto& [key, value] : identity->entries) {
      const std::string path = where + ".Identity." + key;
      if (!known.contains(key)) {
        warning(value.line, path + " is not used by " +
                                (token ? "a TOKEN authorizer" : "a REQUEST authorizer"));
      } else if (key == "ReauthorizeEvery") {
        ttl = normalise_ttl(path, value);
      } else if (key == "Header") {
        check_string(path, value);
      } else if (key == "ValidationExpression") {
        check_regex(path, value);
      } else {
        check_name_list(path, value);
      }
    }
    return ttl;
  }

  static bool has_identity_lists(const Node& spec) {
    const Node* identity = spec.find("Identity");
    if (!identity || !identity->is_map()) return false;
    for (const auto& [key, value] : identity->entries) {
      if (kIdentityLists.contains(key) && value.is_list() && !value.items.empty()) return true;
    }
    return false;
  }

  std::optional<long long> normalise_ttl(const std::string& path, Node& value) {
    if (value.is_invalid()) return std::nullopt;
    auto seconds = to_integer(value);
    if (!seconds || *seconds < 0 || *seconds > kMaxTtl) {
      error(value.line, path + " must be a whole number of seconds from 0 to 3600");
      return std::nullopt;
    }
    value = Node::scalar(std::to_string(*seconds), value.line, false);
    return seconds;
  }

  std::optional<bool> normalise_bool(Node& value, const std::string& path) {
    if (value.is_invalid()) return std::nullopt;
    auto flag = to_bool(value);
    if (!flag) {
      error(value.line, path + " must be true or false");
      return std::nullopt;
    }
    value = Node::scalar(*flag ? "true" : "false", value.line, false);
    return flag;
  }

  bool check_string(const std::string& path, const Node& value) {
    if (value.is_invalid()) return false;
    if (value.is_scalar() && !value.unresolved && !value.text.empty()) return true;
    error(value.line, path + " must be a non-empty string");
    return false;
  }

  void check_regex(const std::string& path, const Node& value) {
    if (!check_string(path, value)) return;
    try {
      std::regex compiled(value.text);
    } catch (const std::regex_error&) {
      error(value.line, path + " '" + value.text + "' is not a valid regular expression");
    }
  }

  void check_name_list(const std::string& path, const Node& value) {
    if (value.is_invalid()) return;
    if (!value.is_list()) return error(value.line, path + " must be a list of names");
    for (const Node& item : value.items) check_string(path + " entry", item);
  }

  /// FunctionArn as the function's ARN.
  void normalise_function(const std::string& where, Node& arn) {
    if (arn.is_invalid()) return;
    auto name = function_of(arn);
    if (!name) {
      return error(arn.line, where +
                                 ".FunctionArn must be !GetAtt <Function>.Arn, or the ARN or "
                                 "name of a function");
    }
    arn = Node::scalar(name->starts_with("arn:") ? *name : function_arn(*name), arn.line);
  }

  /// The function a FunctionArn names: its name, or the ARN as written.
  std::optional<std::string> function_of(const Node& arn) {
    if (!arn.unresolved) {
      if (arn.is_scalar() && !arn.text.empty()) return arn.text;
      return std::nullopt;
    }
    const NodeEntry& intrinsic = arn.entries.front();
    std::string resource;
    if (intrinsic.key == "Fn::GetAtt") {
      const auto& args = intrinsic.value.items;
      if (args.size() == 2 && args[1].is_scalar() && args[1].text == "Arn") resource = args[0].text;
    } else if (intrinsic.key == "Fn::Sub") {
      // `!Sub ${Fn.Arn}`: the only Sub that names a function's ARN and nothing else.
      const Node& text = intrinsic.value.is_list() && !intrinsic.value.items.empty()
                             ? intrinsic.value.items.front()
                             : intrinsic.value;
      static const std::regex kArnOf(R"(\$\{([A-Za-z0-9]+)\.Arn\})");
      std::smatch match;
      if (text.is_scalar() && std::regex_match(text.text, match, kArnOf)) resource = match[1];
    }
    if (resource.empty() || !ctx_.is_type(resource, "AWS::Serverless::Function")) {
      return std::nullopt;
    }
    auto found = ctx_.resolver.inputs().reference(resource, nullptr);
    return found && found->value ? *found->value : resource;
  }

  std::string who_;
  bool http_;
  LoadContext& ctx_;
};

void check_event(const FunctionConfig& function, const EventSource& event, const ApiConfig& api,
                 Problems& problems) {
  const std::string& name = event.route->authorizer;
  if (name.empty()) return;
  if (name == "AWS_IAM") {
    problems.warning(event.line, "function '" + function.logical_id + "': event '" + event.name +
                                     "': AWS_IAM authorization is not enforced by lambdad");
    return;
  }
  const api::Auth& auth = api.settings.auth;
  const std::string prefix = "function '" + function.logical_id + "': event '" + event.name +
                             "': Unable to set Authorizer";
  const std::string on = " on API method [" + ascii_lower(event.route->method) + "] for path [" +
                         event.route->path + "] because ";
  if (name == "NONE") {
    if (auth.default_authorizer.empty()) {
      problems.error(event.line, prefix + on +
                                     "'NONE' is only a valid value when a DefaultAuthorizer on "
                                     "the API is specified.");
    }
    return;
  }
  const std::string named = prefix + " [" + name + "]" + on;
  if (auth.lambda_authorizers.empty() && auth.jwt_authorizers.empty() &&
      auth.other_authorizers.empty()) {
    problems.error(event.line, named + "the related API does not define any Authorizers.");
  } else if (!auth.has_authorizer(name)) {
    problems.error(event.line, named + "it wasn't defined in the API's Authorizers.");
  }
}

void check_authorizer_functions(const ApiConfig& api, const std::set<std::string>& functions,
                                Problems& problems) {
  for (const api::LambdaAuthorizer& authorizer : api.settings.auth.lambda_authorizers) {
    if (!authorizer.unusable.empty()) continue;  // warned when read
    const std::string function = authorizer.function.substr(0, authorizer.function.find(':'));
    if (functions.contains(function)) continue;
    problems.warning(api.line, "api '" + api.logical_id + "': authorizer '" + authorizer.name +
                                   "': function '" + function +
                                   "' is not in this template; the routes it guards answer "
                                   "500, as API Gateway does when it cannot invoke an "
                                   "authorizer");
  }
}

}  // namespace

void read_api_auth(const std::string& who, bool http_api, Node& properties, LoadContext& ctx) {
  Node* auth = properties.find("Auth");
  if (!auth || auth->is_null() || auth->is_invalid()) return;
  AuthReader(who, http_api, ctx).read(*auth);
}

bool check_event_auth(const Node& properties, const std::string& who, LoadContext& ctx) {
  const Node* auth = properties.find("Auth");
  if (!auth || auth->is_null() || auth->is_invalid()) return true;
  if (!auth->is_map()) {
    ctx.error(auth->line, who, "Auth must be a map");
    return false;
  }
  const Node* name = auth->find("Authorizer");
  if (!name || name->is_invalid()) return true;
  if (name->is_scalar() && !name->unresolved && !name->text.empty()) return true;
  ctx.error(name->line, who,
            "Auth.Authorizer must be the name of an authorizer of the API, NONE or AWS_IAM");
  return false;
}

void check_route_authorizers(const Template& tmpl, Problems& problems) {
  std::map<std::string, const ApiConfig*> apis;
  for (const auto& api : tmpl.apis) apis[api.logical_id] = &api;
  std::set<std::string> functions;  // names and logical ids: both find a function
  for (const auto& function : tmpl.functions) {
    functions.insert(function.name);
    functions.insert(function.logical_id);
    for (const auto& event : function.events) {
      if (!event.route) continue;
      auto api = apis.find(event.route->api);
      if (api != apis.end()) check_event(function, event, *api->second, problems);
    }
  }
  for (const auto& api : tmpl.apis) check_authorizer_functions(api, functions, problems);
}

}  // namespace lambdad::deploy
