#include "lambdad/control_api/function_json.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "lambdad/common/encoding.hpp"
#include "lambdad/common/ids.hpp"

namespace lambdad::control_api {
namespace {

namespace fs = std::filesystem;

struct CodeSummary {
  uint64_t size = 0;
  std::string sha256;  ///< base64, over the files' paths and contents
};

// There is no zip behind a folder deploy, so the hash covers what a zip would hold.
CodeSummary summarize(const fs::path& dir) {
  CodeSummary summary;
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  for (const auto& file : files) {
    std::string rel = fs::relative(file, dir, ec).string();
    EVP_DigestUpdate(ctx.get(), rel.data(), rel.size() + 1);
    summary.size += fs::file_size(file, ec);
    if (FILE* f = std::fopen(file.c_str(), "rb")) {
      char buffer[65536];
      size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
        EVP_DigestUpdate(ctx.get(), buffer, n);
      std::fclose(f);
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  summary.sha256 = base64_encode({reinterpret_cast<char*>(digest), length});
  return summary;
}

/// `version`: the function's code fingerprint; a hot reload that changed the code changes it.
const CodeSummary& summary_of(const fs::path& dir, const std::string& version) {
  static std::map<fs::path, std::pair<std::string, CodeSummary>> cache;
  auto it = cache.find(dir);
  if (it == cache.end() || it->second.first != version) {
    it = cache.insert_or_assign(dir, std::pair(version, summarize(dir))).first;
  }
  return it->second.second;
}

}  // namespace

nlohmann::json function_configuration(const scheduler::FunctionInfo& function,
                                      const registry::FunctionRecord* record) {
  const FunctionConfig& c = function.config;
  const std::string& version = function.version;
  CodeSummary code;
  if (record && !record->code_sha256.empty()) {
    code = {record->code_size, record->code_sha256};
  } else {
    code = summary_of(c.code_dir, function.code_fingerprint);
  }
  const std::string role =
      record && !record->role.empty()
          ? record->role
          : std::string("arn:aws:iam::") + kAccountId + ":role/" + c.logical_id + "Role";
  nlohmann::json env_vars = nlohmann::json::object();
  for (const auto& [k, v] : c.environment) env_vars[k] = v;
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const auto& layer = c.layers[i];
    // The ARN the API was given (a published version's folder is named by its hash).
    const std::string arn = record && record->layer_arns.size() == c.layers.size()
                                ? record->layer_arns[i]
                                : "arn:aws:lambda:" + region() + ":" + kAccountId +
                                      ":layer:" + layer.filename().string() + ":1";
    layers.push_back(
        {{"Arn", arn}, {"CodeSize", summary_of(layer, function.code_fingerprint).size}});
  }
  nlohmann::json config = {
      {"FunctionName", c.name},
      {"FunctionArn", function_arn(c.name, version == "$LATEST" ? "" : version)},
      {"Runtime", c.runtime},
      {"Role", role},
      {"Handler", c.handler},
      {"CodeSize", code.size},
      {"Description", c.description},
      {"Timeout", c.timeout_s},
      {"MemorySize", c.memory_mb},
      {"LastModified", record ? record->last_modified() : function.last_modified},
      {"CodeSha256", code.sha256},
      {"Version", version},
      {"TracingConfig", {{"Mode", "PassThrough"}}},
      {"RevisionId", record ? record->revision_id : code.sha256.substr(0, 8) + "-lambdad"},
      {"State", record ? registry::state_name(record->state) : "Active"},
      {"LastUpdateStatus",
       record ? registry::update_status_name(record->last_update_status) : "Successful"},
      {"PackageType", "Zip"},
      {"Architectures",
       c.architectures.empty() ? std::vector<std::string>{"x86_64"} : c.architectures},
      {"EphemeralStorage", {{"Size", c.ephemeral_storage_mb}}},
      {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
      {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + c.name}}},
  };
  if (!c.environment.empty()) config["Environment"] = {{"Variables", env_vars}};
  if (!layers.empty()) config["Layers"] = layers;
  if (record && record->state == registry::State::kPending) {
    config["StateReason"] = "The function is being created.";
    config["StateReasonCode"] = "Creating";
  }
  if (record && record->last_update_status == registry::UpdateStatus::kInProgress) {
    config["LastUpdateStatusReason"] = "The function is being updated.";
    config["LastUpdateStatusReasonCode"] = "InProgress";
  }
  return config;
}

nlohmann::json get_function(const scheduler::FunctionInfo& function,
                            const registry::FunctionRecord* record, std::string_view code_url) {
  nlohmann::json body = {
      {"Configuration", function_configuration(function, record)},
      {"Code", {{"RepositoryType", "S3"}, {"Location", code_url}}},
      {"Tags", record ? nlohmann::json(record->tags) : nlohmann::json::object()},
  };
  if (function.config.reserved_concurrency) {
    body["Concurrency"] = {{"ReservedConcurrentExecutions", *function.config.reserved_concurrency}};
  }
  return body;
}

}  // namespace lambdad::control_api
