#include "sam_properties.hpp"

#include <map>

namespace lambdad::deploy {

namespace {

// SAM v1.103 (samtranslator/model/sam_resources.py property_types, the event sources in
// samtranslator/model/eventsources/*.py and the AWS SAM developer guide's resource pages, late
// 2025). A property added to SAM later is a one-line change here.
const std::map<std::string, PropertyNames, std::less<>>& resource_properties() {
  static const std::map<std::string, PropertyNames, std::less<>> kResources = {
      {"AWS::Serverless::Api",
       {"AccessLogSetting",
        "AlwaysDeploy",
        "ApiKeySourceType",
        "Auth",
        "BinaryMediaTypes",
        "CacheClusterEnabled",
        "CacheClusterSize",
        "CanarySetting",
        "Cors",
        "DefinitionBody",
        "DefinitionUri",
        "Description",
        "DisableExecuteApiEndpoint",
        "Domain",
        "EndpointAccessMode",
        "EndpointConfiguration",
        "FailOnWarnings",
        "GatewayResponses",
        "MergeDefinitions",
        "MethodSettings",
        "MinimumCompressionSize",
        "Mode",
        "Models",
        "Name",
        "OpenApiVersion",
        "Policy",
        "PropagateTags",
        "SecurityPolicy",
        "StageName",
        "Tags",
        "TracingEnabled",
        "Variables"}},
      {"AWS::Serverless::HttpApi",
       {"AccessLogSettings", "Auth", "CorsConfiguration", "DefaultRouteSettings", "DefinitionBody",
        "DefinitionUri", "Description", "DisableExecuteApiEndpoint", "Domain", "FailOnWarnings",
        "Name", "PropagateTags", "RouteSettings", "StageName", "StageVariables", "Tags"}},
      {"AWS::Serverless::LayerVersion",
       {"CompatibleArchitectures", "CompatibleRuntimes", "ContentUri", "Description", "LayerName",
        "LicenseInfo", "PublishLambdaVersion", "RetentionPolicy"}},
      {"AWS::Serverless::SimpleTable",
       {"PointInTimeRecoverySpecification", "PrimaryKey", "ProvisionedThroughput",
        "SSESpecification", "TableName", "Tags"}},
      {"AWS::Serverless::StateMachine",
       {"AutoPublishAlias", "Definition", "DefinitionSubstitutions", "DefinitionUri",
        "DeploymentPreference", "Events", "Logging", "Name", "PermissionsBoundary", "Policies",
        "PropagateTags", "Role", "RolePath", "Tags", "Tracing", "Type", "UseAliasAsEventTarget"}},
      {"AWS::Serverless::Application",
       {"Location", "NotificationARNs", "Parameters", "Tags", "TimeoutInMinutes"}},
      {"AWS::Serverless::Connector", {"Destination", "Permissions", "Source"}},
      {"AWS::Serverless::GraphQLApi",
       {"ApiKeys", "Auth", "Cache", "DataSources", "DomainName", "Functions", "IntrospectionConfig",
        "Logging", "Name", "OwnerContact", "QueryDepthLimit", "ResolverCountLimit", "Resolvers",
        "SchemaInline", "SchemaUri", "Tags", "Visibility", "XrayEnabled"}},
  };
  return kResources;
}

// SAM gives every pull event source (SQS, Kinesis, DynamoDB, MSK, MQ, SelfManagedKafka,
// DocumentDB) one shared property_types table.
const PropertyNames kPullProperties = {"BatchSize",
                                       "BisectBatchOnFunctionError",
                                       "Broker",
                                       "Cluster",
                                       "CollectionName",
                                       "ConsumerGroupId",
                                       "DatabaseName",
                                       "DestinationConfig",
                                       "Enabled",
                                       "FilterCriteria",
                                       "FullDocument",
                                       "FunctionResponseTypes",
                                       "KafkaBootstrapServers",
                                       "KmsKeyArn",
                                       "MaximumBatchingWindowInSeconds",
                                       "MaximumRecordAgeInSeconds",
                                       "MaximumRetryAttempts",
                                       "MetricsConfig",
                                       "ParallelizationFactor",
                                       "ProvisionedPollerConfig",
                                       "Queue",
                                       "Queues",
                                       "ScalingConfig",
                                       "SchemaRegistryConfig",
                                       "SecretsManagerKmsKeyId",
                                       "SourceAccessConfigurations",
                                       "StartingPosition",
                                       "StartingPositionTimestamp",
                                       "Stream",
                                       "Topics",
                                       "TumblingWindowInSeconds"};

const std::map<std::string, PropertyNames, std::less<>>& event_properties() {
  static const std::map<std::string, PropertyNames, std::less<>> kEvents = {
      {"Api",
       {"Auth", "Method", "Path", "RequestModel", "RequestParameters", "ResponseTransferMode",
        "RestApiId", "Stage", "TimeoutInMillis"}},
      {"HttpApi",
       {"ApiId", "Auth", "Method", "Path", "PayloadFormatVersion", "RouteSettings", "Stage",
        "TimeoutInMillis"}},
      {"Schedule",
       {"DeadLetterConfig", "Description", "Enabled", "Input", "Name", "RetryPolicy", "Schedule",
        "State", "Target"}},
      {"ScheduleV2",
       {"DeadLetterConfig", "Description", "EndDate", "FlexibleTimeWindow", "GroupName", "Input",
        "KmsKeyArn", "Name", "OmitName", "PermissionsBoundary", "RetryPolicy", "RoleArn",
        "ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "State"}},
      {"S3", {"Bucket", "Events", "Filter"}},
      {"SNS",
       {"FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "Region", "SqsSubscription",
        "Topic"}},
      {"SQS", kPullProperties},
      {"Kinesis", kPullProperties},
      {"DynamoDB", kPullProperties},
      {"MSK", kPullProperties},
      {"MQ", kPullProperties},
      {"SelfManagedKafka", kPullProperties},
      {"DocumentDB", kPullProperties},
      {"CloudWatchEvent",
       {"DeadLetterConfig", "Enabled", "EventBusName", "Input", "InputPath", "InputTransformer",
        "Pattern", "RetryPolicy", "RuleName", "State", "Target"}},
      {"EventBridgeRule",
       {"DeadLetterConfig", "Enabled", "EventBusName", "Input", "InputPath", "InputTransformer",
        "Pattern", "RetryPolicy", "RuleName", "State", "Target"}},
      {"CloudWatchLogs", {"FilterPattern", "LogGroupName"}},
      {"IoTRule", {"AwsIotSqlVersion", "Sql"}},
      {"AlexaSkill", {"SkillId"}},
      {"Cognito", {"Trigger", "UserPool"}},
  };
  return kEvents;
}

}  // namespace

const PropertyNames* sam_resource_properties(std::string_view type) {
  auto it = resource_properties().find(type);
  return it == resource_properties().end() ? nullptr : &it->second;
}

const PropertyNames* sam_event_properties(std::string_view type) {
  auto it = event_properties().find(type);
  return it == event_properties().end() ? nullptr : &it->second;
}

void check_sam_properties(const std::string& who, std::string_view type, const Node& properties,
                          LoadContext& ctx) {
  const PropertyNames* known = sam_resource_properties(type);
  if (!known || !properties.is_map()) return;
  for (const auto& entry : properties.entries) {
    if (known->contains(entry.key)) continue;
    ctx.error(
        entry.value.line, who,
        "unknown property '" + entry.key + "' (SAM rejects it for " + std::string(type) + ")");
  }
}

std::string describe_types(const std::map<std::string, int>& counts) {
  std::string text;
  for (const auto& [type, count] : counts) {
    text += (text.empty() ? "" : ", ") + type + (count > 1 ? " x" + std::to_string(count) : "");
  }
  return text;
}

}  // namespace lambdad::deploy
