// The registry's stored operations: tags (the template's and the API's), policies, event invoke
// configs and layer versions, on a real SQLite file, and what a restart finds again.

#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace lambdad::registry {
namespace {

using nlohmann::json;

class StoredTest : public RegistryTest {
 protected:
  StoredTest() {
    tmpl.name = tmpl.logical_id = "Tmpl";
    tmpl.runtime = "provided.al2023";
    tmpl.code_dir = dir / "tmpl";
    tmpl.properties = {{"Tags", {{"team", "core"}, {"cost", 7}}}};
    fs::create_directories(tmpl.code_dir);
    open();
  }

  using RegistryTest::open;
  void open() { open({tmpl}); }

  FunctionRecord create(const std::string& name, std::vector<std::string> layers = {}) {
    CreateRequest request;
    request.name = name;
    request.config.runtime = "provided.al2023";
    request.config.handler = "h";
    if (!layers.empty()) request.config.layers = std::move(layers);
    request.zip = zip_of({{"bootstrap", "#!/bin/sh\n"}});
    request.tags = {{"made", "api"}};
    return run(registry->create(std::move(request)));
  }

  LayerVersion publish(const std::string& name, const std::string& content = "lib") {
    PublishLayerRequest request;
    request.name = name;
    request.zip = zip_of({{"bin/tool", content}});
    request.compatible_runtimes = {"provided.al2023"};
    return run(registry->publish_layer(std::move(request)));
  }

  FunctionConfig tmpl;
};

using Tags = std::map<std::string, std::string>;

TEST_F(StoredTest, TemplateTagsAreSamsAndTheApiAddsItsOwnKeys) {
  EXPECT_EQ(registry->find("Tmpl")->tags,
            (Tags{{"lambda:createdBy", "SAM"}, {"team", "core"}, {"cost", "7"}}));
  const Tags after = run(registry->tag("Tmpl", {{"owner", "me"}}));
  EXPECT_EQ(after.at("owner"), "me");
  EXPECT_EQ(registry->find("Tmpl")->tags.at("owner"), "me");
  // The template owns what it declares: a refused request changes nothing.
  for (const Tags& refused : {Tags{{"team", "other"}}, Tags{{"lambda:createdBy", "me"}}}) {
    const AwsError e = error_of([&] { run(registry->tag("Tmpl", refused)); });
    EXPECT_EQ(e.type, "ResourceConflictException");
  }
  EXPECT_EQ(error_of([&] { run(registry->untag("Tmpl", {"team"})); }).type,
            "ResourceConflictException");
  EXPECT_EQ(registry->find("Tmpl")->tags.at("team"), "core");
  // A redeploy and a restart keep the API's tag.
  registry->set_template({tmpl});
  EXPECT_EQ(registry->find("Tmpl")->tags.at("owner"), "me");
  open();
  EXPECT_EQ(registry->find("Tmpl")->tags.at("owner"), "me");
  // Until the template declares the key itself.
  tmpl.properties["Tags"]["owner"] = "template";
  registry->set_template({tmpl});
  EXPECT_EQ(registry->find("Tmpl")->tags.at("owner"), "template");
  run(registry->untag("Tmpl", {"nothing-there"}));
}

TEST_F(StoredTest, ApiFunctionTagsPersistAndCountTowardsTheLimit) {
  create("fn");
  const std::string revision = registry->find("fn")->revision_id;
  run(registry->tag("fn", {{"a", "1"}, {"b", "2"}}));
  run(registry->untag("fn", {"a", "made"}));
  EXPECT_EQ(registry->find("fn")->tags, (Tags{{"b", "2"}}));
  EXPECT_EQ(registry->find("fn")->revision_id, revision);
  Tags many;
  for (int i = 0; i < 49; ++i) many["k" + std::to_string(i)] = "v";
  run(registry->tag("fn", many));  // 50 with b
  EXPECT_EQ(error_of([&] {
              run(registry->tag("fn", {{"one-more", "v"}}));
            }).type,
            "InvalidParameterValueException");
  open();
  EXPECT_EQ(registry->find("fn")->tags.size(), 50u);
  EXPECT_EQ(registry->find("fn")->tags.at("b"), "2");
}

TEST_F(StoredTest, PoliciesByQualifierWithTheirRevision) {
  const json s1 = {{"Sid", "one"}, {"Effect", "Allow"}};
  const json s2 = {{"Sid", "two"}, {"Effect", "Allow"}};
  EXPECT_FALSE(registry->policy("Tmpl", ""));
  run(registry->add_permission("Tmpl", "", s1, std::nullopt));
  const Policy first = *registry->policy("Tmpl", "$LATEST");  // the same as unqualified
  EXPECT_EQ(first.revision_id.size(), 36u);
  const AwsError duplicate =
      error_of([&] { run(registry->add_permission("Tmpl", "", s1, std::nullopt)); });
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.type, "ResourceConflictException");
  const AwsError stale =
      error_of([&] { run(registry->add_permission("Tmpl", "", s2, std::string("stale"))); });
  EXPECT_EQ(stale.status, 412);
  run(registry->add_permission("Tmpl", "", s2, first.revision_id));
  run(registry->add_permission("Tmpl", "live", s1, std::nullopt));
  EXPECT_EQ(registry->policy("Tmpl", "")->statements, (std::vector<json>{s1, s2}));
  EXPECT_NE(registry->policy("Tmpl", "")->revision_id, first.revision_id);
  EXPECT_EQ(registry->policy("Tmpl", "live")->statements.size(), 1u);
  EXPECT_EQ(
      error_of([&] { run(registry->remove_permission("Tmpl", "", "nope", std::nullopt)); }).type,
      "ResourceNotFoundException");
  open();
  EXPECT_EQ(registry->policy("Tmpl", "")->statements, (std::vector<json>{s1, s2}));
  run(registry->remove_permission("Tmpl", "live", "one", std::nullopt));
  EXPECT_FALSE(registry->policy("Tmpl", "live"));  // its last statement: no policy at all
  open();
  EXPECT_FALSE(registry->policy("Tmpl", "live"));
}

TEST_F(StoredTest, APolicyStaysWithinAwsSizeLimit) {
  const json big = {{"Sid", "a"}, {"Resource", std::string(10000, 'r')}};
  run(registry->add_permission("Tmpl", "", big, std::nullopt));
  json second = big;
  second["Sid"] = "b";
  run(registry->add_permission("Tmpl", "", second, std::nullopt));
  json third = big;
  third["Sid"] = "c";
  const AwsError e =
      error_of([&] { run(registry->add_permission("Tmpl", "", third, std::nullopt)); });
  EXPECT_EQ(e.type, "PolicyLengthExceededException");
  EXPECT_EQ(registry->policy("Tmpl", "")->statements.size(), 2u);
}

TEST_F(StoredTest, EventInvokeConfigsPutReplacesUpdateMerges) {
  EventInvokeConfig config;
  config.maximum_retry_attempts = 0;
  config.on_failure = "arn:aws:sqs:us-east-1:123456789012:dlq";
  EXPECT_EQ(
      error_of([&] { run(registry->put_event_invoke_config("Tmpl", "", config, true)); }).type,
      "ResourceNotFoundException");
  clock_ms += 1500;
  const EventInvokeConfig put = run(registry->put_event_invoke_config("Tmpl", "", config, false));
  EXPECT_EQ(put.last_modified_ms, clock_ms);
  EventInvokeConfig age;
  age.maximum_event_age_s = 120;
  const EventInvokeConfig merged =
      run(registry->put_event_invoke_config("Tmpl", "$LATEST", age, true));
  EXPECT_EQ(merged.maximum_retry_attempts, 0);
  EXPECT_EQ(merged.maximum_event_age_s, 120);
  EXPECT_EQ(merged.on_failure, config.on_failure);
  EventInvokeConfig clear;
  clear.on_failure = "";  // {} clears a destination
  EXPECT_FALSE(run(registry->put_event_invoke_config("Tmpl", "", clear, true)).on_failure);
  const EventInvokeConfig replaced = run(registry->put_event_invoke_config("Tmpl", "", age, false));
  EXPECT_FALSE(replaced.maximum_retry_attempts);
  open();
  EXPECT_EQ(registry->event_invoke_config("Tmpl", "")->maximum_event_age_s, 120);
  EXPECT_FALSE(registry->event_invoke_config("Tmpl", "")->maximum_retry_attempts);
  EXPECT_EQ(registry->event_invoke_configs("Tmpl").size(), 1u);
  run(registry->delete_event_invoke_config("Tmpl", ""));
  EXPECT_FALSE(registry->event_invoke_config("Tmpl", ""));
  EXPECT_EQ(error_of([&] { run(registry->delete_event_invoke_config("Tmpl", "")); }).type,
            "ResourceNotFoundException");
  open();
  EXPECT_FALSE(registry->event_invoke_config("Tmpl", ""));
}

TEST_F(StoredTest, TheTemplatesEventInvokeConfigIsVisibleAndReadOnly) {
  tmpl.event_invoke_config = {{"MaximumRetryAttempts", 1}, {"MaximumEventAgeInSeconds", 300}};
  registry->set_template({tmpl});
  const auto config = registry->event_invoke_config("Tmpl", "");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->from_template);
  EXPECT_EQ(config->maximum_retry_attempts, 1);
  EXPECT_EQ(error_of([&] {
              run(registry->put_event_invoke_config("Tmpl", "", EventInvokeConfig{}, false));
            }).type,
            "ResourceConflictException");
  EXPECT_EQ(error_of([&] { run(registry->delete_event_invoke_config("Tmpl", "")); }).type,
            "ResourceConflictException");
  tmpl.auto_publish_alias = "live";  // SAM puts it on the alias then
  registry->set_template({tmpl});
  EXPECT_FALSE(registry->event_invoke_config("Tmpl", ""));
  EXPECT_TRUE(registry->event_invoke_config("Tmpl", "live"));
}

TEST_F(StoredTest, ADeletedFunctionTakesItsStoredStateAlong) {
  create("fn");
  run(registry->add_permission("fn", "", {{"Sid", "s"}}, std::nullopt));
  run(registry->put_event_invoke_config("fn", "", EventInvokeConfig{}, false));
  run(registry->remove("fn"));
  create("fn");
  EXPECT_FALSE(registry->policy("fn", ""));
  EXPECT_FALSE(registry->event_invoke_config("fn", ""));
  open();
  EXPECT_FALSE(registry->policy("fn", ""));
  EXPECT_FALSE(registry->event_invoke_config("fn", ""));
}

TEST_F(StoredTest, ATemplateTakingAnApiFunctionsNameDropsItsStoredState) {
  create("fn");
  run(registry->add_permission("fn", "", {{"Sid", "s"}}, std::nullopt));
  FunctionConfig taken = tmpl;
  taken.name = taken.logical_id = "fn";
  registry->set_template({tmpl, taken});
  EXPECT_FALSE(registry->policy("fn", ""));
  open({tmpl, taken});
  EXPECT_EQ(registry->find("fn")->origin, Origin::kTemplate);
  EXPECT_FALSE(registry->policy("fn", ""));
}

TEST_F(StoredTest, LayerVersionsAreNeverReused) {
  const LayerVersion one = publish("shared");
  EXPECT_EQ(one.version, 1);
  EXPECT_EQ(one.code_sha256.size(), 44u);
  EXPECT_TRUE(fs::is_regular_file(one.dir / "bin" / "tool"));
  EXPECT_EQ(publish("shared", "v2").version, 2);
  EXPECT_EQ(publish("other").version, 1);
  run(registry->delete_layer_version("shared", 2));
  run(registry->delete_layer_version("shared", 2));  // again: nothing to do, as on AWS
  EXPECT_FALSE(registry->layer_version("shared", 2));
  EXPECT_EQ(publish("shared", "v3").version, 3);
  open();
  EXPECT_EQ(registry->layer_version("shared", 1)->code_sha256, one.code_sha256);
  EXPECT_EQ(publish("shared", "v4").version, 4);
  std::vector<int> versions;
  for (const auto& l : registry->layer_versions("shared")) versions.push_back(l.version);
  EXPECT_EQ(versions, (std::vector<int>{4, 3, 1}));
  EXPECT_EQ(registry->layer_names(), (std::vector<std::string>{"other", "shared"}));
}

TEST_F(StoredTest, AFunctionUsesAPublishedLayerAndKeepsItAfterItsDeletion) {
  const LayerVersion layer = publish("shared");
  const std::string arn = "arn:aws:lambda:us-east-1:123456789012:layer:shared:1";
  EXPECT_EQ(registry->resolve_layers({arn}), std::vector<fs::path>{layer.dir});
  create("fn", {arn});
  EXPECT_EQ(registry->find("fn")->config.layers, std::vector<fs::path>{layer.dir});
  run(registry->delete_layer_version("shared", 1));
  EXPECT_EQ(error_of([&] { registry->resolve_layers({arn}); }).type,
            "InvalidParameterValueException");
  open();  // the start-up sweep keeps the code fn uses
  EXPECT_TRUE(fs::is_regular_file(layer.dir / "bin" / "tool"));
  EXPECT_TRUE(fs::is_regular_file(dir / "code" / (layer.code_hex + ".zip")));
  run(registry->remove("fn"));
  open();  // and removes it once nothing does
  EXPECT_FALSE(fs::exists(layer.dir));
}

TEST_F(StoredTest, ATemplateLayerIsVersionOneOfItsFolderName) {
  tmpl.layers = {dir / "layers" / "common"};
  fs::create_directories(tmpl.layers[0] / "bin");
  std::ofstream(tmpl.layers[0] / "bin" / "tool") << "x";
  registry->set_template({tmpl});
  const auto layer = registry->layer_version("common", 1);
  ASSERT_TRUE(layer);
  EXPECT_TRUE(layer->from_template);
  EXPECT_EQ(error_of([&] { run(registry->delete_layer_version("common", 1)); }).type,
            "ResourceConflictException");
  EXPECT_EQ(publish("common").version, 2);
  EXPECT_EQ(registry->layer_versions("common").size(), 2u);
  EXPECT_FALSE(run(registry->layer_zip("common", 1)).empty());
}

}  // namespace
}  // namespace lambdad::registry
