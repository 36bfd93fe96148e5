#pragma once
/// @brief OpenAPI documents of `AWS::Serverless::Api` / `HttpApi` resources, read once into the
/// typed definition the gateway serves (include/lambdad/common/openapi_definition.hpp).
///
/// - openapi_source.cpp finds the document: `DefinitionBody` (inline, intrinsics resolved, with
///   `Fn::Transform: AWS::Include` of a local file), or `DefinitionUri` (a local YAML / JSON file,
///   read as written: CloudFormation resolves no intrinsics there).
/// - openapi_document.cpp reads its paths, operations, security schemes and extensions.
/// - openapi_integration.cpp reads each `x-amazon-apigateway-integration`, and the function a
///   Lambda URI names.
/// The files a template names must be inside the template's folder.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// The document, and how to point at a place in it.
struct OpenApiDocument {
  Node root;
  std::string source;       ///< `DefinitionBody`, or the file as the template names it
  bool file_lines = false;  ///< node lines are the file's (DefinitionUri), not the template's
  int anchor_line = 0;      ///< the template line of the property that named the file
};

/// Reads who's problems in a document: at the template line, or at the property naming the file
/// with the file's line in the message.
class OpenApiReporter {
 public:
  OpenApiReporter(const OpenApiDocument& doc, std::string who, LoadContext& ctx)
      : doc_(doc), who_(std::move(who)), ctx_(ctx) {}
  void error(int line, const std::string& message) const;
  void warning(int line, const std::string& message) const;
  LoadContext& ctx() const { return ctx_; }

 private:
  std::string where(int line, const std::string& message) const;
  const OpenApiDocument& doc_;
  std::string who_;
  LoadContext& ctx_;
};

/// openapi_source.cpp: the API's document; nullopt when it has none or it cannot be read
/// (reported). `who`: "api 'MyApi'".
std::optional<OpenApiDocument> load_openapi_document(const Node& properties, const std::string& who,
                                                     LoadContext& ctx);

/// openapi_document.cpp: the routes, authorizers and settings of a document (problems reported).
std::shared_ptr<openapi::Definition> read_openapi_definition(const OpenApiDocument& doc,
                                                             bool http_api, const std::string& who,
                                                             LoadContext& ctx);

/// Both of the above; nullptr when the API has no document.
std::shared_ptr<const openapi::Definition> read_openapi(const Node& properties, bool http_api,
                                                        const std::string& who, LoadContext& ctx);

/// A function a Lambda URI names.
struct FunctionRef {
  std::string name;       ///< as the scheduler knows it (without qualifier)
  std::string qualifier;  ///< "" none
  bool alias = false;     ///< `${Fn.Alias}`: the qualifier is the function's AutoPublishAlias
};

/// openapi_integration.cpp: reads one `x-amazon-apigateway-integration` (`route`: `GET /pets`).
openapi::Integration read_integration(const Node& spec, bool http_api, const std::string& route,
                                      const OpenApiReporter& report);

/// The function an `arn:aws:apigateway:…:lambda:path/2015-03-31/functions/ARN/invocations` URI
/// or a function ARN names, written as a string, `!GetAtt Fn.Arn` or a `Fn::Sub` (string or list
/// form; `${Fn.Arn}`, `${Fn.Alias}`, `${Fn}`). nullopt when it names none; `why` then says so.
std::optional<FunctionRef> lambda_uri_function(const Node& uri, LoadContext& ctx, std::string& why);

/// Whether a URI is an API Gateway service URI for a service other than Lambda (`sqs`,
/// `states`, `dynamodb`, …); its service then.
std::optional<std::string> aws_service_of(const Node& uri, LoadContext& ctx);

/// Once every function is read: aliases filled in (`${Fn.Alias}`) and every Lambda target that
/// is not a function of the template warned of (its requests answer 500).
void link_openapi_functions(Template& tmpl, Problems& problems);

}  // namespace lambdad::deploy
