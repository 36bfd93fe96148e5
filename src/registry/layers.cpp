// Layer versions: published through the API (PublishLayerVersion's zip, kept in the CodeStore
// as a function's upload is, rows in registry_layer_versions), and the template's
// AWS::Serverless::LayerVersion folders, shown as version 1 of their folder's name (the name
// resolve_layers knows them by).

#include <fstream>
#include <sstream>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

namespace fs = std::filesystem;

std::function<StagedCode()> stage_layer_job(const CodeStore& code, std::string zip) {
  return [&code, zip = std::move(zip)] { return code.stage(zip); };
}

std::function<bool()> put_layer_job(RegistryDb* db, LayerVersion layer) {
  return [db, layer = std::move(layer)] {
    put_layer(db->db(), layer);
    return true;
  };
}

std::function<bool()> delete_layer_job(RegistryDb* db, std::string name, int version) {
  return [db, name = std::move(name), version] {
    delete_layer(db->db(), name, version);
    return true;
  };
}

AwsError layer_not_found() {
  return {404, "ResourceNotFoundException", "The resource you requested does not exist."};
}

}  // namespace

std::optional<fs::path> Registry::published_layer(const std::string& name, int version) const {
  const auto it = stored_->layers.find(name);
  if (it == stored_->layers.end()) return std::nullopt;
  const auto v = it->second.find(version);
  if (v == it->second.end()) return std::nullopt;
  return v->second.dir;
}

std::optional<LayerVersion> Registry::layer_version(const std::string& name, int version) const {
  if (const auto it = stored_->layers.find(name); it != stored_->layers.end()) {
    if (const auto v = it->second.find(version); v != it->second.end()) return v->second;
  }
  if (version != 1) return std::nullopt;
  for (const auto& [function, record] : records_) {
    if (record.origin != Origin::kTemplate) continue;
    for (const auto& folder : record.config.layers) {
      if (folder.filename() != name) continue;
      LayerVersion layer;
      layer.name = name;
      layer.version = 1;
      layer.dir = folder;
      layer.from_template = true;
      layer.created_ms = record.last_modified_ms;
      layer.compatible_runtimes = {record.config.runtime};
      return layer;
    }
  }
  return std::nullopt;
}

std::vector<LayerVersion> Registry::layer_versions(const std::string& name) const {
  std::vector<LayerVersion> versions;
  if (const auto it = stored_->layers.find(name); it != stored_->layers.end()) {
    for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) versions.push_back(v->second);
  }
  if (versions.empty() || versions.back().version != 1) {
    if (auto first = layer_version(name, 1)) versions.push_back(*first);
  }
  return versions;
}

std::vector<std::string> Registry::layer_names() const {
  std::set<std::string> names;
  for (const auto& [name, versions] : stored_->layers) {
    if (!versions.empty()) names.insert(name);
  }
  for (const auto& [function, record] : records_) {
    if (record.origin != Origin::kTemplate) continue;
    for (const auto& folder : record.config.layers) names.insert(folder.filename().string());
  }
  return {names.begin(), names.end()};
}

boost::asio::awaitable<LayerVersion> Registry::publish_layer(PublishLayerRequest request) {
  const std::string name = request.name;
  int& last = stored_->last_layer_version[name];
  // A template's layer of that name is version 1.
  if (last == 0 && layer_version(name, 1)) last = 1;
  const int version = ++last;  // taken now: a second publish meanwhile gets the next one
  LayerVersion layer;
  layer.name = name;
  layer.version = version;
  layer.description = std::move(request.description);
  layer.license_info = std::move(request.license_info);
  layer.compatible_runtimes = std::move(request.compatible_runtimes);
  layer.compatible_architectures = std::move(request.compatible_architectures);
  try {
    std::function<StagedCode()> stage = stage_layer_job(code_, std::move(request.zip));
    const StagedCode staged = co_await thread_->run<StagedCode>(std::move(stage));
    layer.code_hex = staged.hex;
    layer.code_sha256 = staged.base64;
    layer.code_size = staged.size;
    layer.dir = staged.dir;
    layer.created_ms = now();
    std::function<bool()> put = put_layer_job(thread_->db.get(), layer);
    co_await thread_->run<bool>(std::move(put));
  } catch (...) {
    // A refused publish takes no number (unless a later publish took the next one meanwhile).
    if (stored_->last_layer_version[name] == version) --stored_->last_layer_version[name];
    throw;
  }
  stored_->layers[name][version] = layer;
  co_return layer;
}

boost::asio::awaitable<void> Registry::delete_layer_version(std::string name, int version) {
  const auto it = stored_->layers.find(name);
  if (it == stored_->layers.end() || !it->second.contains(version)) {
    if (auto layer = layer_version(name, version); layer && layer->from_template) {
      throw AwsError(
          409, "ResourceConflictException",
          "Layer " + name + " is declared by the template, which owns it: remove it there",
          AwsError::Key::kmessage);
    }
    co_return;  // AWS answers 204 for a version that is not there
  }
  std::function<bool()> job = delete_layer_job(thread_->db.get(), name, version);
  co_await thread_->run<bool>(std::move(job));
  // The code folder stays: a function using the version keeps it (the start-up sweep removes
  // it once none does).
  if (auto again = stored_->layers.find(name); again != stored_->layers.end()) {
    again->second.erase(version);
    if (again->second.empty()) stored_->layers.erase(again);
  }
}

boost::asio::awaitable<std::string> Registry::layer_zip(std::string name, int version) {
  const std::optional<LayerVersion> layer = layer_version(name, version);
  if (!layer) throw layer_not_found();
  const fs::path zip = layer->code_hex.empty() ? fs::path() : code_.zip_file(layer->code_hex);
  std::function<std::string()> job = read_code_job(code_, zip, layer->dir);
  co_return co_await thread_->run<std::string>(std::move(job));
}

}  // namespace lambdad::registry
