// Published versions and aliases in the scheduler: an alias's weights (the share measured over
// many draws), each version's own configuration, and a redeploy keeping a version's pool while
// its snapshot holds (no worker is started: nothing is provisioned and nothing invoked).
#include <gtest/gtest.h>

#include <random>

#include <boost/asio/io_context.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/function_versions.hpp"
#include "lambdad/scheduler/pool.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::scheduler {
namespace {

TEST(RouteAlias, TheAdditionalVersionTakesItsShare) {
  const AliasRouting alias{.version = "1", .additional_version = "2", .additional_weight = 0.2};
  EXPECT_EQ(route_alias(alias, 0.0), "2");
  EXPECT_EQ(route_alias(alias, 0.1999), "2");
  EXPECT_EQ(route_alias(alias, 0.2), "1");
  EXPECT_EQ(route_alias(alias, 0.9999), "1");
  EXPECT_EQ(route_alias({.version = "1"}, 0.0), "1");
  EXPECT_EQ(
      route_alias({.version = "1", .additional_version = "2", .additional_weight = 1.0}, 0.9999),
      "2");
  EXPECT_EQ(route_alias({.version = "1", .additional_version = "2", .additional_weight = 0.0}, 0.0),
            "1");
}

FunctionConfig config(const std::string& name, int memory = 128) {
  FunctionConfig c;
  c.logical_id = c.name = name;
  c.runtime = "provided.al2023";
  c.code_dir = "/tmp/lambdad-versions-test/" + name;
  c.memory_mb = memory;
  return c;
}

class SchedulerVersionsTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  std::unique_ptr<sandbox::ProcessLauncher> launcher_ = sandbox::make_posix_launcher();
  Scheduler scheduler_{io_.get_executor(), *launcher_, nullptr, SchedulerSettings{}};

  static Publications published(std::map<std::string, double> weights = {}) {
    FunctionVersions v;
    v.versions["1"] = {config("Fn", 256), "code:one", 0};
    v.versions["2"] = {config("Fn", 512), "code:two", 0};
    AliasRouting& live = v.aliases["live"];
    live.version = "1";
    if (!weights.empty()) {
      live.additional_version = weights.begin()->first;
      live.additional_weight = weights.begin()->second;
    }
    return {{"Fn", v}};
  }
  const Pool* pool(const std::string& version) { return scheduler_.pool_for_test("Fn", version); }
};

TEST_F(SchedulerVersionsTest, EachVersionHasItsOwnConfiguration) {
  scheduler_.deploy({config("Fn")}, {{"Fn", "latest"}}, published());
  EXPECT_EQ(scheduler_.describe("Fn", "").config.memory_mb, 128);
  EXPECT_EQ(scheduler_.describe("Fn", "1").config.memory_mb, 256);
  EXPECT_EQ(scheduler_.describe("Fn", "2").config.memory_mb, 512);
  EXPECT_EQ(scheduler_.describe("Fn:live", "").version, "1");
  EXPECT_EQ(pool("2")->config().memory_mb, 512);
  EXPECT_THROW(scheduler_.describe("Fn", "3"), AwsError);
  EXPECT_THROW(scheduler_.describe("Fn:1", "2"), AwsError) << "two different qualifiers";
}

TEST_F(SchedulerVersionsTest, ARedeployKeepsTheVersionsThatHold) {
  scheduler_.deploy({config("Fn")}, {{"Fn", "latest"}}, published());
  const Pool* latest = pool("$LATEST");
  const Pool* one = pool("1");
  const Pool* two = pool("2");
  // $LATEST changes and version 2 is deleted; version 1 is immutable and stays warm.
  Publications next = published({});
  next["Fn"].versions.erase("2");
  scheduler_.redeploy({config("Fn", 1024)}, {{"Fn", "latest"}}, next);
  EXPECT_NE(pool("$LATEST"), latest);
  EXPECT_EQ(pool("1"), one);
  EXPECT_EQ(pool("2"), nullptr);
  (void)two;
  EXPECT_EQ(scheduler_.stats().draining_workers, 0u);
  // A provisioned count changes on the same pool.
  next["Fn"].versions["1"].provisioned = 0;
  scheduler_.redeploy({config("Fn", 1024)}, {{"Fn", "latest"}}, next);
  EXPECT_EQ(pool("1"), one);
}

TEST_F(SchedulerVersionsTest, TheTemplatesAutoPublishAliasIsAddedToThePublished) {
  FunctionConfig c = config("Fn");
  c.auto_publish_alias = "prod";
  FunctionVersions v;
  v.versions["2"] = {config("Fn", 512), "code:two", 0};
  scheduler_.deploy({c}, {{"Fn", "latest"}}, {{"Fn", v}});
  EXPECT_EQ(scheduler_.describe("Fn", "prod").version, "1");
  EXPECT_EQ(scheduler_.describe("Fn", "2").config.memory_mb, 512);
  EXPECT_EQ(scheduler_.describe("Fn", "1").config.memory_mb, 128);
}

}  // namespace
}  // namespace lambdad::scheduler
