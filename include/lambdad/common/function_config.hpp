#pragma once
/// @brief What a SAM template says about a function, resolved and validated (deploy/ builds it,
/// the scheduler and the APIs read it). Plain data; safe to copy between threads.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lambdad/common/api_settings.hpp"
#include "lambdad/common/openapi_definition.hpp"
#include "lambdad/common/schedule_definition.hpp"

namespace lambdad {

/// One entry of a function's `Events` map, kept with its resolved properties for the module that
/// serves it (gateway for Api/HttpApi, scheduler for Schedule/ScheduleV2).
struct EventSource {
  std::string name;           ///< logical name inside `Events`
  std::string type;           ///< Api | HttpApi | Schedule | ScheduleV2
  nlohmann::json properties;  ///< resolved `Properties`, intrinsics already applied
  int line = 0;               ///< 1-based line in the template
  /// Api / HttpApi: the route and its settings, as the gateway takes them (nullopt otherwise).
  std::optional<api::EventRoute> route;

  bool operator==(const EventSource&) const = default;
};

struct FunctionConfig {
  std::string logical_id;          ///< resource key in the template
  std::string name;                ///< `FunctionName` when set, else the logical id
  std::string runtime;             ///< e.g. provided.al2023, nodejs20.x, python3.12
  std::string handler;             ///< `_HANDLER`; may be empty for provided runtimes
  std::filesystem::path code_dir;  ///< absolute, resolved against the template's folder
  /// Where code_dir came from when it is not a folder of the project: the CodeUri archive as
  /// written ("app.zip"), or "InlineCode"; code_dir is then lambdad's copy in the state dir.
  std::string code_source;
  /// Code the template names that is not on disk yet: a `CodeUri` / layer `ContentUri` folder or
  /// zip that a build makes (`./build/handler`, `dist/`, `app.zip`), absolute. `sam local` loads
  /// such a template; so does lambdad: the function's invocations fail naming these paths (no
  /// worker starts) and hot reload watches for them, so a build makes the function work.
  std::vector<std::filesystem::path> missing_code;
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_storage_mb = 512;
  std::map<std::string, std::string> environment;
  std::optional<int> reserved_concurrency;  ///< 0 disables the function
  int provisioned_concurrency = 0;          ///< needs auto_publish_alias
  std::optional<std::string> auto_publish_alias;
  std::vector<std::filesystem::path> layers;  ///< absolute folders, in template order
  std::vector<std::string> architectures;     ///< accepted as written (x86_64, arm64)
  std::string log_format;                     ///< LoggingConfig.LogFormat: "", Text or JSON
  std::string application_log_level;          ///< LoggingConfig.ApplicationLogLevel (JSON only)
  std::string description;
  /// `Metadata: lambdad: Network`: true host, false none (an empty network namespace); unset:
  /// the server's --worker-network.
  std::optional<bool> network;
  std::vector<EventSource> events;
  int line = 0;  ///< line of the resource in the template
  /// Resolved `EventInvokeConfig` (MaximumRetryAttempts, MaximumEventAgeInSeconds,
  /// DestinationConfig) for asynchronous invocations; null when the template has none.
  nlohmann::json event_invoke_config;
  /// Every resolved property (Globals merged), for what the fields above do not carry.
  nlohmann::json properties;

  bool operator==(const FunctionConfig&) const = default;
};

/// `AWS::Serverless::Api` / `AWS::Serverless::HttpApi` resources, kept for the gateway.
struct ApiConfig {
  std::string logical_id;
  std::string type;  ///< AWS::Serverless::Api | AWS::Serverless::HttpApi
  std::string stage_name;
  /// What the gateway takes from its resolved `Properties` (Globals merged), read once.
  api::ApiSettings settings;
  int line = 0;
  /// SAM's implicit API (ServerlessRestApi / ServerlessHttpApi), made for the Api / HttpApi
  /// events that name no RestApiId / ApiId; its properties come from Globals.
  bool implicit = false;
  /// Its OpenAPI document (`DefinitionBody` / `DefinitionUri`), read once by the loader;
  /// nullptr when it has none.
  std::shared_ptr<const openapi::Definition> openapi;
};

/// Something the template asks for that lambdad accepts but does not do.
struct TemplateWarning {
  int line = 0;  ///< 1-based; 0 when not tied to a line
  std::string message;
};

struct Template {
  std::filesystem::path path;  ///< absolute path of the template file
  std::vector<FunctionConfig> functions;
  std::vector<ApiConfig> apis;
  /// Schedule / ScheduleV2 events of functions, then AWS::Events::Rule /
  /// AWS::Scheduler::Schedule resources whose target is a function of the template.
  std::vector<ScheduleDefinition> schedules;
  /// AWS::ApiGateway::ApiKey / UsagePlan / UsagePlanKey resources, for the gateway's API keys.
  api::UsagePlanResources usage_plans;
  /// The .zip / .jar files (CodeUri, ContentUri) the code was unpacked from: hot reload
  /// watches them, as it watches code folders.
  std::vector<std::filesystem::path> archives;
  /// The other files the template reads (OpenAPI `DefinitionUri` / `AWS::Include` documents),
  /// absolute: hot reload watches them with the template.
  std::vector<std::filesystem::path> documents;
  std::vector<std::string> warnings;           ///< accepted but not acted upon, each with its line
  std::vector<TemplateWarning> warning_lines;  ///< the same warnings, line and text apart
};

}  // namespace lambdad
