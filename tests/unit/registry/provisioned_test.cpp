// Provisioned concurrency configs: the spread over a weighted alias, the limits, the status, and
// in the registry the qualifier rules, one config per version, the template's config, what the
// scheduler is handed, persistence, and a deleted version or alias taking its config along.

#include "lambdad/registry/provisioned.hpp"

#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace lambdad::registry {
namespace {

TEST(ProvisionedSpread, AllOnOneVersionOrByWeight) {
  EXPECT_EQ(spread(4, "1"), (std::map<std::string, int>{{"1", 4}}));
  EXPECT_EQ(spread(10, "1", "2", 0.2), (std::map<std::string, int>{{"1", 8}, {"2", 2}}));
  EXPECT_EQ(spread(1, "1", "2", 0.2), (std::map<std::string, int>{{"1", 1}, {"2", 0}}))
      << "a share that rounds to nothing still covers the version";
  EXPECT_EQ(spread(3, "1", "2", 0.5), (std::map<std::string, int>{{"1", 1}, {"2", 2}}));
  EXPECT_EQ(spread(3, "1", "2", 1.0), (std::map<std::string, int>{{"1", 0}, {"2", 3}}));
}

TEST(ProvisionedLimits, ReservationAndUnreservedMinimum) {
  EXPECT_NO_THROW(check_provisioned(1000, 900, 5, 5, 0));
  const AwsError over = error_of([] { check_provisioned(1000, 900, 5, 6, 0); });
  EXPECT_EQ(over.status, 400);
  EXPECT_EQ(over.type, "InvalidParameterValueException");
  EXPECT_EQ(over.message,
            "Requested Provisioned Concurrency should not be greater than the "
            "reservedConcurrentExecution for function");
  EXPECT_NO_THROW(check_provisioned(1000, 1000, std::nullopt, 900, 900));
  const AwsError pool = error_of([] { check_provisioned(1000, 1000, std::nullopt, 10, 901); });
  EXPECT_EQ(pool.type, "InvalidParameterValueException");
  EXPECT_EQ(pool.message,
            "Specified ConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].");
  EXPECT_EQ(error_of([] { check_provisioned(10, 10, std::nullopt, 10, 10); }).status, 400);
  EXPECT_NO_THROW(check_provisioned(10, 10, std::nullopt, 9, 9));
}

TEST(ProvisionedStatusTest, ReadyOnceEachVersionHasItsShare) {
  ProvisionedConfig config{.requested = 3, .shares = {{"1", 2}, {"2", 1}}};
  ProvisionedStatus s = provisioned_status(config, {});
  EXPECT_STREQ(s.status, "IN_PROGRESS");
  EXPECT_EQ(s.allocated, 0);
  s = provisioned_status(config, {{"1", 5}});
  EXPECT_STREQ(s.status, "IN_PROGRESS");
  EXPECT_EQ(s.allocated, 2) << "a version's extra workers count for its share only";
  s = provisioned_status(config, {{"1", 2}, {"2", 1}, {"$LATEST", 4}});
  EXPECT_STREQ(s.status, "READY");
  EXPECT_EQ(s.allocated, 3);
  EXPECT_STREQ(provisioned_status(ProvisionedConfig{.requested = 1}, {}).status, "IN_PROGRESS");
}

class ProvisionedTest : public RegistryTest {
 protected:
  /// "fn" with versions 1, 2 and 3.
  void three_versions() {
    CreateRequest request = create_request("fn", "one");
    request.publish = true;
    run(registry->create(std::move(request)));
    run(registry->update_code("fn", zip_of({{"bootstrap", "two"}}), std::nullopt, false, true));
    run(registry->update_code("fn", zip_of({{"bootstrap", "three"}}), std::nullopt, false, true));
  }
  AliasRecord alias(const std::string& name, const std::string& version,
                    std::map<std::string, double> weights = {}) {
    return AliasRecord{
        .function = "fn", .name = name, .function_version = version, .weights = std::move(weights)};
  }
  ProvisionedConfig put(const std::string& qualifier, int n, const std::string& fn = "fn") {
    return run(registry->put_provisioned(fn, qualifier, n));
  }
  int floor_of(const std::string& version) {
    return registry->publications().at("fn").versions.at(version).provisioned;
  }
};

TEST_F(ProvisionedTest, AnAliasConfigGoesToItsVersionsAndFollowsTheAlias) {
  three_versions();
  run(registry->create_alias(alias("live", "1", {{"2", 0.5}})));
  const int before = changes;
  const ProvisionedConfig made = put("live", 4);
  EXPECT_GT(changes, before) << "the scheduler is handed the new floor";
  EXPECT_EQ(made.requested, 4);
  EXPECT_EQ(made.last_modified_ms, clock_ms);
  EXPECT_EQ(made.shares, (std::map<std::string, int>{{"1", 2}, {"2", 2}}));
  EXPECT_EQ(floor_of("1"), 2);
  EXPECT_EQ(floor_of("2"), 2);
  EXPECT_EQ(floor_of("3"), 0);

  const AliasRecord current = *registry->find_alias("fn", "live");
  run(registry->update_alias("fn", "live",
                             {.function_version = "3", .weights = std::map<std::string, double>{}},
                             current.revision_id));
  EXPECT_EQ(floor_of("1"), 0);
  EXPECT_EQ(floor_of("3"), 4);
  EXPECT_EQ(registry->provisioned_config("fn", "live")->shares,
            (std::map<std::string, int>{{"3", 4}}));

  put("live", 1);  // a Put replaces
  EXPECT_EQ(floor_of("3"), 1);
  ASSERT_EQ(registry->provisioned_configs("fn").size(), 1u);
  run(registry->delete_provisioned("fn", "live"));
  EXPECT_EQ(floor_of("3"), 0);
  EXPECT_FALSE(registry->provisioned_config("fn", "live"));
  run(registry->delete_provisioned("fn", "live"));  // idempotent, as AWS's
}

TEST_F(ProvisionedTest, QualifierRules) {
  three_versions();
  run(registry->create_alias(alias("latest", "$LATEST")));
  for (const std::string q : {"", "$LATEST", "latest"}) {
    const AwsError e = error_of([&] { put(q, 1); });
    EXPECT_EQ(e.type, "InvalidParameterValueException") << q;
    EXPECT_EQ(
        e.message,
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  }
  EXPECT_EQ(error_of([&] { put("9", 1); }).status, 404);
  EXPECT_EQ(error_of([&] { put("nope", 1); }).status, 404);
  EXPECT_EQ(error_of([&] { put("1", 1, "ghost"); }).status, 404);
  EXPECT_EQ(error_of([&] { (void)registry->provisioned_config("fn", "$LATEST"); }).message,
            "The function resource provided must be an alias or a published version.");
  EXPECT_EQ(error_of([&] { (void)registry->provisioned_config("fn", "9"); }).status, 404);
  EXPECT_FALSE(registry->provisioned_config("fn", "1"));
  EXPECT_TRUE(registry->provisioned_configs("fn").empty()) << "refused requests wrote nothing";
}

TEST_F(ProvisionedTest, OneConfigPerVersion) {
  three_versions();
  run(registry->create_alias(alias("live", "1", {{"2", 0.1}})));
  run(registry->create_alias(alias("other", "2")));
  put("2", 1);
  const AwsError through_alias = error_of([&] { put("live", 2); });
  EXPECT_EQ(through_alias.type, "ResourceConflictException");
  EXPECT_EQ(through_alias.message,
            "Alias can't be used for Provisioned Concurrency configuration on an already "
            "Provisioned version");
  EXPECT_EQ(error_of([&] { put("other", 1); }).type, "ResourceConflictException");
  run(registry->delete_provisioned("fn", "2"));
  put("live", 2);
  const AwsError version = error_of([&] { put("2", 1); });
  EXPECT_EQ(version.type, "ResourceConflictException");
  EXPECT_EQ(version.message, "Version is pointed by a Provisioned Concurrency alias");
  EXPECT_EQ(error_of([&] { put("1", 1); }).type, "ResourceConflictException");
  put("3", 1);
  // An alias with a config may not move onto a version that has one.
  const AliasRecord live = *registry->find_alias("fn", "live");
  EXPECT_EQ(
      error_of([&] {
        run(registry->update_alias("fn", "live", {.function_version = "3"}, live.revision_id));
      }).type,
      "ResourceConflictException");
  EXPECT_EQ(error_of([&] {
              run(registry->update_alias(
                  "fn", "live",
                  {.function_version = "$LATEST", .weights = std::map<std::string, double>{}},
                  live.revision_id));
            }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(registry->find_alias("fn", "live")->function_version, "1");
}

TEST_F(ProvisionedTest, LimitsAgainstTheReservationAndThePool) {
  three_versions();
  run(registry->put_concurrency("fn", 5));
  put("1", 3);
  EXPECT_EQ(error_of([&] { put("2", 3); }).message,
            "Requested Provisioned Concurrency should not be greater than the "
            "reservedConcurrentExecution for function");
  put("2", 2);
  EXPECT_EQ(error_of([&] { run(registry->put_concurrency("fn", 4)); }).message,
            "Specified ReservedConcurrentExecutions for function is less than the function's total "
            "provisioned concurrency [5].");
  run(registry->delete_concurrency("fn"));
  // Without a reservation the configs come out of the unreserved pool, which keeps 100 of 1,000.
  EXPECT_EQ(error_of([&] { put("3", 896); }).type, "InvalidParameterValueException");
  put("3", 895);
  EXPECT_EQ(error_of([&] { put("3", 896); }).type, "InvalidParameterValueException");
  put("3", 10);  // lowering is never refused
  EXPECT_EQ(registry->provisioned_config("fn", "3")->requested, 10);
}

TEST_F(ProvisionedTest, ConfigsPersistAndGoWithTheirVersionAliasOrFunction) {
  three_versions();
  run(registry->create_alias(alias("live", "1")));
  put("live", 2);
  put("3", 1);
  open();
  ASSERT_EQ(registry->provisioned_configs("fn").size(), 2u);
  EXPECT_EQ(registry->provisioned_config("fn", "live")->requested, 2);
  EXPECT_EQ(floor_of("1"), 2);
  EXPECT_EQ(floor_of("3"), 1);

  run(registry->remove_version("fn", "3"));
  run(registry->remove_alias("fn", "live"));
  EXPECT_TRUE(registry->provisioned_configs("fn").empty());
  // A new alias or version of the same name does not inherit it, even after a restart.
  run(registry->create_alias(alias("live", "1")));
  open();
  EXPECT_TRUE(registry->provisioned_configs("fn").empty());
  EXPECT_EQ(floor_of("1"), 0);

  put("live", 1);
  run(registry->remove("fn"));
  open();
  three_versions();
  run(registry->create_alias(alias("live", "1")));
  EXPECT_TRUE(registry->provisioned_configs("fn").empty());
}

TEST_F(ProvisionedTest, TheTemplatesConfigShowsAndIsTheTemplates) {
  const fs::path folder = dir / "tmpl";
  fs::create_directories(folder);
  std::ofstream(folder / "bootstrap") << "one";
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "fn";
  tmpl.runtime = "provided.al2023";
  tmpl.code_dir = folder;
  tmpl.auto_publish_alias = "live";
  tmpl.provisioned_concurrency = 2;
  open({tmpl});
  const std::optional<ProvisionedConfig> shown = registry->provisioned_config("fn", "live");
  ASSERT_TRUE(shown);
  EXPECT_TRUE(shown->from_template);
  EXPECT_EQ(shown->requested, 2);
  EXPECT_EQ(shown->shares, (std::map<std::string, int>{{"1", 2}}));
  EXPECT_EQ(registry->provisioned_configs("fn").size(), 1u);
  EXPECT_EQ(error_of([&] { put("live", 3); }).status, 409);
  EXPECT_EQ(error_of([&] { put("1", 3); }).status, 409);
  EXPECT_EQ(error_of([&] { run(registry->delete_provisioned("fn", "live")); }).status, 409);
  EXPECT_EQ(registry->provisioned_config("fn", "live")->requested, 2);
  // Its total counts against a reservation.
  EXPECT_EQ(error_of([&] { run(registry->put_concurrency("fn", 1)); }).status, 400);
}

}  // namespace
}  // namespace lambdad::registry
