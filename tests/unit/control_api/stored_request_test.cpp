// The stored operations' bodies: tag limits, the policy statement AWS stores, event invoke
// config validation, layer names and PublishLayerVersion's body.

#include "lambdad/control_api/stored_request.hpp"

#include <gtest/gtest.h>

#include "../error_of.hpp"

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

using lambdad::testing::error_of;

constexpr const char* kArn = "arn:aws:lambda:us-east-1:123456789012:function:fn";

TEST(StoredRequestTest, TaggingTakesAFunctionArnOnly) {
  EXPECT_EQ(tagged_function(kArn), "fn");
  EXPECT_EQ(error_of([] { tagged_function("fn"); }).type, "ValidationException");
  EXPECT_EQ(error_of([] { tagged_function(std::string(kArn) + ":prod"); }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(error_of([] { tagged_function(std::string(kArn) + std::string(300, 'x')); }).type,
            "ValidationException");
  EXPECT_EQ(
      error_of([] {
        tagged_function("arn:aws:lambda:us-east-1:123456789012:function:" + std::string(65, 'a'));
      }).type,
      "ValidationException");
}

TEST(StoredRequestTest, TagLimits) {
  EXPECT_EQ(tag_request({{"Tags", {{"team", "a"}, {"empty", ""}}}}).size(), 2u);
  const auto refused = [](const json& body) { return error_of([&] { tag_request(body); }); };
  EXPECT_EQ(refused(json::object()).type, "ValidationException");
  EXPECT_EQ(refused({{"Tags", json::object()}}).type, "InvalidParameterValueException");
  EXPECT_EQ(refused({{"Tags", {{"aws:thing", "x"}}}}).type, "InvalidParameterValueException");
  EXPECT_EQ(refused({{"Tags", {{std::string(129, 'k'), "x"}}}}).type,
            "InvalidParameterValueException");
  EXPECT_NO_THROW(tag_request({{"Tags", {{std::string(128, 'k'), std::string(256, 'v')}}}}));
  EXPECT_EQ(refused({{"Tags", {{"k", std::string(257, 'v')}}}}).type,
            "InvalidParameterValueException");
  EXPECT_EQ(refused({{"Tags", {{"k", 1}}}}).type, "InvalidRequestContentException");
  EXPECT_EQ(refused({{"Tags", "x"}}).type, "InvalidRequestContentException");
  json fifty = json::object();
  for (int i = 0; i < 50; ++i) fifty["k" + std::to_string(i)] = "v";
  EXPECT_NO_THROW(tag_request({{"Tags", fifty}}));
  fifty["one-more"] = "v";
  EXPECT_NE(refused({{"Tags", fifty}}).message.find("50"), std::string::npos);
  EXPECT_EQ(error_of([] { check_tag_keys({}); }).type, "ValidationException");
  EXPECT_EQ(error_of([] { check_tag_keys({"aws:x"}); }).type, "InvalidParameterValueException");
}

TEST(StoredRequestTest, APermissionIsAwsStatementShape) {
  const auto request = permission_request({{"StatementId", "s3-invoke"},
                                           {"Action", "lambda:InvokeFunction"},
                                           {"Principal", "s3.amazonaws.com"},
                                           {"SourceArn", "arn:aws:s3:::my-bucket"},
                                           {"SourceAccount", "123456789012"},
                                           {"RevisionId", "r"}},
                                          kArn);
  EXPECT_EQ(request.statement, json::parse(R"({"Sid":"s3-invoke","Effect":"Allow",
              "Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",
              "Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn",
              "Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket"},
                           "StringEquals":{"AWS:SourceAccount":"123456789012"}}})"));
  EXPECT_EQ(*request.revision_id, "r");

  const auto account = permission_request(
      {{"StatementId", "a"}, {"Action", "lambda:*"}, {"Principal", "210987654321"}}, kArn);
  EXPECT_EQ(account.statement["Principal"], json({{"AWS", "arn:aws:iam::210987654321:root"}}));
  EXPECT_FALSE(account.statement.contains("Condition"));
  const auto everyone = permission_request({{"StatementId", "u"},
                                            {"Action", "lambda:InvokeFunctionUrl"},
                                            {"Principal", "*"},
                                            {"FunctionUrlAuthType", "NONE"},
                                            {"PrincipalOrgID", "o-abcdefghij"},
                                            {"EventSourceToken", "tok.en-1"}},
                                           kArn);
  EXPECT_EQ(everyone.statement["Principal"], "*");
  EXPECT_EQ(everyone.statement["Condition"], json({{"StringEquals",
                                                    {{"lambda:FunctionUrlAuthType", "NONE"},
                                                     {"aws:PrincipalOrgID", "o-abcdefghij"},
                                                     {"lambda:EventSourceToken", "tok.en-1"}}}}));
  const auto role = permission_request({{"StatementId", "r"},
                                        {"Action", "lambda:GetFunction"},
                                        {"Principal", "arn:aws:iam::123456789012:role/x"}},
                                       kArn);
  EXPECT_EQ(role.statement["Principal"], json({{"AWS", "arn:aws:iam::123456789012:role/x"}}));

  const auto refused = [](json body) {
    return error_of([&] { permission_request(body, kArn); }).type;
  };
  const json ok = {{"StatementId", "s"}, {"Action", "lambda:InvokeFunction"}, {"Principal", "*"}};
  for (const char* missing : {"StatementId", "Action", "Principal"}) {
    json body = ok;
    body.erase(missing);
    EXPECT_EQ(refused(body), "ValidationException") << missing;
  }
  EXPECT_EQ(refused({{"StatementId", "bad id"}, {"Action", "x"}, {"Principal", "*"}}),
            "ValidationException");
  json bad = ok;
  bad["Action"] = "s3:GetObject";
  EXPECT_EQ(refused(bad), "ValidationException");
  bad = ok;
  bad["SourceAccount"] = "12";
  EXPECT_EQ(refused(bad), "ValidationException");
  bad = ok;
  bad["FunctionUrlAuthType"] = "MAYBE";
  EXPECT_EQ(refused(bad), "ValidationException");
  bad = ok;
  bad["Principal"] = "nobody";
  EXPECT_EQ(refused(bad), "InvalidParameterValueException");
  bad = ok;
  bad["StatementId"] = 7;
  EXPECT_EQ(refused(bad), "InvalidRequestContentException");
}

TEST(StoredRequestTest, ThePolicyDocumentIsAJsonString) {
  const json statement = {{"Sid", "a"}};
  EXPECT_EQ(json::parse(policy_document({statement})),
            json({{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", {statement}}}));
}

TEST(StoredRequestTest, EventInvokeConfigBounds) {
  const auto c = event_invoke_config_request(
      {{"MaximumRetryAttempts", 0},
       {"MaximumEventAgeInSeconds", 60},
       {"DestinationConfig",
        {{"OnFailure", {{"Destination", "arn:aws:sqs:us-east-1:123456789012:dlq"}}}}}});
  EXPECT_EQ(*c.maximum_retry_attempts, 0);
  EXPECT_EQ(*c.maximum_event_age_s, 60);
  EXPECT_EQ(*c.on_failure, "arn:aws:sqs:us-east-1:123456789012:dlq");
  EXPECT_FALSE(c.on_success);
  const auto refused = [](const json& body) {
    return error_of([&] { event_invoke_config_request(body); });
  };
  EXPECT_EQ(refused({{"MaximumRetryAttempts", 3}}).message,
            "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy "
            "constraint: Member must have value less than or equal to 2");
  EXPECT_EQ(refused({{"MaximumRetryAttempts", -1}}).type, "ValidationException");
  EXPECT_EQ(refused({{"MaximumEventAgeInSeconds", 59}}).type, "ValidationException");
  EXPECT_EQ(refused({{"MaximumEventAgeInSeconds", 21601}}).type, "ValidationException");
  EXPECT_EQ(refused({{"MaximumRetryAttempts", "2"}}).type, "InvalidRequestContentException");
  EXPECT_EQ(refused({{"DestinationConfig", {{"OnSuccess", {{"Destination", "queue"}}}}}}).type,
            "ValidationException");
  EXPECT_EQ(refused({{"DestinationConfig", 1}}).type, "InvalidRequestContentException");
}

TEST(StoredRequestTest, EventInvokeConfigResponseShape) {
  registry::EventInvokeConfig c;
  c.maximum_retry_attempts = 1;
  c.on_success = "arn:aws:sns:us-east-1:123456789012:t";
  c.last_modified_ms = 1573686021479;
  const json body = event_invoke_config_response(c, std::string(kArn) + ":$LATEST");
  EXPECT_EQ(body["MaximumRetryAttempts"], 1);
  EXPECT_FALSE(body.contains("MaximumEventAgeInSeconds"));
  EXPECT_DOUBLE_EQ(body["LastModified"].get<double>(), 1573686021.479);
  EXPECT_EQ(body["FunctionArn"], std::string(kArn) + ":$LATEST");
  EXPECT_EQ(body["DestinationConfig"],
            json({{"OnSuccess", {{"Destination", "arn:aws:sns:us-east-1:123456789012:t"}}},
                  {"OnFailure", json::object()}}));
  EXPECT_EQ(registry::read_event_invoke_config(body), [&] {
    auto copy = c;
    copy.last_modified_ms = 0;
    return copy;
  }());
}

TEST(StoredRequestTest, LayerNamesAndVersions) {
  EXPECT_EQ(layer_name("my-layer_1"), "my-layer_1");
  EXPECT_EQ(layer_name("arn:aws:lambda:us-east-1:123456789012:layer:shared"), "shared");
  EXPECT_EQ(error_of([] { layer_name("bad name"); }).type, "ValidationException");
  EXPECT_EQ(error_of([] { layer_name(std::string(141, 'a')); }).type, "ValidationException");
  EXPECT_EQ(error_of([] { layer_name(""); }).type, "ValidationException");
  EXPECT_EQ(layer_version_number("3"), 3);
  EXPECT_EQ(layer_version_number("0"), 0);
  EXPECT_EQ(layer_version_number("x"), 0);
  EXPECT_EQ(layer_version_number("99999999999999999999"), 0);
}

TEST(StoredRequestTest, PublishLayerVersionBody) {
  const auto request = publish_layer_request({{"Content", {{"ZipFile", base64_encode("PK zip")}}},
                                              {"Description", "d"},
                                              {"LicenseInfo", "MIT"},
                                              {"CompatibleRuntimes", {"python3.12"}},
                                              {"CompatibleArchitectures", {"x86_64", "arm64"}}},
                                             "shared");
  EXPECT_EQ(request.name, "shared");
  EXPECT_EQ(request.zip, "PK zip");
  EXPECT_EQ(request.license_info, "MIT");
  EXPECT_EQ(request.compatible_runtimes, std::vector<std::string>{"python3.12"});
  const auto refused = [](const json& body) {
    return error_of([&] { publish_layer_request(body, "x"); }).type;
  };
  EXPECT_EQ(refused(json::object()), "ValidationException");
  EXPECT_EQ(refused({{"Content", {{"S3Bucket", "b"}, {"S3Key", "k"}}}}),
            "InvalidParameterValueException");
  EXPECT_EQ(refused({{"Content", {{"ZipFile", "!!"}}}}), "InvalidRequestContentException");
  EXPECT_EQ(refused({{"Content", {{"ZipFile", base64_encode("z")}}},
                     {"CompatibleArchitectures", {"sparc"}}}),
            "ValidationException");
  EXPECT_EQ(refused({{"Content", {{"ZipFile", base64_encode("z")}}},
                     {"Description", std::string(257, 'd')}}),
            "ValidationException");
}

}  // namespace
}  // namespace lambdad::control_api
