// The registry's versions and aliases: publishing (numbers never reused, an unchanged $LATEST
// answering the last version, the CodeSha256 condition, a template folder snapshotted), the
// alias rules, what the scheduler is handed, persistence across a restart, and a deleted
// qualifier's policy and event invoke config going with it.

#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace lambdad::registry {
namespace {

class VersionsTest : public RegistryTest {
 protected:
  FunctionRecord publish(const std::string& name, PublishRequest request = {}) {
    return run(registry->publish(name, std::move(request)));
  }
  AliasRecord alias(const std::string& name, const std::string& version,
                    std::map<std::string, double> weights = {}) {
    return AliasRecord{
        .function = "fn", .name = name, .function_version = version, .weights = std::move(weights)};
  }
  std::vector<std::string> version_names(const std::string& function) {
    std::vector<std::string> names;
    for (const auto& v : registry->versions(function)) names.push_back(v.version);
    return names;
  }
};

TEST_F(VersionsTest, PublishSnapshotsLatestUnderTheNextNumber) {
  CreateRequest request = create_request("fn", "one");
  request.publish = true;
  const FunctionRecord v1 = run(registry->create(std::move(request)));
  EXPECT_EQ(v1.version, "1");
  const FunctionRecord v1_again = publish("fn");
  EXPECT_EQ(v1_again.version, "1") << "nothing changed since version 1";
  EXPECT_EQ(v1_again.revision_id, v1.revision_id);

  const FunctionRecord latest =
      run(registry->update_code("fn", zip_of({{"bootstrap", "two"}}), std::nullopt, false));
  const auto wrong = error_of([&] { publish("fn", {.code_sha256 = v1.code_sha256}); });
  EXPECT_EQ(wrong.type, "InvalidParameterValueException");
  const FunctionRecord v2 =
      publish("fn", {.code_sha256 = latest.code_sha256, .description = "second"});
  EXPECT_EQ(v2.version, "2");
  EXPECT_EQ(v2.config.description, "second");
  EXPECT_EQ(v2.code_hex, latest.code_hex);
  EXPECT_EQ(version_names("fn"), (std::vector<std::string>{"$LATEST", "1", "2"}));
  EXPECT_EQ(registry->find_version("fn", "1")->code_hex, v1.code_hex);

  // A configuration change is a change too.
  ConfigPatch patch;
  patch.memory_mb = 512;
  run(registry->update_configuration("fn", patch, std::nullopt));
  EXPECT_EQ(publish("fn").version, "3");
  run(registry->remove_version("fn", "3"));
  patch.memory_mb = 1024;
  run(registry->update_configuration("fn", patch, std::nullopt));
  EXPECT_EQ(publish("fn").version, "4") << "a deleted version's number is not given again";
}

TEST_F(VersionsTest, PublishChecksTheRevisionAndRefusesWhileAnUpdateRuns) {
  run(registry->create(create_request("fn")));
  EXPECT_EQ(error_of([&] { publish("fn", {.revision_id = "stale"}); }).status, 412);
  EXPECT_EQ(error_of([&] { publish("nope"); }).status, 404);
  EXPECT_TRUE(version_names("fn") == std::vector<std::string>{"$LATEST"});
}

TEST_F(VersionsTest, AliasesRouteToVersionsThatExist) {
  CreateRequest request = create_request("fn", "one");
  request.publish = true;
  run(registry->create(std::move(request)));
  run(registry->update_code("fn", zip_of({{"bootstrap", "two"}}), std::nullopt, false, true));

  const AliasRecord made = run(registry->create_alias(alias("live", "1", {{"2", 0.25}})));
  EXPECT_EQ(made.revision_id.size(), 36u);
  EXPECT_EQ(registry->find_version("fn", "live")->version, "1");
  const Publications published = registry->publications();
  ASSERT_TRUE(published.contains("fn"));
  const AliasRouting& routing = published.at("fn").aliases.at("live");
  EXPECT_EQ(routing.version, "1");
  EXPECT_EQ(routing.additional_version, "2");
  EXPECT_DOUBLE_EQ(routing.additional_weight, 0.25);
  EXPECT_EQ(published.at("fn").versions.size(), 2u);

  for (const auto& [bad, type] : std::vector<std::pair<AliasRecord, std::string>>{
           {alias("x", "9"), "ResourceNotFoundException"},
           {alias("42", "1"), "ValidationException"},
           {alias("a b", "1"), "ValidationException"},
           {alias("x", "1", {{"2", 1.01}}), "ValidationException"},
           {alias("x", "1", {{"1", 0.5}}), "InvalidParameterValueException"},
           {alias("x", "$LATEST", {{"2", 0.5}}), "InvalidParameterValueException"},
           {alias("x", "1", {{"2", 0.1}, {"3", 0.1}}), "ValidationException"},
           {alias("live", "2"), "ResourceConflictException"},
       }) {
    EXPECT_EQ(error_of([&] { run(registry->create_alias(bad)); }).type, type) << bad.name;
  }
  EXPECT_EQ(registry->aliases("fn").size(), 1u);

  const auto in_use = error_of([&] { run(registry->remove_version("fn", "2")); });
  EXPECT_EQ(in_use.type, "ResourceConflictException");
  EXPECT_NE(in_use.message.find("live"), std::string::npos);
  const AliasRecord moved = run(registry->update_alias(
      "fn", "live", {.weights = std::map<std::string, double>{}}, made.revision_id));
  EXPECT_TRUE(moved.weights.empty());
  EXPECT_NE(moved.revision_id, made.revision_id);
  EXPECT_EQ(
      error_of([&] { run(registry->update_alias("fn", "live", {}, made.revision_id)); }).status,
      412);
  run(registry->remove_version("fn", "2"));
  run(registry->remove_alias("fn", "live"));
  EXPECT_EQ(error_of([&] { run(registry->remove_alias("fn", "live")); }).status, 404);
}

TEST_F(VersionsTest, VersionsAndAliasesSurviveARestartAndGoWithTheFunction) {
  CreateRequest request = create_request("fn", "one");
  request.publish = true;
  run(registry->create(std::move(request)));
  run(registry->update_code("fn", zip_of({{"bootstrap", "two"}}), std::nullopt, false, true));
  run(registry->create_alias(alias("live", "2", {{"1", 0.5}})));
  open();
  EXPECT_EQ(version_names("fn"), (std::vector<std::string>{"$LATEST", "1", "2"}));
  ASSERT_TRUE(registry->find_alias("fn", "live"));
  EXPECT_EQ(registry->find_alias("fn", "live")->weights.at("1"), 0.5);
  const std::string v1_code = registry->find_version("fn", "1")->code_hex;
  EXPECT_TRUE(fs::is_directory(dir / "code" / v1_code)) << "the start-up sweep keeps it";

  run(registry->remove("fn"));
  open();
  EXPECT_TRUE(registry->versions("fn").empty());
  CreateRequest again = create_request("fn", "three");
  again.publish = true;
  EXPECT_EQ(run(registry->create(std::move(again))).version, "1")
      << "a new function of the name starts again";
  EXPECT_TRUE(registry->aliases("fn").empty());
}

TEST_F(VersionsTest, ADeletedVersionOrAliasTakesItsPolicyAndEventInvokeConfig) {
  CreateRequest request = create_request("fn", "one");
  request.publish = true;
  run(registry->create(std::move(request)));
  run(registry->update_code("fn", zip_of({{"bootstrap", "two"}}), std::nullopt, false, true));
  run(registry->create_alias(alias("live", "1")));
  const nlohmann::json statement = {{"Sid", "s1"}, {"Effect", "Allow"}};
  for (const std::string qualifier : {"$LATEST", "1", "2", "live"}) {
    run(registry->add_permission("fn", qualifier, statement, std::nullopt));
    run(registry->put_event_invoke_config("fn", qualifier,
                                          EventInvokeConfig{.maximum_retry_attempts = 1}, false));
  }

  run(registry->remove_version("fn", "2"));
  run(registry->remove_alias("fn", "live"));
  const auto kept = [&](const std::string& qualifier) {
    return std::pair{registry->policy("fn", qualifier).has_value(),
                     registry->event_invoke_config("fn", qualifier).has_value()};
  };
  const std::pair both{true, true}, neither{false, false};
  EXPECT_EQ(kept("2"), neither);
  EXPECT_EQ(kept("live"), neither);
  EXPECT_EQ(kept("$LATEST"), both) << "only the deleted qualifier's state goes";
  EXPECT_EQ(kept("1"), both);
  EXPECT_EQ(registry->event_invoke_configs("fn").size(), 2u);

  // The rows went too, and a new alias of the name starts bare.
  open();
  EXPECT_EQ(kept("2"), neither);
  EXPECT_EQ(kept("live"), neither);
  EXPECT_EQ(kept("$LATEST"), both);
  EXPECT_EQ(kept("1"), both);
  run(registry->create_alias(alias("live", "1")));
  EXPECT_EQ(kept("live"), neither);
}

TEST_F(VersionsTest, ATemplateFunctionsVersionIsASnapshotOfItsFolder) {
  const fs::path folder = dir / "tmpl";
  fs::create_directories(folder);
  std::ofstream(folder / "bootstrap") << "one";
  FunctionConfig config;
  config.name = config.logical_id = "Tmpl";
  config.runtime = "provided.al2023";
  config.code_dir = folder;
  config.auto_publish_alias = "live";
  open({config});
  EXPECT_EQ(version_names("Tmpl"), (std::vector<std::string>{"$LATEST", "1"}));
  ASSERT_EQ(registry->aliases("Tmpl").size(), 1u);
  EXPECT_TRUE(registry->aliases("Tmpl")[0].from_template);
  EXPECT_FALSE(registry->publications().contains("Tmpl"))
      << "the scheduler derives the AutoPublishAlias version itself";

  const FunctionRecord v2 = publish("Tmpl");
  EXPECT_EQ(v2.version, "2");
  EXPECT_EQ(publish("Tmpl").version, "2") << "the same folder zips to the same bytes";
  EXPECT_NE(v2.config.code_dir, folder);
  std::ofstream(folder / "bootstrap") << "two";
  std::ifstream kept(v2.config.code_dir / "bootstrap");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "one");
  EXPECT_EQ(publish("Tmpl").version, "3");
  EXPECT_EQ(error_of([&] { run(registry->remove_version("Tmpl", "1")); }).type,
            "ResourceConflictException");

  open({config});
  EXPECT_EQ(version_names("Tmpl"), (std::vector<std::string>{"$LATEST", "1", "2", "3"}));
  EXPECT_EQ(registry->publications().at("Tmpl").versions.size(), 2u);
}

}  // namespace
}  // namespace lambdad::registry
