// The layers group: PublishLayerVersion, GetLayerVersion (and GetLayerVersionByArn),
// ListLayerVersions, ListLayers, DeleteLayerVersion, and the download behind a version's
// Content.Location. Published versions are zips in the registry's CodeStore; a template's
// layer folders show as version 1 of their folder's name (registry/layers.cpp).

#include <charconv>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "download_urls.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/common/platform_log.hpp"
#include "lambdad/common/regex.hpp"
#include "lambdad/control_api/function_request.hpp"
#include "lambdad/control_api/stored_request.hpp"
#include "lambdad/registry/code_store.hpp"
#include "lambdad/registry/registry.hpp"
#include "router.hpp"

namespace lambdad::control_api {
namespace {

namespace asio = boost::asio;

std::string layer_arn(const std::string& name) {
  return "arn:aws:lambda:" + region() + ":" + kAccountId + ":layer:" + name;
}

std::string created_date(long long ms) {
  std::string text = iso8601_ms(ms);
  return text.substr(0, text.size() - 1) + "+0000";
}

AwsError layer_not_found() {
  return {404, "ResourceNotFoundException", "The resource you requested does not exist."};
}

/// A ListLayerVersions entry (no Content, no LayerArn), as AWS lists them.
nlohmann::json version_entry(const registry::LayerVersion& l) {
  nlohmann::json entry = {
      {"LayerVersionArn", layer_arn(l.name) + ":" + std::to_string(l.version)},
      {"Version", l.version},
      {"CreatedDate", created_date(l.created_ms)},
      {"CompatibleRuntimes", l.compatible_runtimes},
      {"CompatibleArchitectures", l.compatible_architectures},
  };
  if (!l.description.empty()) entry["Description"] = l.description;
  if (!l.license_info.empty()) entry["LicenseInfo"] = l.license_info;
  return entry;
}

std::string layer_key(const std::string& name, int version) {
  return "layer/" + name + "/" + std::to_string(version);
}

std::string layer_url(const ApiState& api, const Call& call, const std::string& name, int version) {
  return signed_url(api, call, "/_lambdad/layers/" + name + "/" + std::to_string(version),
                    layer_key(name, version));
}

asio::awaitable<http::Response> describe_version(ApiState& api, Call& call,
                                                 const registry::LayerVersion& l, unsigned status) {
  std::string sha = l.code_sha256;
  uint64_t size = l.code_size;
  if (l.from_template) {
    // A template's folder has no zip: summarise the zip its download serves.
    const std::string zip = co_await registry_of(api).layer_zip(l.name, l.version);
    sha = base64_encode(registry::sha256(zip));
    size = zip.size();
  }
  nlohmann::json body = version_entry(l);
  body["LayerArn"] = layer_arn(l.name);
  body["Content"] = {{"Location", layer_url(api, call, l.name, l.version)},
                     {"CodeSha256", sha},
                     {"CodeSize", size}};
  co_return json_response(call.request, status, body, call.request_id);
}

size_t max_items_of(const Call& call) {
  const std::string text = query_param(call.query, "MaxItems");
  size_t max_items = 50;
  if (text.empty()) return max_items;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), max_items);
  if (ec != std::errc() || p != text.data() + text.size() || max_items < 1 || max_items > 50) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value '" + text.substr(0, 32) +
                       "' at 'maxItems' failed to satisfy constraint: Member must have value "
                       "between 1 and 50",
                   AwsError::Key::kmessage);
  }
  return max_items;
}

/// ListLayers' and ListLayerVersions' filters.
bool matches(const registry::LayerVersion& l, const std::string& runtime,
             const std::string& architecture) {
  const auto has = [](const std::vector<std::string>& list, const std::string& value) {
    return value.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  return has(l.compatible_runtimes, runtime) && has(l.compatible_architectures, architecture);
}

void check_filters(const std::string& runtime, const std::string& architecture) {
  if (runtime.size() > 64) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value at 'compatibleRuntime' failed to "
                   "satisfy constraint: Member must have length less than or equal to 64",
                   AwsError::Key::kmessage);
  }
  if (!architecture.empty() && architecture != "x86_64" && architecture != "arm64") {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value '" + architecture.substr(0, 32) +
                       "' at 'compatibleArchitecture' failed to satisfy constraint: Member must "
                       "satisfy enum value set: [x86_64, arm64]",
                   AwsError::Key::kmessage);
  }
}

std::function<registry::PublishLayerRequest()> parse_publish(std::string body, std::string name) {
  return [body = std::move(body), name = std::move(name)] {
    return publish_layer_request(parse_body(body), name);
  };
}

template <typename T>
asio::awaitable<T> parse_job(std::function<T()> job) {
  co_return job();
}

/// A version by its ARN (GetLayerVersionByArn).
std::pair<std::string, int> parse_version_arn(const std::string& arn) {
  static const std::regex pattern(
      R"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+):([0-9]+))");
  std::smatch match;
  if (arn.size() > 140 || !std::regex_match(arn, match, pattern)) {
    throw AwsError(400, "ValidationException",
                   "1 validation error detected: Value '" + arn.substr(0, 140) +
                       "' at 'arn' failed to satisfy constraint: Member must satisfy regular "
                       "expression pattern: "
                       "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
                   AwsError::Key::kmessage);
  }
  return {match[1].str(), static_cast<int>(layer_version_number(match[2].str()))};
}

}  // namespace

http::asio::awaitable<http::Response> publish_layer_version(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  std::string name = layer_name(path_param(call.params[0]));
  std::function<registry::PublishLayerRequest()> parse =
      parse_publish(std::move(call.request.body()), std::move(name));
  auto request = co_await asio::co_spawn(
      api.readers, parse_job<registry::PublishLayerRequest>(std::move(parse)), asio::use_awaitable);
  const registry::LayerVersion layer = co_await registry.publish_layer(std::move(request));
  co_return co_await describe_version(api, call, layer, 201);
}

http::asio::awaitable<http::Response> get_layer_version(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = layer_name(path_param(call.params[0]));
  const long long version = layer_version_number(path_param(call.params[1]));
  const auto layer = registry.layer_version(name, static_cast<int>(version));
  if (!layer) throw layer_not_found();
  co_return co_await describe_version(api, call, *layer, 200);
}

http::asio::awaitable<http::Response> delete_layer_version(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = layer_name(path_param(call.params[0]));
  const long long version = layer_version_number(path_param(call.params[1]));
  if (version > 0) co_await registry.delete_layer_version(name, static_cast<int>(version));
  http::Response r{http::bhttp::status::no_content, call.request.version()};
  r.keep_alive(call.request.keep_alive());
  r.set("x-amzn-RequestId", call.request_id);
  co_return r;
}

http::asio::awaitable<http::Response> list_layer_versions(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = layer_name(path_param(call.params[0]));
  const std::string runtime = query_param(call.query, "CompatibleRuntime");
  const std::string architecture = query_param(call.query, "CompatibleArchitecture");
  check_filters(runtime, architecture);
  const size_t max_items = max_items_of(call);
  const long long marker = layer_version_number(query_param(call.query, "Marker"));
  nlohmann::json list = nlohmann::json::array();
  std::string next_marker;
  for (const auto& l : registry.layer_versions(name)) {  // newest first
    if (marker > 0 && l.version >= marker) continue;
    if (!matches(l, runtime, architecture)) continue;
    if (list.size() == max_items) {
      next_marker = std::to_string(l.version + 1);
      break;
    }
    list.push_back(version_entry(l));
  }
  nlohmann::json body = {{"LayerVersions", list}};
  if (!next_marker.empty()) body["NextMarker"] = next_marker;
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> list_layers(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  if (query_param(call.query, "find") == "LayerVersion") {
    // GetLayerVersionByArn shares ListLayers' path.
    const auto [name, version] = parse_version_arn(query_param(call.query, "Arn"));
    const auto layer = registry.layer_version(name, version);
    if (!layer) throw layer_not_found();
    co_return co_await describe_version(api, call, *layer, 200);
  }
  const std::string runtime = query_param(call.query, "CompatibleRuntime");
  const std::string architecture = query_param(call.query, "CompatibleArchitecture");
  check_filters(runtime, architecture);
  const size_t max_items = max_items_of(call);
  const std::string marker = query_param(call.query, "Marker");
  nlohmann::json list = nlohmann::json::array();
  std::string next_marker;
  std::string last;
  for (const auto& name : registry.layer_names()) {
    if (!marker.empty() && name <= marker) continue;
    std::optional<registry::LayerVersion> latest;
    for (const auto& l : registry.layer_versions(name)) {
      if (matches(l, runtime, architecture)) {
        latest = l;
        break;
      }
    }
    if (!latest) continue;
    if (list.size() == max_items) {
      next_marker = last;
      break;
    }
    list.push_back({{"LayerName", name},
                    {"LayerArn", layer_arn(name)},
                    {"LatestMatchingVersion", version_entry(*latest)}});
    last = name;
  }
  nlohmann::json body = {{"Layers", list}};
  if (!next_marker.empty()) body["NextMarker"] = next_marker;
  co_return json_response(call.request, 200, body, call.request_id);
}

http::asio::awaitable<http::Response> download_layer(ApiState& api, Call& call) {
  registry::Registry& registry = registry_of(api);
  const std::string name = path_param(call.params[0]);
  const long long version = layer_version_number(path_param(call.params[1]));
  check_signed_url(api, call, layer_key(name, static_cast<int>(version)), "layer",
                   "GetLayerVersion");
  std::string zip = co_await registry.layer_zip(name, static_cast<int>(version));
  auto r = http::make_response(call.request, 200, std::move(zip), "application/zip");
  r.set("x-amzn-RequestId", call.request_id);
  r.set(http::bhttp::field::content_disposition,
        "attachment; filename=\"" + name + "-" + std::to_string(version) + ".zip\"");
  co_return r;
}

}  // namespace lambdad::control_api
