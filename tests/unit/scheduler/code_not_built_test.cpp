// A function whose code is not built yet (FunctionConfig::missing_code): invocations answer the
// runtime's error naming the path at once, and no worker starts, not even a provisioned one.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::scheduler {
namespace {

FunctionConfig not_built(const std::string& name, const std::string& runtime) {
  FunctionConfig c;
  c.logical_id = name;
  c.name = name;
  c.runtime = runtime;
  c.handler = "app.handler";
  c.code_dir = "/tmp/lambdad-not-built-test/build/" + name;
  c.missing_code = {c.code_dir, "/tmp/lambdad-not-built-test/package"};
  c.auto_publish_alias = "live";
  c.provisioned_concurrency = 2;
  return c;
}

class CodeNotBuiltTest : public ::testing::Test {
 protected:
  InvokeResult invoke(const std::string& name, bool tail = false) {
    auto future = boost::asio::co_spawn(
        io_, scheduler_.invoke({.function = name, .payload = "{}", .tail = tail}),
        boost::asio::use_future);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() < give_up) {
      io_.run_one_for(std::chrono::milliseconds(100));
    }
    if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ADD_FAILURE() << "the invocation did not end";
      return {};
    }
    return future.get();
  }

  boost::asio::io_context io_;
  std::unique_ptr<sandbox::ProcessLauncher> launcher_ = sandbox::make_posix_launcher();
  Scheduler scheduler_{io_.get_executor(), *launcher_, nullptr, SchedulerSettings{}};
};

TEST_F(CodeNotBuiltTest, ManagedRuntimeAnswersImportModuleErrorNamingThePaths) {
  scheduler_.deploy({not_built("Py", "python3.12")});
  EXPECT_EQ(scheduler_.worker_count(), 0u) << "provisioned workers are not started";
  const InvokeResult r = invoke("Py", true);
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_EQ(r.outcome, worker::Outcome::kInitError);
  const auto payload = nlohmann::json::parse(r.payload);
  EXPECT_EQ(payload["errorType"], "Runtime.ImportModuleError");
  EXPECT_EQ(payload["errorMessage"],
            "the function's code is not built: CodeUri /tmp/lambdad-not-built-test/build/Py, "
            "layer /tmp/lambdad-not-built-test/package do not exist (build the project; lambdad "
            "serves the function once its code appears)");
  EXPECT_FALSE(r.request_id.empty());
  EXPECT_NE(r.log_tail.find("Runtime.ImportModuleError"), std::string::npos);
  EXPECT_EQ(scheduler_.worker_count(), 0u);
}

TEST_F(CodeNotBuiltTest, ProvidedRuntimeAnswersInvalidEntrypoint) {
  scheduler_.deploy({not_built("Rust", "provided.al2023")});
  const InvokeResult r = invoke("Rust");
  EXPECT_EQ(r.outcome, worker::Outcome::kInvalidEntrypoint);
  EXPECT_EQ(nlohmann::json::parse(r.payload)["errorType"], "Runtime.InvalidEntrypoint");
  EXPECT_TRUE(r.log_tail.empty());
}

}  // namespace
}  // namespace lambdad::scheduler
