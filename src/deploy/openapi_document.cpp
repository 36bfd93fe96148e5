#include <map>
#include <set>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/regex.hpp"
#include "openapi.hpp"

namespace lambdad::deploy {

namespace {

using openapi::Authorizer;
using openapi::IdentitySource;

const std::map<std::string, std::string, std::less<>> kMethods = {
    {"get", "GET"},         {"put", "PUT"},
    {"post", "POST"},       {"delete", "DELETE"},
    {"options", "OPTIONS"}, {"head", "HEAD"},
    {"patch", "PATCH"},     {"x-amazon-apigateway-any-method", "ANY"}};

/// What else a path item may hold (OpenAPI 2 and 3).
const std::set<std::string, std::less<>> kPathItemKeys = {"parameters", "summary", "description",
                                                          "servers"};

std::string text_of(const Node* node) {
  return node && node->is_scalar() ? node->text : "";
}

/// A Lambda authorizer's identity sources: REST `method.request.header.X`, `…querystring.X`,
/// `stageVariables.X`, `context.X`; HTTP API `$request.header.X`, `$request.querystring.X`,
/// `$stageVariables.X`, `$context.X`; comma-separated or a list.
std::optional<std::vector<IdentitySource>> identity_sources(const Node* node) {
  std::vector<std::string> parts;
  if (node && node->is_list()) {
    for (const Node& item : node->items) parts.push_back(text_of(&item));
  } else if (node && node->is_scalar()) {
    std::string text = node->text;
    for (size_t start = 0; start <= text.size();) {
      const size_t comma = std::min(text.find(',', start), text.size());
      parts.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::vector<IdentitySource> out;
  using Kind = IdentitySource::Kind;
  static const std::vector<std::pair<std::string, Kind>> kPrefixes = {
      {"method.request.header.", Kind::kHeader},
      {"method.request.querystring.", Kind::kQuery},
      {"$request.header.", Kind::kHeader},
      {"$request.querystring.", Kind::kQuery},
      {"stageVariables.", Kind::kStageVariable},
      {"$stageVariables.", Kind::kStageVariable},
      {"context.", Kind::kContext},
      {"$context.", Kind::kContext}};
  for (std::string part : parts) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (part.empty()) continue;
    bool known = false;
    for (const auto& [prefix, kind] : kPrefixes) {
      if (part.starts_with(prefix) && part.size() > prefix.size()) {
        out.push_back({kind, part.substr(prefix.size())});
        known = true;
        break;
      }
    }
    if (!known) return std::nullopt;
  }
  return out;
}

class DocumentReader {
 public:
  DocumentReader(const OpenApiDocument& doc, bool http_api, const std::string& who,
                 LoadContext& ctx)
      : doc_(doc), http_(http_api), report_(doc, who, ctx), ctx_(ctx) {}

  std::shared_ptr<openapi::Definition> read() {
    auto out = std::make_shared<openapi::Definition>();
    out->source = doc_.source;
    const Node& root = doc_.root;
    if (root.is_invalid()) return nullptr;
    if (!root.is_map()) {
      report_.error(root.line, "the OpenAPI document must be a map, got " + describe(root));
      return nullptr;
    }
    if (!root.find("openapi") && !root.find("swagger")) {
      report_.warning(root.line,
                      "the document has neither 'openapi' nor 'swagger'; read as OpenAPI 3");
    }
    read_schemes(root, *out);
    if (const Node* source = root.find("x-amazon-apigateway-api-key-source")) {
      const std::string value = ascii_upper(text_of(source));
      if (value != "HEADER" && value != "AUTHORIZER") {
        report_.error(source->line,
                      "x-amazon-apigateway-api-key-source must be HEADER or "
                      "AUTHORIZER");
      } else {
        out->api_key_source = value;
      }
    }
    if (const Node* cors = root.find("x-amazon-apigateway-cors")) read_cors(*cors, *out);
    const Node* security = root.find("security");
    const Node* paths = root.find("paths");
    // Without paths (or with `paths:` and nothing under it) the routes are the Api / HttpApi
    // events that name the API, which SAM adds to the document.
    if (!paths || paths->is_null()) return out;
    if (!paths->is_map()) {
      report_.error(paths->line, "paths must be a map, got " + describe(*paths));
      return nullptr;
    }
    out->routes.reserve(paths->entries.size());
    for (const auto& [path, item] : paths->entries) read_path(path, item, security, *out);
    return out;
  }

 private:
  void read_path(const std::string& path, const Node& item, const Node* security,
                 openapi::Definition& out) {
    const bool is_default = http_ && path == "$default";
    if (!path.starts_with('/') && !is_default) {
      report_.error(item.line, "path '" + path + "' must start with '/'");
      return;
    }
    if (item.is_null()) return;
    if (!item.is_map()) {
      report_.error(item.line, "path '" + path + "' must be a map of methods");
      return;
    }
    for (const auto& [key, operation] : item.entries) {
      auto method = kMethods.find(ascii_lower(key));
      if (method == kMethods.end()) {
        if (kPathItemKeys.contains(key) || key.starts_with("x-")) continue;
        if (key == "$ref" || key == "trace") {
          report_.warning(operation.line, "path '" + path + "': '" + key +
                                              "' is not supported by API Gateway; ignored");
          continue;
        }
        report_.error(operation.line,
                      "path '" + path + "': '" + key +
                          "' is not an HTTP method (get, put, post, delete, options, head, "
                          "patch or x-amazon-apigateway-any-method)");
        continue;
      }
      read_operation(path, method->second, operation, security, out);
    }
  }

  void read_operation(const std::string& path, const std::string& method, const Node& operation,
                      const Node* document_security, openapi::Definition& out) {
    const std::string route = method + " " + path;
    if (!operation.is_map()) {
      report_.error(operation.line, route + " must be a map, got " + describe(operation));
      return;
    }
    const Node* spec = operation.find("x-amazon-apigateway-integration");
    if (!spec || !spec->is_map()) {
      report_.warning(operation.line, route +
                                          " has no x-amazon-apigateway-integration; API Gateway "
                                          "cannot serve it and lambdad adds no route for it");
      return;
    }
    openapi::Route& added = out.routes.emplace_back();
    added.method = method;
    added.path = path;
    added.line = operation.line;
    added.integration = read_integration(*spec, http_, route, report_);
    if (added.integration.type == openapi::IntegrationType::kUnsupported) {
      report_.warning(spec->line, route + ": lambdad does not run " +
                                      added.integration.unsupported +
                                      "; requests on this route answer 500");
    }
    const Node* security = operation.find("security");
    read_security(route, security ? security : document_security, out, added);
  }

  /// The security requirement: a Lambda authorizer and / or an API key.
  void read_security(const std::string& route, const Node* security, const openapi::Definition& out,
                     openapi::Route& added) {
    if (!security || !security->is_list()) return;
    for (const Node& requirement : security->items) {
      if (!requirement.is_map()) continue;
      for (const auto& [name, scopes] : requirement.entries) {
        auto scheme = schemes_.find(name);
        if (scheme == schemes_.end()) {
          report_.error(requirement.line,
                        route + ": security names '" + name + "', which is not a security scheme");
        } else if (scheme->second == SchemeKind::kLambda) {
          if (added.authorizer.empty()) added.authorizer = name;
        } else if (scheme->second == SchemeKind::kApiKey) {
          added.api_key_required = !http_;
        } else if (warned_.insert(name).second) {
          report_.warning(requirement.line, "security scheme '" + name +
                                                "' is not a Lambda authorizer or an API key; "
                                                "lambdad does not enforce it");
        }
      }
    }
    (void)out;
  }

  enum class SchemeKind { kLambda, kApiKey, kOther };

  void read_schemes(const Node& root, openapi::Definition& out) {
    const Node* schemes = root.find("securityDefinitions");  // OpenAPI 2
    if (const Node* components = root.find("components"); components && components->is_map()) {
      if (const Node* three = components->find("securitySchemes")) schemes = three;
    }
    if (!schemes || !schemes->is_map()) return;
    for (const auto& [name, scheme] : schemes->entries) {
      if (!scheme.is_map()) {
        report_.error(scheme.line, "security scheme '" + name + "' must be a map");
        continue;
      }
      const Node* authorizer = scheme.find("x-amazon-apigateway-authorizer");
      if (!authorizer) {
        const bool api_key = text_of(scheme.find("type")) == "apiKey" &&
                             ascii_lower(text_of(scheme.find("name"))) == "x-api-key";
        schemes_[name] = api_key ? SchemeKind::kApiKey : SchemeKind::kOther;
        continue;
      }
      schemes_[name] = SchemeKind::kOther;
      if (!authorizer->is_map()) {
        report_.error(authorizer->line, "security scheme '" + name +
                                            "': x-amazon-apigateway-authorizer must be a map");
        continue;
      }
      const std::string type = ascii_lower(text_of(authorizer->find("type")));
      if (type != "token" && type != "request") continue;  // cognito_user_pools, jwt: warned on use
      schemes_[name] = SchemeKind::kLambda;
      out.authorizers.push_back(read_authorizer(name, type, *authorizer));
    }
  }

  Authorizer read_authorizer(const std::string& name, const std::string& type, const Node& spec) {
    Authorizer out{.name = name};
    const std::string where = "security scheme '" + name + "'";
    if (http_) {
      const std::string version = text_of(spec.find("authorizerPayloadFormatVersion"));
      out.format = version == "2.0" ? Authorizer::Format::kHttp2 : Authorizer::Format::kHttp1;
      if (version != "1.0" && version != "2.0") {
        report_.warning(spec.line, where +
                                       ": authorizerPayloadFormatVersion must be \"1.0\" or "
                                       "\"2.0\"; lambdad uses 1.0");
      }
      auto simple = spec.find("enableSimpleResponses");
      out.simple_responses =
          simple && to_bool(*simple).value_or(false) && out.format == Authorizer::Format::kHttp2;
    } else {
      out.format = type == "request" ? Authorizer::Format::kRequest : Authorizer::Format::kToken;
      out.ttl = std::chrono::seconds(300);
    }
    std::string why = "it has no authorizerUri";
    const Node* uri = spec.find("authorizerUri");
    auto ref = uri ? lambda_uri_function(*uri, ctx_, why) : std::nullopt;
    if (!ref) {
      out.unusable = why;
      report_.warning(spec.line, where + ": " + why + "; the routes it guards answer 500");
    } else {
      out.function = ref->qualifier.empty() ? ref->name : ref->name + ":" + ref->qualifier;
      out.function_alias = ref->alias;
    }
    auto identity = identity_sources(spec.find("identitySource"));
    if (!identity) {
      report_.error(spec.line, where +
                                   ": identitySource must list method.request.header.X, "
                                   "method.request.querystring.X, stageVariables.X or "
                                   "context.X ($request.header.X, … on an HTTP API)");
      identity.emplace();
    }
    out.identity = std::move(*identity);
    if (out.format == Authorizer::Format::kToken) {
      // TOKEN reads one header (Authorization unless identitySource names another).
      std::string header = "Authorization";
      for (const auto& source : out.identity) {
        if (source.kind == IdentitySource::Kind::kHeader) {
          header = source.name;
          break;
        }
      }
      out.identity = {{IdentitySource::Kind::kHeader, header}};
      if (const Node* expression = spec.find("identityValidationExpression")) {
        out.validation_expression = text_of(expression);
        try {
          std::regex check(out.validation_expression);
        } catch (const std::regex_error&) {
          report_.error(expression->line, where + ": identityValidationExpression '" +
                                              out.validation_expression +
                                              "' is not a valid regular expression");
        }
      }
    }
    if (const Node* ttl = spec.find("authorizerResultTtlInSeconds")) {
      auto seconds = to_integer(*ttl);
      if (!seconds || *seconds < 0 || *seconds > 3600) {
        report_.error(ttl->line, where +
                                     ": authorizerResultTtlInSeconds must be a whole number "
                                     "of seconds from 0 to 3600");
      } else {
        out.ttl = std::chrono::seconds(*seconds);
      }
    }
    if (out.identity.empty()) out.ttl = std::chrono::seconds(0);  // nothing to cache under
    return out;
  }

  void read_cors(const Node& cors, openapi::Definition& out) {
    if (!http_) {
      report_.warning(cors.line,
                      "x-amazon-apigateway-cors is for HTTP APIs; a REST API's CORS "
                      "is its OPTIONS methods");
      return;
    }
    if (!cors.is_map()) {
      report_.error(cors.line, "x-amazon-apigateway-cors must be a map");
      return;
    }
    openapi::Cors config;
    auto list = [&](const char* key, std::vector<std::string>& into) {
      const Node* value = cors.find(key);
      if (!value) return;
      if (value->is_scalar()) into.push_back(value->text);
      for (const Node& item : value->items) into.push_back(text_of(&item));
    };
    list("allowOrigins", config.allow_origins);
    list("allowMethods", config.allow_methods);
    list("allowHeaders", config.allow_headers);
    list("exposeHeaders", config.expose_headers);
    config.max_age = text_of(cors.find("maxAge"));
    if (const Node* credentials = cors.find("allowCredentials")) {
      config.allow_credentials = to_bool(*credentials).value_or(false);
    }
    out.cors = std::move(config);
  }

  const OpenApiDocument& doc_;
  bool http_;
  OpenApiReporter report_;
  LoadContext& ctx_;
  std::map<std::string, SchemeKind> schemes_;
  std::set<std::string> warned_;
};

}  // namespace

std::shared_ptr<openapi::Definition> read_openapi_definition(const OpenApiDocument& doc,
                                                             bool http_api, const std::string& who,
                                                             LoadContext& ctx) {
  return DocumentReader(doc, http_api, who, ctx).read();
}

void link_openapi_functions(Template& tmpl, Problems& problems) {
  std::map<std::string, const FunctionConfig*> functions;
  for (const auto& function : tmpl.functions) functions[function.name] = &function;
  // function[:qualifier] as the scheduler will look it up; false when not in the template.
  auto link = [&](std::string& function, bool& alias, bool& in_template) {
    const std::string name = function.substr(0, function.find(':'));
    auto found = functions.find(name);
    in_template = found != functions.end();
    if (alias && in_template && found->second->auto_publish_alias) {
      function = name + ":" + *found->second->auto_publish_alias;
    }
    const bool missing_alias = alias && in_template && !found->second->auto_publish_alias;
    alias = false;
    return missing_alias;
  };
  for (ApiConfig& api : tmpl.apis) {
    if (!api.openapi) continue;
    auto linked = std::make_shared<openapi::Definition>(*api.openapi);
    const std::string who = "api '" + api.logical_id + "': " + linked->source + ": ";
    for (openapi::Route& route : linked->routes) {
      openapi::Integration& integration = route.integration;
      if (integration.type != openapi::IntegrationType::kLambdaProxy) continue;
      const int line = linked->source.starts_with("DefinitionBody") ? route.line : api.line;
      if (link(integration.function, integration.function_alias,
               integration.function_in_template)) {
        problems.warning(line, who + route.method + " " + route.path + ": function '" +
                                   integration.function +
                                   "' has no AutoPublishAlias; its .Alias is the function itself");
      }
      if (!integration.function_in_template) {
        problems.warning(line, who + route.method + " " + route.path + ": function '" +
                                   integration.function +
                                   "' is not in this template; requests on this route answer "
                                   "500, as API Gateway does when it cannot invoke the function");
      }
    }
    for (openapi::Authorizer& authorizer : linked->authorizers) {
      if (!authorizer.unusable.empty()) continue;
      link(authorizer.function, authorizer.function_alias, authorizer.function_in_template);
      if (!authorizer.function_in_template) {
        problems.warning(api.line, who + "authorizer '" + authorizer.name + "': function '" +
                                       authorizer.function +
                                       "' is not in this template; the routes it guards answer "
                                       "500");
      }
    }
    api.openapi = std::move(linked);
  }
}

}  // namespace lambdad::deploy
