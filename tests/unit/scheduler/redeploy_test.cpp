// Which functions a redeploy keeps warm: keeps_workers' rule, and Scheduler::redeploy applying it
// to pools (no worker is started: nothing is provisioned and nothing invoked).
#include <gtest/gtest.h>

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/scheduler/pool.hpp"
#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::scheduler {
namespace {

FunctionConfig config(const std::string& name) {
  FunctionConfig c;
  c.logical_id = name;
  c.name = name;
  c.runtime = "provided.al2023";
  c.code_dir = "/tmp/lambdad-redeploy-test/" + name;
  c.environment = {{"A", "1"}};
  c.properties = {{"Runtime", "provided.al2023"}, {"Events", {{"Get", {{"Type", "HttpApi"}}}}}};
  c.events = {EventSource{.name = "Get", .type = "HttpApi", .line = 12}};
  c.line = 10;
  return c;
}

Function deployed(const FunctionConfig& c, std::string code) {
  Function fn;
  fn.config = c;
  fn.code_fingerprint = std::move(code);
  return fn;
}

TEST(KeepsWorkers, SameSettingsAndCode) {
  const Function before = deployed(config("Fn"), "abc");
  EXPECT_TRUE(keeps_workers(before, config("Fn"), "abc"));
  EXPECT_FALSE(keeps_workers(before, config("Fn"), "abd")) << "the code changed";
  EXPECT_FALSE(keeps_workers(before, config("Fn"), "")) << "the code is unknown";
  EXPECT_FALSE(keeps_workers(deployed(config("Fn"), ""), config("Fn"), ""));
}

TEST(KeepsWorkers, EventsAndLinesAreTheGatewaysBusiness) {
  const Function before = deployed(config("Fn"), "abc");
  FunctionConfig after = config("Fn");
  after.line = 30;
  after.events.push_back(EventSource{.name = "Post", .type = "Api", .line = 40});
  after.events[0].line = 33;
  after.properties["Events"]["Post"] = {{"Type", "Api"}};
  EXPECT_TRUE(keeps_workers(before, after, "abc"));
}

TEST(KeepsWorkers, EventInvokeConfigAndTagsAreNotTheWorkers) {
  const Function before = deployed(config("Fn"), "abc");
  FunctionConfig after = config("Fn");
  after.event_invoke_config = {{"MaximumRetryAttempts", 0}};
  after.properties["EventInvokeConfig"] = after.event_invoke_config;
  after.properties["Tags"] = {{"team", "a"}};
  EXPECT_TRUE(keeps_workers(before, after, "abc"));
}

TEST(KeepsWorkers, WhatAWorkerSeesIsNot) {
  const Function before = deployed(config("Fn"), "abc");
  auto changed = [&](auto edit) {
    FunctionConfig after = config("Fn");
    edit(after);
    return !keeps_workers(before, after, "abc");
  };
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.environment["A"] = "2"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.memory_mb = 256; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.timeout_s = 30; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.handler = "other"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.runtime = "provided.al2"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.code_dir = "/elsewhere"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.layers.push_back("/opt/layer"); }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.auto_publish_alias = "live"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.log_format = "JSON"; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.network = false; }));
  EXPECT_TRUE(changed([](FunctionConfig& c) { c.properties["Tracing"] = "Active"; }));
}

TEST(KeepsWorkers, TheReservationIsTheSchedulersOwn) {
  // PutFunctionConcurrency, or a template that only changes ReservedConcurrentExecutions, keeps
  // the warm workers: no worker reads it.
  const Function before = deployed(config("Fn"), "abc");
  FunctionConfig after = config("Fn");
  after.reserved_concurrency = 2;
  after.properties["ReservedConcurrentExecutions"] = 2;
  EXPECT_TRUE(keeps_workers(before, after, "abc"));
}

class RedeployTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  std::unique_ptr<sandbox::ProcessLauncher> launcher_ = sandbox::make_posix_launcher();
  Scheduler scheduler_{io_.get_executor(), *launcher_, nullptr, SchedulerSettings{}};

  const Pool* pool(const std::string& name) { return scheduler_.pool_for_test(name, "$LATEST"); }
};

TEST_F(RedeployTest, UnchangedFunctionsKeepTheirPools) {
  scheduler_.deploy({config("Same"), config("Edited"), config("Gone"), config("Moved")},
                    {{"Same", "s"}, {"Edited", "e"}, {"Gone", "g"}, {"Moved", "m"}});
  const Pool* same = pool("Same");
  const Pool* edited = pool("Edited");
  const Pool* moved = pool("Moved");

  FunctionConfig moved_config = config("Moved");
  moved_config.line = 99;  // only moved down in the template
  moved_config.events.clear();
  const auto swapped =
      scheduler_.redeploy({config("Same"), config("Edited"), config("New"), moved_config},
                          {{"Same", "s"}, {"Edited", "e2"}, {"New", "n"}, {"Moved", "m"}});

  EXPECT_EQ(swapped.kept, (std::vector<std::string>{"Same", "Moved"}));
  EXPECT_EQ(swapped.replaced, (std::vector<std::string>{"Edited"}));
  EXPECT_EQ(swapped.added, (std::vector<std::string>{"New"}));
  EXPECT_EQ(swapped.removed, (std::vector<std::string>{"Gone"}));
  EXPECT_EQ(pool("Same"), same);
  EXPECT_EQ(pool("Moved"), moved);
  EXPECT_NE(pool("Edited"), edited);
  EXPECT_EQ(scheduler_.describe("Moved", "").config.line, 99) << "the new config is kept";
  EXPECT_TRUE(scheduler_.describe("Moved", "").config.events.empty());
  EXPECT_EQ(scheduler_.describe("Edited", "").code_fingerprint, "e2");
  std::vector<std::string> names;
  for (const auto& f : scheduler_.stats().functions) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Edited", "Moved", "New", "Same"}));
}

TEST_F(RedeployTest, ANewReservationKeepsThePoolAndTakesEffectAtOnce) {
  scheduler_.deploy({config("Fn")}, {{"Fn", "f"}});
  const Pool* before = pool("Fn");
  FunctionConfig disabled = config("Fn");
  disabled.reserved_concurrency = 0;
  const auto swapped = scheduler_.redeploy({disabled}, {{"Fn", "f"}});
  EXPECT_EQ(swapped.kept, (std::vector<std::string>{"Fn"}));
  EXPECT_EQ(pool("Fn"), before);
  EXPECT_EQ(scheduler_.describe("Fn", "").config.reserved_concurrency, 0);
  auto call =
      boost::asio::co_spawn(io_, scheduler_.invoke({.function = "Fn"}), boost::asio::use_future);
  io_.poll();  // refused before it waits for anything
  ASSERT_EQ(call.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  try {
    call.get();
    ADD_FAILURE() << "a function reserved at 0 ran";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status, 429);
    EXPECT_EQ(e.reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  }
}

TEST_F(RedeployTest, StatsListEachVersionsWorkers) {
  FunctionConfig published = config("Published");
  published.auto_publish_alias = "live";
  scheduler_.deploy({config("Fn"), published});
  const Stats stats = scheduler_.stats();
  ASSERT_EQ(stats.functions.size(), 2u);
  EXPECT_EQ(stats.functions[0].name, "Fn");
  ASSERT_EQ(stats.functions[0].versions.size(), 1u);
  EXPECT_EQ(stats.functions[0].versions[0].version, "$LATEST");
  EXPECT_EQ(stats.functions[0].versions[0].workers, 0u);
  EXPECT_EQ(stats.functions[0].in_flight, 0);
  ASSERT_EQ(stats.functions[1].versions.size(), 2u);
  EXPECT_EQ(stats.functions[1].versions[1].version, "1");
  EXPECT_EQ(stats.draining_workers, 0u);
  EXPECT_EQ(scheduler_.list().size(), 2u);
  EXPECT_EQ(scheduler_.describe("Published", "live").version, "1");
  EXPECT_THROW(scheduler_.check_exists("Nope", ""), AwsError);
}

TEST_F(RedeployTest, WithoutFingerprintsEveryFunctionIsReplaced) {
  scheduler_.deploy({config("Fn")}, {{"Fn", "f"}});
  const Pool* before = pool("Fn");
  const auto swapped = scheduler_.redeploy({config("Fn")});  // as serve --git does
  EXPECT_EQ(swapped.replaced, (std::vector<std::string>{"Fn"}));
  EXPECT_TRUE(swapped.kept.empty());
  EXPECT_NE(pool("Fn"), before);
  EXPECT_EQ(scheduler_.describe("Fn", "").code_fingerprint, "");
}

}  // namespace
}  // namespace lambdad::scheduler
