#include "openapi.hpp"
#include "yaml_reader.hpp"

namespace lambdad::deploy {

namespace fs = std::filesystem;

namespace {

/// The folder the documents a template names must be inside: the template's, or, for `sam
/// build`'s output (`.aws-sam/build/template.yaml`, whose relative paths sam rewrites to point
/// back into the project), the project's.
fs::path document_root(const fs::path& dir) {
  if (dir.filename() == "build" && dir.parent_path().filename() == ".aws-sam") {
    return dir.parent_path().parent_path();
  }
  return dir;
}

/// A file the template names (`DefinitionUri`, an include's `Location`), read as YAML (JSON is
/// YAML). It must be local and inside the template's folder, as `sam package` would upload it.
std::optional<Node> read_document_file(const Node& location, const std::string& property,
                                       const std::string& who, LoadContext& ctx) {
  if (location.is_invalid()) return std::nullopt;
  if (location.is_map() && !location.unresolved) {
    ctx.error(location.line, who,
              property +
                  ": an S3 location (Bucket/Key) cannot be read by lambdad; use a local file "
                  "beside the template");
    return std::nullopt;
  }
  if (!location.is_scalar() || location.text.empty()) {
    ctx.error(location.line, who, property + " must be a local file, got " + describe(location));
    return std::nullopt;
  }
  if (location.text.starts_with("s3://") || location.text.starts_with("https://") ||
      location.text.starts_with("http://")) {
    ctx.error(location.line, who,
              property + " '" + location.text +
                  "': lambdad reads OpenAPI documents from local files only; put it beside the "
                  "template and name it by a relative path");
    return std::nullopt;
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(document_root(ctx.dir), ec);
  const fs::path file = fs::weakly_canonical(ctx.dir / location.text, ec);
  const fs::path relative = file.lexically_relative(root);
  if (ec || relative.empty() || *relative.begin() == "..") {
    ctx.error(location.line, who,
              property + " '" + location.text + "' is outside the template's folder " +
                  document_root(ctx.dir).string());
    return std::nullopt;
  }
  ctx.documents.push_back(file);  // watched by hot reload, even before it exists
  if (!fs::is_regular_file(file, ec)) {
    ctx.error(location.line, who, property + ": file '" + location.text + "' does not exist");
    return std::nullopt;
  }
  Problems found;
  auto root_node = read_yaml_file(file, found);
  for (const auto& problem : found.errors()) {
    ctx.error(location.line, who,
              property + " '" + location.text + "'" +
                  (problem.line > 0 ? ":" + std::to_string(problem.line) : "") + ": " +
                  problem.message);
  }
  if (found.has_errors()) return std::nullopt;
  return root_node;
}

bool is_transform(const Node& node) {
  return node.unresolved && node.is_map() && node.entries.size() == 1 &&
         node.entries.front().key == "Fn::Transform";
}

/// `Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./api.yaml}}`: the file's
/// content, intrinsics resolved (CloudFormation resolves them after the include).
std::optional<Node> include(const Node& transform, const std::string& who, LoadContext& ctx) {
  const Node& args = transform.entries.front().value;
  const Node* name = args.is_map() ? args.find("Name") : nullptr;
  if (!name || !name->is_scalar() || name->text != "AWS::Include") {
    ctx.error(transform.line, who,
              "DefinitionBody: Fn::Transform: lambdad runs only the AWS::Include transform");
    return std::nullopt;
  }
  const Node* parameters = args.find("Parameters");
  const Node* location =
      parameters && parameters->is_map() ? parameters->find("Location") : nullptr;
  if (!location) {
    ctx.error(transform.line, who, "DefinitionBody: AWS::Include needs Parameters.Location");
    return std::nullopt;
  }
  auto content = read_document_file(*location, "AWS::Include Location", who, ctx);
  if (!content) return std::nullopt;
  auto resolved = ctx.resolver.resolve(at_line(*content, location->line), who);
  if (!resolved) return Node::invalid(location->line);  // the whole file was AWS::NoValue
  return resolved;
}

/// Includes anywhere inside the document (the top-level one is load_openapi_document's).
void expand_includes(Node& node, const std::string& who, LoadContext& ctx) {
  if (is_transform(node)) {
    if (auto content = include(node, who, ctx)) {
      node = *std::move(content);
    } else {
      node = Node::invalid(node.line);
    }
    return;
  }
  for (Node& item : node.items) expand_includes(item, who, ctx);
  for (NodeEntry& entry : node.entries) expand_includes(entry.value, who, ctx);
}

}  // namespace

std::optional<OpenApiDocument> load_openapi_document(const Node& properties, const std::string& who,
                                                     LoadContext& ctx) {
  const Node* body = properties.find("DefinitionBody");
  const Node* uri = properties.find("DefinitionUri");
  if (body && body->is_null()) body = nullptr;
  if (uri && uri->is_null()) uri = nullptr;
  if (body && uri) {
    ctx.error(uri->line, who,
              "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.");
    return std::nullopt;
  }
  if (uri) {
    auto root = read_document_file(*uri, "DefinitionUri", who, ctx);
    if (!root) return std::nullopt;
    return OpenApiDocument{.root = *std::move(root),
                           .source = uri->text,
                           .file_lines = true,
                           .anchor_line = uri->line};
  }
  if (!body || body->is_invalid()) return std::nullopt;
  if (is_transform(*body)) {
    const Node& args = body->entries.front().value;
    const Node* parameters = args.is_map() ? args.find("Parameters") : nullptr;
    const Node* location =
        parameters && parameters->is_map() ? parameters->find("Location") : nullptr;
    auto root = include(*body, who, ctx);
    if (!root) return std::nullopt;
    expand_includes(*root, who, ctx);
    // Lines point at the Location (see at_line); messages name the file.
    return OpenApiDocument{.root = *std::move(root),
                           .source = "DefinitionBody (AWS::Include '" +
                                     (location ? location->text : std::string()) + "')",
                           .anchor_line = body->line};
  }
  OpenApiDocument doc{.root = *body, .source = "DefinitionBody", .anchor_line = body->line};
  expand_includes(doc.root, who, ctx);
  return doc;
}

std::string OpenApiReporter::where(int line, const std::string& message) const {
  if (doc_.file_lines) return doc_.source + ":" + std::to_string(line) + ": " + message;
  return doc_.source + ": " + message;
}

void OpenApiReporter::error(int line, const std::string& message) const {
  ctx_.error(doc_.file_lines ? doc_.anchor_line : line, who_, where(line, message));
}

void OpenApiReporter::warning(int line, const std::string& message) const {
  ctx_.warning(doc_.file_lines ? doc_.anchor_line : line, who_, where(line, message));
}

std::shared_ptr<const openapi::Definition> read_openapi(const Node& properties, bool http_api,
                                                        const std::string& who, LoadContext& ctx) {
  auto doc = load_openapi_document(properties, who, ctx);
  if (!doc) return nullptr;
  return read_openapi_definition(*doc, http_api, who, ctx);
}

}  // namespace lambdad::deploy
