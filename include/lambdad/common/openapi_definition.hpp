#pragma once
/// @brief An API's OpenAPI document (`DefinitionBody`, `AWS::Include`, `DefinitionUri`) as
/// deploy/ reads it once: typed routes with their integrations, the Lambda authorizers of its
/// security schemes, its API key source and HTTP API CORS. The gateway only consumes these;
/// nothing downstream looks at the document again.
///
/// Thread safety: plain data, built by the template loader, then read-only.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lambdad/common/api_settings.hpp"

namespace lambdad::openapi {

/// What API Gateway does with a matched operation (`x-amazon-apigateway-integration.type`).
enum class IntegrationType {
  kLambdaProxy,  ///< `aws_proxy` to a Lambda function: the gateway invokes it
  kMock,         ///< `mock`: a static answer, computed at load time
  kHttp,         ///< `http_proxy` / `http`: the request is sent on to `uri`
  kUnsupported,  ///< `aws` (VTL templates), AWS service integrations, VPC links: answered 500
};

struct Header {
  std::string name;
  std::string value;
};

struct Integration {
  IntegrationType type = IntegrationType::kLambdaProxy;
  std::string type_name;  ///< as written, lower-case (`aws_proxy`, `mock`, …), for messages

  // kLambdaProxy
  std::string function;              ///< as the scheduler knows it: `name` or `name:qualifier`
  bool function_in_template = true;  ///< false: a warning at load, 500 at request time
  bool function_alias = false;       ///< `${Fn.Alias}`: the loader adds the AutoPublishAlias
  bool payload_v2 = false;           ///< HTTP API `payloadFormatVersion: "2.0"`

  // kHttp
  std::string uri;          ///< the upstream URL, `{name}` / `{name+}` placeholders kept
  std::string http_method;  ///< the upstream method; `ANY`: the request's own
  /// `integration.request.path.X: method.request.path.Y` → {X, Y}: which request path value
  /// fills which placeholder of `uri` (a placeholder not listed takes the value of its own name).
  std::vector<Header> path_mappings;

  // kMock
  int mock_status = 200;
  std::vector<Header> mock_headers;  ///< `responseParameters`, quotes removed
  std::string mock_body;             ///< `responseTemplates` (application/json) as written
  std::string mock_content_type = "application/json";

  // kUnsupported
  std::string unsupported;  ///< what lambdad does not run, for the log

  std::optional<std::chrono::milliseconds> timeout;  ///< `timeoutInMillis`
};

/// A Lambda authorizer's identity source, a Lambda authorizer and CORS have the shapes of the
/// template's (api_settings.hpp): the gateway reads both the same way.
using IdentitySource = api::IdentitySource;
using Authorizer = api::LambdaAuthorizer;
using Cors = api::Cors;

/// One operation (path + method) of the document.
struct Route {
  std::string method;  ///< upper case; `ANY` for `x-amazon-apigateway-any-method`
  std::string path;    ///< `/pets/{id}`, `/{proxy+}`, or `$default` (HTTP API)
  Integration integration;
  std::string authorizer;  ///< the Lambda authorizer guarding it ("" none)
  bool api_key_required = false;
  int line = 0;  ///< in the template, or in the document's file (see Definition::source)
};

struct Definition {
  /// Where it came from, for messages: `DefinitionBody`, or the file as the template names it.
  std::string source;
  std::vector<Route> routes;
  std::vector<Authorizer> authorizers;
  std::string api_key_source;  ///< `x-amazon-apigateway-api-key-source` ("" when unset)
  std::optional<Cors> cors;    ///< HTTP API `x-amazon-apigateway-cors`
};

}  // namespace lambdad::openapi
