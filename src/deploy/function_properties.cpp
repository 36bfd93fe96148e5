#include "function_properties.hpp"

#include <algorithm>
#include <set>
#include "lambdad/common/regex.hpp"
#include "lambdad/common/reserved_environment.hpp"

#include "events.hpp"
#include "lambdad/deploy/code_archive.hpp"

namespace lambdad::deploy {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxLayers = 5;
constexpr size_t kMaxEnvironmentBytes = 4096;
/// CloudFormation's limit on Code.ZipFile ("This zip file cannot exceed 4MB", the
/// AWS::Lambda::Function Code reference; the old 4096-character limit went in 2022). The text is
/// measured, not its zip: a little stricter, and far beyond any template CloudFormation takes.
constexpr size_t kMaxInlineCodeBytes = 4 * 1024 * 1024;

bool is_provided(std::string_view runtime) {
  return runtime.starts_with("provided");
}

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  return !ec && fs::is_regular_file(status) &&
         (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
}

/// The files a runtime would load for a handler, relative to the code folder.
std::vector<std::string> handler_files(const std::string& runtime, const std::string& handler) {
  const size_t slash = handler.rfind('/');
  const size_t base = slash == std::string::npos ? 0 : slash + 1;
  if (runtime.starts_with("nodejs")) {
    // Node's runtime takes the module up to the first dot of the last path segment.
    const std::string module = handler.substr(0, handler.find('.', base));
    return {module + ".js", module + ".mjs", module + ".cjs"};
  }
  // Python's runtime imports the part before the last dot, `/` read as `.`. (That dot may come
  // before the handler's last slash: `app./handler` imports `app`.)
  std::string module = handler.substr(0, handler.rfind('.'));
  const size_t module_slash = module.rfind('/');
  const size_t module_base = module_slash == std::string::npos ? 0 : module_slash + 1;
  std::replace(module.begin() + static_cast<long>(module_base), module.end(), '.', '/');
  return {module + ".py", module + "/__init__.py"};
}

class FunctionReader {
 public:
  FunctionReader(const std::string& logical_id, int line, LoadContext& ctx)
      : who_("function '" + logical_id + "'"), ctx_(ctx) {
    config_.logical_id = logical_id;
    config_.name = logical_id;
    config_.line = line;
  }

  FunctionConfig read(const Node& properties) {
    config_.properties = to_json(properties);
    for (const auto& entry : properties.entries) apply(entry);
    check_code();
    check_concurrency();
    return std::move(config_);
  }

 private:
  using Reader = void (FunctionReader::*)(const Node&);
  struct Rule {
    Reader read = nullptr;
    std::string_view warning;  ///< accepted, but the user may expect it to work locally
    std::string_view error;    ///< known to SAM, not supported by lambdad
  };

  static const std::map<std::string, Rule, std::less<>>& rules() {
    static const std::map<std::string, Rule, std::less<>> kRules = {
        {"Runtime", {&FunctionReader::runtime}},
        {"Handler", {&FunctionReader::handler}},
        {"CodeUri", {&FunctionReader::code_uri}},
        {"MemorySize", {&FunctionReader::memory_size}},
        {"Timeout", {&FunctionReader::timeout}},
        {"Environment", {&FunctionReader::environment}},
        {"ReservedConcurrentExecutions", {&FunctionReader::reserved_concurrency}},
        {"ProvisionedConcurrencyConfig", {&FunctionReader::provisioned_concurrency}},
        {"AutoPublishAlias", {&FunctionReader::auto_publish_alias}},
        {"Layers", {&FunctionReader::layers}},
        {"Architectures", {&FunctionReader::architectures}},
        {"FunctionName", {&FunctionReader::function_name}},
        {"Description", {&FunctionReader::description}},
        {"EphemeralStorage", {&FunctionReader::ephemeral_storage}},
        {"Events", {&FunctionReader::events}},
        {"PackageType", {&FunctionReader::package_type}},
        {"EventInvokeConfig", {&FunctionReader::event_invoke_config}},
        {"InlineCode", {&FunctionReader::inline_code}},
        {"ImageUri", {nullptr, "", "container images (ImageUri) are not supported; use CodeUri"}},
        {"ImageConfig", {nullptr, "", "container images (ImageConfig) are not supported"}},
        {"Tracing", {nullptr, "X-Ray tracing is not provided by lambdad"}},
        {"VpcConfig", {nullptr, "functions are not placed in a VPC; they use the host's network"}},
        {"DeadLetterQueue",
         {nullptr, "failed asynchronous events are not sent to a dead-letter queue"}},
        {"FunctionUrlConfig",
         {nullptr, "function URLs are not served; use an Api or HttpApi event"}},
        {"FileSystemConfigs", {nullptr, "EFS file systems are not mounted"}},
        {"SnapStart", {nullptr, "SnapStart is not provided"}},
        {"DeploymentPreference",
         {nullptr, "gradual (CodeDeploy) deployments are not performed; the alias moves at once"}},
        {"LoggingConfig", {&FunctionReader::logging_config}},
        {"DurableConfig",
         {nullptr,
          "durable executions (checkpoints, waits, replays) are not provided; the "
          "function runs as a plain one"}},
        {"CapacityProviderConfig",
         {nullptr, "Lambda Managed Instances are not used; the function runs on this machine"}},
        {"FunctionScalingConfig",
         {nullptr,
          "managed-instance scaling limits are not applied; see "
          "ReservedConcurrentExecutions"}},
        {"TenancyConfig", {nullptr, "tenant isolation is not provided"}},
        {"PublishToLatestPublished", {}},
        {"VersionDeletionPolicy", {}},
        {"Role", {}},
        {"Policies", {}},
        {"Tags", {}},
        {"PropagateTags", {}},
        {"KmsKeyArn", {}},
        {"PermissionsBoundary", {}},
        {"AssumeRolePolicyDocument", {}},
        {"RolePath", {}},
        {"RuntimeManagementConfig", {}},
        {"CodeSigningConfigArn", {}},
        {"AutoPublishCodeSha256", {}},
        {"AutoPublishAliasAllProperties", {}},
        {"VersionDescription", {}},
        {"RecursiveLoop", {}},
        {"SourceKMSKeyArn", {}},
        {"Metadata", {}},
    };
    return kRules;
  }

  void apply(const NodeEntry& entry) {
    auto rule = rules().find(entry.key);
    // SAM skips a property whose value is empty (`Environment:` with nothing under it).
    if (entry.value.is_null() && rule != rules().end()) return;
    present_.insert(entry.key);
    if (rule == rules().end()) {
      error(entry.value.line, "unknown property '" + entry.key + "'");
    } else if (rule->second.read) {
      static const std::set<std::string, std::less<>> kOptional = {"ReservedConcurrentExecutions",
                                                                   "ProvisionedConcurrencyConfig",
                                                                   "Architectures",
                                                                   "EphemeralStorage",
                                                                   "LoggingConfig",
                                                                   "AutoPublishAlias",
                                                                   "EventInvokeConfig"};
      if (entry.value.unresolved && kOptional.contains(entry.key)) {
        // Settings lambdad can do without: sam local runs the function without them too.
        ctx_.warning(
            entry.value.line, who_,
            entry.key + " " + ctx_.resolver.unresolved_reason(entry.value) + "; it is left unset");
      } else if (!entry.value.is_invalid()) {
        (this->*rule->second.read)(entry.value);
      }
    } else if (!rule->second.error.empty()) {
      code_invalid_ = true;  // the code is there, in a form lambdad does not run
      error(entry.value.line, std::string(rule->second.error));
    } else if (!rule->second.warning.empty()) {
      ctx_.warning(entry.value.line, who_, entry.key + ": " + std::string(rule->second.warning));
    }
  }

  void error(int line, const std::string& message) { ctx_.error(line, who_, message); }

  std::optional<std::string> text(const Node& value, std::string_view property) {
    if (value.is_invalid()) return std::nullopt;
    if (value.unresolved) {
      error(value.line, std::string(property) + " " + ctx_.resolver.unresolved_reason(value));
    } else if (!value.is_scalar() || value.text.empty()) {
      error(value.line, std::string(property) + " must be a string, got " + describe(value));
    } else {
      return value.text;
    }
    return std::nullopt;
  }

  std::optional<long long> integer(const Node& value, std::string_view property, long long min,
                                   long long max) {
    if (value.unresolved) {
      error(value.line, std::string(property) + " " + ctx_.resolver.unresolved_reason(value));
      return std::nullopt;
    }
    auto number = to_integer(value);
    if (!number) {
      error(value.line, std::string(property) + " must be a whole number, got " +
                            (value.is_scalar() ? "'" + value.text + "'" : describe(value)));
      return std::nullopt;
    }
    if (*number < min || *number > max) {
      const std::string range =
          max == std::numeric_limits<long long>::max()
              ? "at least " + std::to_string(min)
              : "between " + std::to_string(min) + " and " + std::to_string(max);
      error(value.line,
            std::string(property) + " must be " + range + " (got " + std::to_string(*number) + ")");
      return std::nullopt;
    }
    return number;
  }

  const Node* map_with(const Node& value, std::string_view property,
                       std::set<std::string_view> keys) {
    if (!value.is_map()) {
      error(value.line, std::string(property) + " must be a map, got " + describe(value));
      return nullptr;
    }
    for (const auto& entry : value.entries) {
      if (!keys.contains(entry.key)) {
        error(entry.value.line, std::string(property) + ": unknown property '" + entry.key + "'");
      }
    }
    return &value;
  }

  void runtime(const Node& value) {
    auto name = text(value, "Runtime");
    if (!name) return;
    if (!is_runnable_runtime(*name)) {
      error(value.line, "Runtime '" + *name +
                            "' is not run by lambdad: it runs nodejs<N>.x, python3.<N> and "
                            "provided, provided.al2, provided.al2023");
      return;
    }
    config_.runtime = *name;
  }

  void handler(const Node& value) {
    if (auto name = text(value, "Handler")) config_.handler = *name;
    handler_line_ = value.line;
  }

  void code_uri(const Node& value) {
    code_line_ = value.line;
    if (auto folder = local_folder(value, who_, "CodeUri", ctx_)) {
      config_.code_dir = *folder;
      if (folder->parent_path() == ctx_.code_root) config_.code_source = value.text;
    } else {
      code_invalid_ = true;
    }
  }

  void inline_code(const Node& value) {
    inline_line_ = value.line;
    // A block scalar (`InlineCode: |`) is the usual form; !Sub and !Join resolve to text too.
    if (auto code = text(value, "InlineCode")) {
      inline_text_ = *code;
    } else {
      code_invalid_ = true;
    }
  }

  /// InlineCode becomes a folder holding `index.js` / `index.py`, as CloudFormation writes
  /// Code.ZipFile (the Handler's module is then `index`).
  void write_inline_code() {
    const std::string& runtime = config_.runtime;
    std::string file;
    if (runtime.starts_with("nodejs")) file = "index.js";  // CommonJS, as on AWS
    if (runtime.starts_with("python")) file = "index.py";
    if (file.empty()) {
      return error(inline_line_,
                   "InlineCode works for nodejs and python runtimes only (as "
                   "CloudFormation's Code.ZipFile), not " +
                       runtime);
    }
    if (inline_text_->size() > kMaxInlineCodeBytes) {
      return error(inline_line_,
                   "InlineCode is " + std::to_string(inline_text_->size()) +
                       " bytes, over CloudFormation's 4 MB limit for inline code "
                       "(AWS::Lambda::Function Code.ZipFile); put the code in a folder or a .zip "
                       "and set CodeUri");
    }
    try {
      config_.code_dir = deploy::write_inline_code(*inline_text_, file, ctx_.code_root);
      config_.code_source = "InlineCode";
    } catch (const ArchiveError& e) {
      error(inline_line_, std::string("InlineCode: ") + e.what());
    }
  }

  void memory_size(const Node& value) {
    if (auto mb = integer(value, "MemorySize", 128, 10240))
      config_.memory_mb = static_cast<int>(*mb);
  }

  void timeout(const Node& value) {
    if (auto seconds = integer(value, "Timeout", 1, 900))
      config_.timeout_s = static_cast<int>(*seconds);
  }

  void ephemeral_storage(const Node& value) {
    if (!map_with(value, "EphemeralStorage", {"Size"})) return;
    const Node* size = value.find("Size");
    if (!size) return error(value.line, "EphemeralStorage needs Size");
    if (auto mb = integer(*size, "EphemeralStorage.Size", 512, 10240)) {
      config_.ephemeral_storage_mb = static_cast<int>(*mb);
    }
  }

  void environment(const Node& value) {
    if (!map_with(value, "Environment", {"Variables"})) return;
    const Node* variables = value.find("Variables");
    if (!variables || variables->is_null() || variables->is_invalid()) return;
    if (!variables->is_map()) {
      return error(variables->line,
                   "Environment.Variables must be a map, got " + describe(*variables));
    }
    size_t bytes = 0;
    for (const auto& [key, item] : variables->entries) {
      if (auto text = variable_value(key, item); text && variable_name_ok(key, item.line)) {
        bytes += key.size() + text->size();
        config_.environment[key] = *text;
      }
    }
    if (bytes > kMaxEnvironmentBytes) {
      error(value.line, "Environment.Variables take " + std::to_string(bytes) +
                            " bytes, over Lambda's 4 KB limit");
    }
  }

  bool variable_name_ok(const std::string& key, int line) {
    static const std::regex name("[A-Za-z][A-Za-z0-9_]+");
    if (!std::regex_match(key, name)) {
      error(line, "environment variable name '" + key +
                      "' must start with a letter and have at least 2 characters from "
                      "[A-Za-z0-9_]");
      return false;
    }
    if (is_reserved_environment_variable(key)) {
      error(line, "environment variable '" + key + "' is reserved by Lambda");
      return false;
    }
    return true;
  }

  std::optional<std::string> variable_value(const std::string& key, const Node& item) {
    if (item.is_invalid()) return std::nullopt;
    if (item.unresolved) {
      // As sam local does: the variable exists, empty, and the user is told why.
      ctx_.warning(item.line, who_,
                   "environment variable '" + key + "' " + ctx_.resolver.unresolved_reason(item) +
                       "; it is set to ''");
      return "";
    }
    if (item.is_list() || item.is_map()) {
      error(item.line,
            "environment variable '" + key + "' must be a string, got " + describe(item));
      return std::nullopt;
    }
    return stringify(item);
  }

  void reserved_concurrency(const Node& value) {
    if (auto count = integer(value, "ReservedConcurrentExecutions", 0,
                             std::numeric_limits<long long>::max())) {
      config_.reserved_concurrency = static_cast<int>(std::min<long long>(*count, 1 << 30));
    }
  }

  void provisioned_concurrency(const Node& value) {
    provisioned_line_ = value.line;
    if (!map_with(value, "ProvisionedConcurrencyConfig", {"ProvisionedConcurrentExecutions"}))
      return;
    const Node* count = value.find("ProvisionedConcurrentExecutions");
    if (!count)
      return error(value.line,
                   "ProvisionedConcurrencyConfig needs ProvisionedConcurrentExecutions");
    if (auto n = integer(*count, "ProvisionedConcurrentExecutions", 1, 1 << 30)) {
      config_.provisioned_concurrency = static_cast<int>(*n);
    }
  }

  void auto_publish_alias(const Node& value) {
    static const std::regex alias("[A-Za-z0-9_-]{1,128}");
    static const std::regex digits("[0-9]+");
    auto name = text(value, "AutoPublishAlias");
    if (!name) return;
    if (!std::regex_match(*name, alias) || std::regex_match(*name, digits)) {
      return error(value.line, "AutoPublishAlias '" + *name +
                                   "' must be 1-128 characters from [A-Za-z0-9_-], not all digits");
    }
    config_.auto_publish_alias = *name;
  }

  void function_name(const Node& value) {
    static const std::regex name_pattern("[A-Za-z0-9_-]{1,64}");
    auto name = text(value, "FunctionName");
    if (!name) return;
    if (!std::regex_match(*name, name_pattern)) {
      const std::string& stack = ctx_.resolver.inputs().pseudo.at("AWS::StackName").text;
      const std::string hint =
          name->find(stack) != std::string::npos
              ? " (AWS::StackName is '" + stack +
                    "': --parameter-overrides AWS::StackName=NAME sets a shorter one)"
              : "";
      return error(value.line, "FunctionName '" + *name +
                                   "' must be 1-64 characters from [A-Za-z0-9_-]" + hint);
    }
    config_.name = *name;
  }

  void description(const Node& value) {
    if (value.is_null() || value.unresolved) return;  // only shown by lambdad
    if (value.is_scalar() && value.text.empty()) return;
    auto words = text(value, "Description");
    if (words && words->size() > 256)
      error(value.line, "Description is longer than 256 characters");
    if (words) config_.description = *words;
  }

  void architectures(const Node& value) {
    if (!value.is_list() || value.items.size() != 1) {
      const std::string got =
          value.is_list() ? std::to_string(value.items.size()) + " items" : describe(value);
      return error(value.line,
                   "Architectures must be a list of exactly one of x86_64, arm64 (got " + got +
                       "; Globals lists are added to the function's own)");
    }
    const Node& item = value.items.front();
    auto name = text(item, "Architectures");
    if (name && *name != "x86_64" && *name != "arm64") {
      return error(item.line, "Architectures: '" + *name + "' must be x86_64 or arm64");
    }
    if (name) config_.architectures = {*name};
  }

  void layers(const Node& value) {
    if (!value.is_list()) return error(value.line, "Layers must be a list, got " + describe(value));
    if (value.items.size() > kMaxLayers) {
      error(value.line, "Layers has " + std::to_string(value.items.size()) +
                            " layers; Lambda allows at most 5");
    }
    for (const Node& item : value.items) layer(item);
  }

  void layer(const Node& item) {
    if (item.is_invalid()) return;
    if (!item.ref.empty()) {
      if (auto dir = ctx_.layer_dirs.find(item.ref); dir != ctx_.layer_dirs.end()) {
        config_.layers.push_back(dir->second);
      } else if (!ctx_.is_type(item.ref, "AWS::Serverless::LayerVersion")) {
        ctx_.warning(item.line, who_,
                     "Layers: '" + item.ref + "' is " + ctx_.resource_types[item.ref] +
                         ", whose content only AWS has; the function runs without it (use an "
                         "AWS::Serverless::LayerVersion with a local ContentUri)");
      }
      return;
    }
    // As sam local without AWS credentials: the template loads; the layer's content is not there.
    if (item.is_scalar() && item.text.starts_with("arn:")) {
      return ctx_.warning(item.line, who_,
                          "Layers: '" + item.text +
                              "' is a published layer, which lambdad cannot download; the "
                              "function runs without it (use an AWS::Serverless::LayerVersion "
                              "with a local ContentUri, or a local folder)");
    }
    if (item.unresolved) {
      return ctx_.warning(item.line, who_,
                          "Layers: an item " + ctx_.resolver.unresolved_reason(item) +
                              "; the function runs without that layer");
    }
    if (auto dir = local_folder(item, who_, "Layers", ctx_)) config_.layers.push_back(*dir);
  }

  void events(const Node& value) {
    if (value.is_null()) return;
    config_.events = read_events(value, who_, ctx_);
  }

  void package_type(const Node& value) {
    auto type = text(value, "PackageType");
    if (type && *type == "Image") {
      error(value.line, "PackageType Image (container images) is not supported; use Zip");
      code_invalid_ = true;
    } else if (type && *type != "Zip") {
      error(value.line, "PackageType must be Zip or Image (got '" + *type + "')");
    }
  }

  void event_invoke_config(const Node& value) { config_.event_invoke_config = to_json(value); }

  /// LogFormat and ApplicationLogLevel reach the runtime clients as AWS_LAMBDA_LOG_FORMAT and
  /// AWS_LAMBDA_LOG_LEVEL; the platform lines stay text and the log group stays
  /// /aws/lambda/<function>.
  void logging_config(const Node& value) {
    if (!map_with(value, "LoggingConfig",
                  {"LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup"})) {
      return;
    }
    static const std::set<std::string, std::less<>> kLevels = {"TRACE", "DEBUG", "INFO",
                                                               "WARN",  "ERROR", "FATAL"};
    if (const Node* format = value.find("LogFormat")) {
      auto text_value = text(*format, "LoggingConfig.LogFormat");
      if (text_value && *text_value != "Text" && *text_value != "JSON") {
        return error(format->line, "LoggingConfig.LogFormat must be Text or JSON");
      }
      if (text_value) config_.log_format = *text_value;
    }
    if (const Node* level = value.find("ApplicationLogLevel")) {
      auto text_value = text(*level, "LoggingConfig.ApplicationLogLevel");
      if (text_value && !kLevels.contains(*text_value)) {
        return error(level->line,
                     "LoggingConfig.ApplicationLogLevel must be one of TRACE, DEBUG, INFO, WARN, "
                     "ERROR, FATAL");
      }
      if (text_value && config_.log_format != "JSON") {
        return error(level->line, "LoggingConfig.ApplicationLogLevel needs LogFormat: JSON");
      }
      if (text_value) config_.application_log_level = *text_value;
    }
    if (const Node* group = value.find("LogGroup")) {
      ctx_.warning(group->line, who_,
                   "LoggingConfig.LogGroup is not applied; logs go to /aws/lambda/<function>");
    }
  }

  void check_code() {
    const int line = config_.line;
    if (!present_.contains("Runtime") && !code_invalid_) error(line, "Runtime is required");
    const bool inline_code = present_.contains("InlineCode");
    if (inline_code && present_.contains("CodeUri")) {
      code_invalid_ = true;
      error(inline_line_,
            "InlineCode and CodeUri cannot both be set (SAM rejects it; a Globals.Function "
            "CodeUri counts too)");
    } else if (!inline_code && !present_.contains("CodeUri") && !code_invalid_) {
      std::error_code ec;  // SAM's default: the template's own folder
      const fs::path dir = fs::weakly_canonical(ctx_.dir, ec);
      config_.code_dir = ec ? ctx_.dir : dir;
    }
    for (const fs::path& dir : code_and_layers()) {
      if (ctx_.missing_code.contains(dir)) config_.missing_code.push_back(dir);
    }
    if (config_.runtime.empty()) return;
    if (inline_code && inline_text_ && !code_invalid_) write_inline_code();
    const bool managed = !is_provided(config_.runtime);
    if (managed && !present_.contains("Handler")) {
      return error(line, "Handler is required for " + config_.runtime);
    }
    if (managed && !config_.handler.empty() && config_.handler.find('.') == std::string::npos) {
      // Lambda and SAM accept it; the runtime refuses it at the first invocation.
      return ctx_.warning(handler_line_, who_,
                          "Handler '" + config_.handler +
                              "' is not <file>.<function>: invocations will fail with "
                              "Runtime.MalformedHandlerName");
    }
    // Code not built yet was warned about once already, with what to run.
    if (!config_.code_dir.empty() && config_.missing_code.empty()) warn_missing_entry_point();
  }

  std::vector<fs::path> code_and_layers() const {
    std::vector<fs::path> out{config_.code_dir};
    out.insert(out.end(), config_.layers.begin(), config_.layers.end());
    return out;
  }

  void warn_missing_entry_point() {
    const fs::path& dir = config_.code_dir;
    if (is_provided(config_.runtime)) {
      bool found = is_executable_file(dir / "bootstrap");
      for (const auto& layer : config_.layers)
        found = found || is_executable_file(layer / "bootstrap");
      if (!found) {
        ctx_.warning(code_line_, who_,
                     "no executable 'bootstrap' in CodeUri or Layers (not built "
                     "yet?); invocations will fail with Runtime.InvalidEntrypoint");
      }
      return;
    }
    if (config_.handler.empty()) return;
    const auto files = handler_files(config_.runtime, config_.handler);
    const bool found = std::any_of(files.begin(), files.end(), [&](const std::string& file) {
      std::error_code ec;
      return fs::is_regular_file(dir / file, ec);
    });
    if (!found) {
      ctx_.warning(handler_line_, who_,
                   "Handler '" + config_.handler + "': no " + files.front() +
                       " in CodeUri (not built yet?)");
    }
  }

  void check_concurrency() {
    if (!config_.provisioned_concurrency) return;
    if (!config_.auto_publish_alias) {
      error(provisioned_line_, "ProvisionedConcurrencyConfig needs AutoPublishAlias");
    }
    if (config_.reserved_concurrency &&
        config_.provisioned_concurrency > *config_.reserved_concurrency) {
      error(provisioned_line_, "ProvisionedConcurrentExecutions (" +
                                   std::to_string(config_.provisioned_concurrency) +
                                   ") must not exceed ReservedConcurrentExecutions (" +
                                   std::to_string(*config_.reserved_concurrency) + ")");
    }
  }

  FunctionConfig config_;
  std::string who_;
  LoadContext& ctx_;
  int handler_line_ = 0;
  int code_line_ = 0;
  int provisioned_line_ = 0;
  int inline_line_ = 0;
  std::optional<std::string> inline_text_;
  bool code_invalid_ = false;
  std::set<std::string, std::less<>> present_;
};

}  // namespace

const std::vector<std::string>& supported_runtimes() {
  static const std::vector<std::string> kRuntimes = {
      "provided",  "provided.al2", "provided.al2023", "nodejs18.x", "nodejs20.x", "nodejs22.x",
      "python3.9", "python3.10",   "python3.11",      "python3.12", "python3.13"};
  return kRuntimes;
}

// A runtime Lambda adds later (nodejs24.x, python3.14, ...) runs on the machine's interpreter
// like the known ones, with the scheduler's version warning; only other families (java, dotnet,
// ruby, go1.x) are refused, since lambdad has no client for them.
// Retired runtimes (nodejs4.3, nodejs12.x, python2.7) run on today's interpreter with the version
// warning, as their templates still load in SAM; code that needs the old language fails when it
// is invoked.
bool is_runnable_runtime(std::string_view runtime) {
  static const std::regex kFamilies(
      R"(nodejs([0-9]+\.x|[0-9]+\.[0-9]+)?|python[23]\.[0-9]+|provided(\.al2|\.al20[0-9][0-9])?)");
  return std::regex_match(runtime.begin(), runtime.end(), kFamilies);
}

FunctionConfig read_function(const std::string& logical_id, int line, const Node& properties,
                             LoadContext& ctx) {
  return FunctionReader(logical_id, line, ctx).read(properties);
}

}  // namespace lambdad::deploy
