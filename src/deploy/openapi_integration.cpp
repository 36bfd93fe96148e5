#include <algorithm>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/regex.hpp"
#include "openapi.hpp"

namespace lambdad::deploy {

namespace {

// In the text built from a Fn::Sub, a reference to a function resource of the template: its
// logical id between two \x01, and \x02 for "its AutoPublishAlias".
constexpr char kResource = '\x01';
constexpr char kAlias = '\x02';

std::string resource_arn(const std::string& logical_id) {
  return "arn:aws:lambda:region:account:function:" + std::string(1, kResource) + logical_id +
         kResource;
}

/// `!GetAtt X.Arn` (long form, as the resolver keeps it): X.
std::optional<std::string> get_att_arn(const Node& node) {
  if (!node.unresolved || node.entries.front().key != "Fn::GetAtt") return std::nullopt;
  const auto& args = node.entries.front().value.items;
  if (args.size() != 2 || !args[0].is_scalar() || !args[1].is_scalar()) return std::nullopt;
  if (args[1].text != "Arn") return std::nullopt;
  return args[0].text;
}

/// A `${name}` of a Fn::Sub the resolver could not finish (one of them is a GetAtt).
std::optional<std::string> sub_value(const std::string& name, const Node& variables,
                                     LoadContext& ctx) {
  if (const Node* value = variables.is_map() ? variables.find(name) : nullptr) {
    if (value->is_scalar()) return value->text;
    if (auto resource = get_att_arn(*value)) return resource_arn(*resource);
    return std::nullopt;
  }
  const auto& inputs = ctx.resolver.inputs();
  if (auto it = inputs.pseudo.find(name); it != inputs.pseudo.end() && it->second.is_scalar()) {
    return it->second.text;
  }
  if (auto it = inputs.parameters.find(name);
      it != inputs.parameters.end() && it->second.value && it->second.value->is_scalar()) {
    return it->second.value->text;
  }
  const size_t dot = name.find('.');
  const std::string resource = name.substr(0, dot);
  if (!ctx.resource_types.contains(resource) && !inputs.resource_types.contains(resource)) {
    return std::nullopt;
  }
  if (dot == std::string::npos) return std::string(1, kResource) + resource + kResource;
  const std::string attribute = name.substr(dot + 1);
  if (attribute == "Arn") return resource_arn(resource);
  if (attribute == "Alias") return resource_arn(resource) + ":" + kAlias;
  return std::nullopt;
}

/// The URI as text, with references to the template's functions marked.
/// A plain string with `${Fn.Arn}` is read as a Fn::Sub too: a DefinitionUri file is not resolved
/// by CloudFormation, but sam local follows such references, and so does lambdad.
std::optional<std::string> uri_text(const Node& uri, LoadContext& ctx) {
  if (uri.is_scalar() && uri.text.find("${") == std::string::npos) return uri.text;
  if (auto resource = get_att_arn(uri)) return resource_arn(*resource);
  const Node* text = &uri;
  Node no_variables = Node::map(uri.line);
  const Node* variables = &no_variables;
  if (!uri.is_scalar()) {
    if (!uri.unresolved || uri.entries.front().key != "Fn::Sub") return std::nullopt;
    const Node& arg = uri.entries.front().value;
    text = &arg;
    if (arg.is_list() && arg.items.size() == 2) {
      text = &arg.items[0];
      variables = &arg.items[1];
    }
  }
  if (!text->is_scalar()) return std::nullopt;
  std::string out;
  size_t pos = 0;
  const std::string& s = text->text;
  while (pos < s.size()) {
    const size_t open = s.find("${", pos);
    const size_t close = open == std::string::npos ? open : s.find('}', open + 2);
    if (close == std::string::npos) {
      out += s.substr(pos);
      break;
    }
    out += s.substr(pos, open - pos);
    std::string name = s.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name.starts_with('!')) {
      out += "${" + name.substr(1) + "}";
    } else if (auto value = sub_value(name, *variables, ctx)) {
      out += *value;
    } else {
      return std::nullopt;
    }
    pos = close + 1;
  }
  return out;
}

}  // namespace

std::optional<FunctionRef> lambda_uri_function(const Node& uri, LoadContext& ctx,
                                               std::string& why) {
  auto text = uri_text(uri, ctx);
  if (!text) {
    why = "its uri (" + describe(uri) + ") does not say which function";
    return std::nullopt;
  }
  std::string arn = *text;
  // arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations
  if (const size_t path = arn.find(":lambda:path/"); path != std::string::npos) {
    const size_t from = arn.find("/functions/", path);
    const size_t to = arn.rfind("/invocations");
    if (from == std::string::npos || to == std::string::npos || to <= from + 11) {
      why = "its uri '" + *text + "' is not a Lambda invocation path";
      return std::nullopt;
    }
    arn = arn.substr(from + 11, to - from - 11);
  }
  std::string rest = arn;
  if (arn.starts_with("arn:")) {
    const size_t function = arn.find(":function:");
    if (function == std::string::npos || arn.find(":lambda:") == std::string::npos) {
      why = "its uri '" + *text + "' names no Lambda function";
      return std::nullopt;
    }
    rest = arn.substr(function + 10);
  }
  FunctionRef ref;
  const size_t colon = rest.find(':');
  ref.name = rest.substr(0, colon);
  if (colon != std::string::npos) ref.qualifier = rest.substr(colon + 1);
  if (ref.qualifier == std::string(1, kAlias)) {
    ref.qualifier.clear();
    ref.alias = true;
  }
  if (ref.name.size() > 2 && ref.name.front() == kResource && ref.name.back() == kResource) {
    const std::string logical_id = ref.name.substr(1, ref.name.size() - 2);
    if (!ctx.is_type(logical_id, "AWS::Serverless::Function")) {
      why = "its uri refers to '" + logical_id + "', which is not an AWS::Serverless::Function";
      return std::nullopt;
    }
    const auto& reference = ctx.resolver.inputs().reference;
    auto value = reference ? reference(logical_id, nullptr) : std::nullopt;
    ref.name = value && value->value ? *value->value : logical_id;
  }
  if (ref.name.empty() || ref.name.find_first_of("\x01\x02") != std::string::npos) {
    why = "its uri '" + *text + "' names no Lambda function";
    return std::nullopt;
  }
  return ref;
}

std::optional<std::string> aws_service_of(const Node& uri, LoadContext& ctx) {
  // arn:PARTITION:apigateway:REGION:SERVICE:path/… or …:SERVICE:action/… (split by hand: a
  // regex here costs more than the rest of reading a route, and documents have thousands).
  const std::string text = uri_text(uri, ctx).value_or("");
  std::vector<std::string_view> fields;
  std::string_view rest = text;
  while (fields.size() < 5) {
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    fields.push_back(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn" || fields[2] != "apigateway" || fields[4].empty() ||
      fields[4] == "lambda" || !(rest.starts_with("path/") || rest.starts_with("action/"))) {
    return std::nullopt;
  }
  return std::string(fields[4]);
}

namespace {

std::string text_of(const Node* node) {
  return node && node->is_scalar() ? node->text : "";
}

/// An HTTP status code, written as a number or a string.
std::optional<int> to_integer_text(const Node* node) {
  if (!node || !node->is_scalar()) return std::nullopt;
  auto value = to_integer(*node);
  if (!value || *value < 100 || *value > 599) return std::nullopt;
  return static_cast<int>(*value);
}

/// `'value'` → value; other mapping expressions (`integration.response.header.X`) → nullopt.
std::optional<std::string> static_value(const std::string& value) {
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    return value.substr(1, value.size() - 2);
  }
  return std::nullopt;
}

void read_mock(const Node& spec, const std::string& route, const OpenApiReporter& report,
               openapi::Integration& out) {
  // The request template's statusCode picks the integration response; no VTL runs beyond that.
  int integration_status = 200;
  if (const Node* templates = spec.find("requestTemplates"); templates && templates->is_map()) {
    static const std::regex kStatus(R"re("?statusCode"?\s*:\s*"?(\d{3}))re");
    const Node* chosen = templates->find("application/json");
    if (!chosen && !templates->entries.empty()) chosen = &templates->entries.front().value;
    std::smatch match;
    if (chosen && chosen->is_scalar() && std::regex_search(chosen->text, match, kStatus)) {
      integration_status = std::stoi(match[1]);
    }
  }
  out.mock_status = integration_status;
  const Node* responses = spec.find("responses");
  if (!responses || !responses->is_map()) return;
  const Node* response = nullptr;
  const std::string status = std::to_string(integration_status);
  for (const auto& [pattern, value] : responses->entries) {
    if (pattern == "default") continue;
    try {
      if (std::regex_match(status, std::regex(pattern))) {
        response = &value;
        break;
      }
    } catch (const std::regex_error&) {
      report.warning(value.line, route + ": response selection pattern '" + pattern +
                                     "' is not a valid regular expression");
    }
  }
  if (!response) response = responses->find("default");
  if (!response || !response->is_map()) return;
  if (auto code = to_integer_text(response->find("statusCode"))) out.mock_status = *code;
  if (const Node* parameters = response->find("responseParameters");
      parameters && parameters->is_map()) {
    for (const auto& [name, value] : parameters->entries) {
      constexpr std::string_view kPrefix = "method.response.header.";
      if (!name.starts_with(kPrefix)) continue;
      auto literal = value.is_scalar() ? static_value(value.text) : std::nullopt;
      if (!literal) {
        report.warning(value.line, route + ": mock response parameter " + name +
                                       " is not a quoted static value; lambdad leaves it out");
        continue;
      }
      out.mock_headers.push_back({name.substr(kPrefix.size()), *literal});
    }
  }
  if (const Node* templates = response->find("responseTemplates");
      templates && templates->is_map() && !templates->entries.empty()) {
    const Node* body = templates->find("application/json");
    out.mock_content_type = "application/json";
    if (!body) {
      body = &templates->entries.front().value;
      out.mock_content_type = templates->entries.front().key;
    }
    if (body->is_scalar()) out.mock_body = body->text;
  }
}

void read_http(const Node& spec, bool http_api, const std::string& route,
               const OpenApiReporter& report, openapi::Integration& out) {
  const Node* uri = spec.find("uri");
  out.uri = text_of(uri);
  if (!out.uri.starts_with("http://") && !out.uri.starts_with("https://")) {
    out.type = openapi::IntegrationType::kUnsupported;
    out.unsupported = "an " + out.type_name + " integration whose uri is not an http(s) URL";
    return;
  }
  out.http_method = ascii_upper(text_of(spec.find("httpMethod")));
  if (out.http_method.empty()) out.http_method = http_api ? "ANY" : "GET";
  if (const Node* parameters = spec.find("requestParameters"); parameters && parameters->is_map()) {
    for (const auto& [name, value] : parameters->entries) {
      constexpr std::string_view kTarget = "integration.request.path.";
      constexpr std::string_view kSource = "method.request.path.";
      if (!name.starts_with(kTarget)) continue;
      if (!value.is_scalar() || !value.text.starts_with(kSource)) {
        report.warning(value.line, route + ": request parameter " + name +
                                       " is not a method.request.path value; lambdad leaves it "
                                       "out");
        continue;
      }
      out.path_mappings.push_back({name.substr(kTarget.size()), value.text.substr(kSource.size())});
    }
  }
  if (spec.find("requestTemplates") || spec.find("responseTemplates")) {
    report.warning(spec.line, route + ": lambdad sends " + out.type_name +
                                  " integrations on as a proxy; their mapping templates are not "
                                  "applied");
  }
}

}  // namespace

openapi::Integration read_integration(const Node& spec, bool http_api, const std::string& route,
                                      const OpenApiReporter& report) {
  using openapi::IntegrationType;
  openapi::Integration out;
  out.type_name = ascii_lower(text_of(spec.find("type")));
  if (const Node* millis = spec.find("timeoutInMillis")) {
    if (auto value = to_integer(*millis); value && *value >= 50) {
      out.timeout = std::chrono::milliseconds(*value);
    }
  }
  const Node* uri = spec.find("uri");
  const std::string connection = text_of(spec.find("connectionType"));
  if (ascii_upper(connection) == "VPC_LINK") {
    out.type = IntegrationType::kUnsupported;
    out.unsupported = "a VPC link integration";
    return out;
  }
  if (out.type_name == "mock") {
    out.type = IntegrationType::kMock;
    read_mock(spec, route, report, out);
    return out;
  }
  if (out.type_name == "http" || out.type_name == "http_proxy") {
    out.type = IntegrationType::kHttp;
    read_http(spec, http_api, route, report, out);
    return out;
  }
  out.type = IntegrationType::kUnsupported;
  if (out.type_name == "aws_proxy") {
    if (const Node* subtype = spec.find("integrationSubtype")) {
      out.unsupported = "an AWS service integration (" + text_of(subtype) + ")";
      return out;
    }
    if (auto service = uri ? aws_service_of(*uri, report.ctx()) : std::nullopt) {
      out.unsupported = "an AWS service integration (" + *service + ")";
      return out;
    }
    std::string why = "it has no uri";
    auto ref = uri ? lambda_uri_function(*uri, report.ctx(), why) : std::nullopt;
    if (!ref) {
      out.unsupported = "an aws_proxy integration lambdad cannot follow: " + why;
      return out;
    }
    out.type = IntegrationType::kLambdaProxy;
    out.function = ref->qualifier.empty() ? ref->name : ref->name + ":" + ref->qualifier;
    out.function_alias = ref->alias;
    if (http_api) {
      // AWS's default when an imported Lambda integration does not say (CloudFormation and the
      // API require the field; the import takes 1.0).
      const Node* version = spec.find("payloadFormatVersion");
      const std::string text = text_of(version);
      if (version && text != "1.0" && text != "2.0") {
        report.warning(version->line, route +
                                          ": payloadFormatVersion must be \"1.0\" or "
                                          "\"2.0\"; lambdad uses 1.0");
      }
      out.payload_v2 = text == "2.0";
    }
    return out;
  }
  if (out.type_name == "aws") {
    auto service = uri ? aws_service_of(*uri, report.ctx()) : std::nullopt;
    out.unsupported = service ? "an AWS service integration (" + *service + ")"
                              : "a non-proxy Lambda integration (type aws, VTL mapping templates)";
    return out;
  }
  out.unsupported = out.type_name.empty() ? "an integration without a type"
                                          : "an integration of type '" + out.type_name + "'";
  return out;
}

}  // namespace lambdad::deploy
