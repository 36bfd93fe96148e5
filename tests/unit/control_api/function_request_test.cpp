// CreateFunction / UpdateFunctionCode / UpdateFunctionConfiguration bodies: Lambda's checks, its
// error types and messages, one row per case.

#include "lambdad/control_api/function_request.hpp"

#include <gtest/gtest.h>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/encoding.hpp"

namespace lambdad::control_api {
namespace {

using nlohmann::json;

json valid() {
  return {{"FunctionName", "fn"},
          {"Runtime", "provided.al2023"},
          {"Role", "arn:aws:iam::123456789012:role/lambda-role"},
          {"Handler", "bootstrap"},
          {"Code", {{"ZipFile", base64_encode("PK\x03\x04 not really")}}}};
}

TEST(FunctionRequestTest, AValidCreateReadsEveryField) {
  json body = valid();
  body["MemorySize"] = 256;
  body["Timeout"] = 30;
  body["Description"] = "d";
  body["Environment"] = {{"Variables", {{"GREETING", "hi"}}}};
  body["Architectures"] = {"arm64"};
  body["EphemeralStorage"] = {{"Size", 1024}};
  body["Tags"] = {{"team", "a"}};
  body["Publish"] = true;
  body["FunctionName"] = "arn:aws:lambda:us-east-1:123456789012:function:fn";
  const auto request = create_request(body);
  EXPECT_EQ(request.name, "fn");
  EXPECT_EQ(request.zip, "PK\x03\x04 not really");
  EXPECT_EQ(*request.config.memory_mb, 256);
  EXPECT_EQ(*request.config.timeout_s, 30);
  EXPECT_EQ(*request.config.ephemeral_storage_mb, 1024);
  EXPECT_EQ(request.config.environment->at("GREETING"), "hi");
  EXPECT_EQ(*request.config.architectures, std::vector<std::string>{"arm64"});
  EXPECT_EQ(request.tags.at("team"), "a");
}

struct Case {
  const char* name;
  json patch;  ///< merged into valid(); null values remove the key
  int status;
  const char* type;
  const char* message_part;
};

TEST(FunctionRequestTest, BadCreatesAnswerAsLambda) {
  const Case cases[] = {
      {"no name",
       {{"FunctionName", nullptr}},
       400,
       "ValidationException",
       "Member must not be null"},
      {"name too long",
       {{"FunctionName", std::string(65, 'a')}},
       400,
       "ValidationException",
       "functionName"},
      {"name with a dot", {{"FunctionName", "a.b"}}, 400, "ValidationException", "functionName"},
      {"name with a qualifier",
       {{"FunctionName", "fn:1"}},
       400,
       "ValidationException",
       "functionName"},
      {"name with a slash", {{"FunctionName", "a/b"}}, 400, "ValidationException", "functionName"},
      {"no role", {{"Role", nullptr}}, 400, "ValidationException", "at 'role'"},
      {"bad role",
       {{"Role", "admin"}},
       400,
       "ValidationException",
       "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::"},
      {"no runtime",
       {{"Runtime", nullptr}},
       400,
       "InvalidParameterValueException",
       "Runtime and Handler are mandatory parameters"},
      {"no handler, python",
       {{"Runtime", "python3.12"}, {"Handler", nullptr}},
       400,
       "InvalidParameterValueException",
       "Runtime and Handler are mandatory parameters"},
      {"java", {{"Runtime", "java21"}}, 400, "InvalidParameterValueException", "java21"},
      {"image",
       {{"PackageType", "Image"}},
       400,
       "InvalidParameterValueException",
       "container images"},
      {"image uri",
       {{"Code", {{"ImageUri", "x"}}}},
       400,
       "InvalidParameterValueException",
       "ImageUri"},
      {"s3",
       {{"Code", {{"S3Bucket", "b"}, {"S3Key", "k"}}}},
       400,
       "InvalidParameterValueException",
       "S3"},
      {"no code", {{"Code", nullptr}}, 400, "ValidationException", "at 'code'"},
      {"bad base64",
       {{"Code", {{"ZipFile", "%%%"}}}},
       400,
       "InvalidRequestContentException",
       "base64"},
      {"memory low",
       {{"MemorySize", 64}},
       400,
       "ValidationException",
       "Member must have value greater than or equal to 128"},
      {"memory high",
       {{"MemorySize", 10241}},
       400,
       "ValidationException",
       "less than or equal to 10240"},
      {"memory text", {{"MemorySize", "big"}}, 400, "InvalidRequestContentException", "MemorySize"},
      {"timeout", {{"Timeout", 901}}, 400, "ValidationException", "at 'timeout'"},
      {"architectures",
       {{"Architectures", {"x86_64", "arm64"}}},
       400,
       "ValidationException",
       "architectures"},
      {"reserved env",
       {{"Environment", {{"Variables", {{"AWS_REGION", "x"}}}}}},
       400,
       "InvalidParameterValueException",
       "Reserved keys used in this request: AWS_REGION"},
      {"env too big",
       {{"Environment", {{"Variables", {{"BIG", std::string(5000, 'x')}}}}}},
       400,
       "InvalidParameterValueException",
       "exceeded the 4KB limit"},
      {"env key",
       {{"Environment", {{"Variables", {{"1abc", "x"}}}}}},
       400,
       "ValidationException",
       "environment.variables"},
      {"env value",
       {{"Environment", {{"Variables", {{"A", 1}}}}}},
       400,
       "InvalidRequestContentException",
       "Environment.Variables"},
  };
  for (const Case& c : cases) {
    json body = valid();
    for (const auto& [key, value] : c.patch.items()) {
      if (value.is_null()) {
        body.erase(key);
      } else {
        body[key] = value;
      }
    }
    try {
      create_request(body);
      ADD_FAILURE() << c.name << ": accepted";
    } catch (const AwsError& e) {
      EXPECT_EQ(e.status, c.status) << c.name;
      EXPECT_EQ(e.type, c.type) << c.name << ": " << e.message;
      EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.name << ": " << e.message;
    }
  }
}

TEST(FunctionRequestTest, BodiesThatAreNotJsonObjects) {
  for (const char* body : {"not json", "[1]", "\"text\"", "{"}) {
    try {
      parse_body(body);
      ADD_FAILURE() << body;
    } catch (const AwsError& e) {
      EXPECT_EQ(e.type, "InvalidRequestContentException") << body;
    }
  }
  EXPECT_TRUE(parse_body("").is_object());
}

TEST(FunctionRequestTest, UpdatesNameOnlyWhatTheyChange) {
  const auto update = configuration_update({{"MemorySize", 512}, {"RevisionId", "r"}});
  EXPECT_EQ(*update.patch.memory_mb, 512);
  EXPECT_FALSE(update.patch.environment);
  EXPECT_FALSE(update.patch.runtime);
  EXPECT_EQ(*update.revision_id, "r");
  // An empty Environment replaces the variables with none.
  EXPECT_TRUE(configuration_update({{"Environment", json::object()}}).patch.environment->empty());

  const auto code = code_update({{"ZipFile", base64_encode("zip")}, {"DryRun", true}});
  EXPECT_EQ(code.zip, "zip");
  EXPECT_TRUE(code.dry_run);
  try {
    code_update(json::object());
    ADD_FAILURE();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.message, "Please provide a source for function code.");
  }
}

TEST(FunctionRequestTest, UploadTooLargeIsLambdasAnswer) {
  const AwsError e = upload_too_large("CreateFunction");
  EXPECT_EQ(e.status, 413);
  EXPECT_EQ(e.type, "RequestEntityTooLargeException");
  EXPECT_EQ(e.message,
            "Request must be smaller than 69905067 bytes for the CreateFunction operation");
}

}  // namespace
}  // namespace lambdad::control_api
