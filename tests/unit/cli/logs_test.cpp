// `lambdad logs` end to end in-process: a real database, and for --endpoint a real HTTP server
// speaking the CloudWatch Logs JSON protocol over handle_logs_call.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "lambdad/cli/commands.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/control_api/logs_api.hpp"
#include "lambdad/store/store.hpp"
#include "unit/control_api/test_server.hpp"
#include "unit/store/temp_dir.hpp"

namespace lambdad::cli {
namespace {

using namespace std::chrono_literals;
using testing::TestServer;

constexpr const char* kA = "2024/01/01/[$LATEST]aaaa";
constexpr const char* kB = "2024/01/01/[$LATEST]bbbb";

/// Points a file descriptor (1 or 2) at a file for the object's lifetime.
class Redirect {
 public:
  Redirect(int fd, const std::filesystem::path& file) : fd_(fd), saved_(dup(fd)) {
    std::fflush(nullptr);
    const int target = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(target, fd);
    ::close(target);
  }
  ~Redirect() {
    std::fflush(nullptr);
    dup2(saved_, fd_);
    ::close(saved_);
  }

 private:
  int fd_, saved_;
};

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Result {
  int code = -1;
  std::string out, err;
};

class LogsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = store::Store::open(state / "lambdad.db");
    store->append(
        {"hello", "$LATEST", kA, "r1", 1704067200123, "START RequestId: r1 Version: $LATEST"});
    store->append({"hello", "$LATEST", kB, "r2", 1704067200050, "other stream first"});
    store->append({"hello", "$LATEST", kA, "r1", 1704067200200, "ERROR something broke  "});
    store->append({"hello", "$LATEST", kA, "r1", 1704067201000,
                   "REPORT RequestId: r1\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"});
    store->append({"quiet", "$LATEST", kB, "r3", 1704067300000, "quiet line"});
    store->flush();
  }

  Result run(std::vector<std::string> args) {
    const std::vector<std::string_view> views(args.begin(), args.end());
    Result r;
    {
      Redirect out(1, dir / "stdout"), err(2, dir / "stderr");
      r.code = logs(Args(views));
    }
    r.out = read_file(dir / "stdout");
    r.err = read_file(dir / "stderr");
    return r;
  }

  /// A server that checks the wire format and answers with handle_logs_call.
  std::unique_ptr<TestServer> logs_server() {
    return std::make_unique<TestServer>([this](const TestServer::Request& req) {
      namespace http = boost::beast::http;
      TestServer::Response res{http::status::ok, 11};
      res.set(http::field::content_type, control_api::kLogsContentType);
      const std::string target(req["X-Amz-Target"]);
      if (req.method() != http::verb::post || req.target() != "/" ||
          req[http::field::content_type] != control_api::kLogsContentType ||
          !target.starts_with(control_api::kLogsTargetPrefix)) {
        res.result(http::status::bad_request);
        res.body() = R"({"__type":"WireFormatWrong","message":"bad request shape"})";
        return res;
      }
      try {
        auto reader = store::LogReader::open(state / "lambdad.db");
        res.body() =
            control_api::handle_logs_call(target.substr(control_api::kLogsTargetPrefix.size()),
                                          nlohmann::json::parse(req.body()), *reader)
                .dump();
      } catch (const AwsError& e) {
        res.result(e.status);
        res.body() = nlohmann::json{{"__type", e.type}, {"message", e.message}}.dump();
      }
      return res;
    });
  }

  testing::TempDir dir;
  std::filesystem::path state = dir / "state";
  std::unique_ptr<store::Store> store;
};

const std::string kAllHello =
    "2024-01-01T00:00:00.050000+00:00 2024/01/01/[$LATEST]bbbb other stream first\n"
    "2024-01-01T00:00:00.123000+00:00 2024/01/01/[$LATEST]aaaa START RequestId: r1 Version: "
    "$LATEST\n"
    "2024-01-01T00:00:00.200000+00:00 2024/01/01/[$LATEST]aaaa ERROR something broke\n"
    "2024-01-01T00:00:01.000000+00:00 2024/01/01/[$LATEST]aaaa REPORT RequestId: r1\tDuration: "
    "1.00 ms\tBilled Duration: 1 ms\n";

TEST_F(LogsCliTest, PrintsEveryEventInTimeOrderLikeAwsLogsTail) {
  const Result r = run({"hello", "--state-dir", state.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kAllHello);
  EXPECT_EQ(r.err, "");
}

TEST_F(LogsCliTest, AcceptsTheLogGroupNameAndFiltersBySinceAndPattern) {
  EXPECT_EQ(run({"/aws/lambda/hello", "--state-dir", state.string()}).out, kAllHello);
  EXPECT_EQ(run({"hello", "--state-dir=" + state.string(), "--filter", "?ERROR ?REPORT", "--since",
                 "2024-01-01T00:00:00.150Z"})
                .out,
            "2024-01-01T00:00:00.200000+00:00 2024/01/01/[$LATEST]aaaa ERROR something broke\n"
            "2024-01-01T00:00:01.000000+00:00 2024/01/01/[$LATEST]aaaa REPORT RequestId: "
            "r1\tDuration: 1.00 ms\tBilled Duration: 1 ms\n");
  EXPECT_EQ(run({"hello", "--state-dir", state.string(), "--since", "2024-01-01T01:00:00+01:00",
                 "--filter", "other"})
                .out,
            "2024-01-01T00:00:00.050000+00:00 2024/01/01/[$LATEST]bbbb other stream first\n");
  EXPECT_EQ(run({"hello", "--state-dir", state.string(), "--since", "10m"}).out, "");
  EXPECT_EQ(run({"hello", "--state-dir", state.string(), "--since", "1000w"}).out, kAllHello);
}

TEST_F(LogsCliTest, DefaultStateDirIsDotLambdadInTheCurrentFolder) {
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::filesystem::rename(state, dir / ".lambdad");
  const Result r = run({"hello"});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kAllHello);
}

TEST_F(LogsCliTest, MissingDatabaseNamesThePathItLookedAt) {
  const Result r = run({"hello", "--state-dir", (dir / "nowhere").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find((dir / "nowhere" / "lambdad.db").string()), std::string::npos) << r.err;
}

TEST_F(LogsCliTest, UnknownFunctionOrEmptyDatabaseIsAnError) {
  Result r = run({"nope", "--state-dir", state.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("'nope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hello, quiet"), std::string::npos) << r.err;

  store::Store::open(dir / "empty" / "lambdad.db");
  r = run({"hello", "--state-dir", (dir / "empty").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no log events"), std::string::npos) << r.err;
}

TEST_F(LogsCliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"a", "b"},
           {"hello", "--bogus"},
           {"hello", "--since", "yesterday"},
           {"hello", "--since", "2024-13-01"},
           {"hello", "--filter", "{ $.level = 1 }"},
           {"hello", "--endpoint", "https://x"},
           {"hello", "--endpoint", "http://127.0.0.1:1", "--state-dir", "x"},
       }) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << (args.empty() ? "" : args.back());
    EXPECT_NE(r.err.find("usage: lambdad logs"), std::string::npos);
  }
  const Result help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--follow"), std::string::npos);
}

TEST_F(LogsCliTest, EndpointModeSpeaksTheCloudWatchLogsProtocol) {
  auto server = logs_server();
  Result r = run({"hello", "--endpoint", server->url()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kAllHello);
  r = run({"hello", "--endpoint", server->url(), "--filter", "ERROR"});
  EXPECT_EQ(r.out,
            "2024-01-01T00:00:00.200000+00:00 2024/01/01/[$LATEST]aaaa ERROR something broke\n");
  r = run({"nope", "--endpoint", server->url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/aws/lambda/nope"), std::string::npos) << r.err;
}

TEST_F(LogsCliTest, EndpointModePagesThroughLargeResults) {
  for (int i = 0; i < 25000; ++i) {
    store->append({"big", "$LATEST", kA, "r", 1704067200000 + i, "line " + std::to_string(i)});
  }
  store->flush();
  auto server = logs_server();
  const Result r = run({"big", "--endpoint", server->url()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 25000);
  EXPECT_NE(r.out.find(" line 24999\n"), std::string::npos);
}

TEST_F(LogsCliTest, UnreachableEndpointIsAnError) {
  const Result r = run({"hello", "--endpoint", "http://127.0.0.1:1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

/// Runs `logs --follow` on a thread, appends events, and waits (bounded) until they are printed.
void follow_prints_new_events(store::Store& store, const std::filesystem::path& dir,
                              std::vector<std::string> args) {
  int code = -1;
  std::string out;
  {
    Redirect redirect(1, dir / "follow.out");
    std::thread follower([&] {
      const std::vector<std::string_view> views(args.begin(), args.end());
      code = logs(Args(views));
    });
    auto wait_for = [&](const std::string& text) {
      for (int i = 0; i < 1000 && read_file(dir / "follow.out").find(text) == std::string::npos;
           ++i) {
        std::this_thread::sleep_for(10ms);
      }
    };
    wait_for("REPORT");
    // Committed after the history was printed, and with an older timestamp than it.
    store.append({"hello", "$LATEST", kB, "r9", 1704067100000, "late but old"});
    store.append({"hello", "$LATEST", kB, "r9", 1704067900000, "brand new"});
    store.flush();
    wait_for("brand new");
    std::raise(SIGTERM);
    follower.join();
    out = read_file(dir / "follow.out");
  }
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(out.starts_with(kAllHello)) << out;
  const std::string tail = out.substr(std::min(out.size(), kAllHello.size()));
  if (args[1] == "--state-dir") {
    EXPECT_EQ(tail,
              "2023-12-31T23:58:20.000000+00:00 2024/01/01/[$LATEST]bbbb late but old\n"
              "2024-01-01T00:11:40.000000+00:00 2024/01/01/[$LATEST]bbbb brand new\n");
  } else {  // remote follow polls from the newest timestamp seen, as `aws logs tail` does
    EXPECT_EQ(tail, "2024-01-01T00:11:40.000000+00:00 2024/01/01/[$LATEST]bbbb brand new\n");
  }
}

TEST_F(LogsCliTest, FollowFromTheDatabasePrintsNewEventsUntilSigterm) {
  follow_prints_new_events(*store, dir.path(),
                           {"hello", "--state-dir", state.string(), "--follow"});
}

TEST_F(LogsCliTest, FollowFromAnEndpointPrintsNewEventsUntilSigterm) {
  auto server = logs_server();
  follow_prints_new_events(*store, dir.path(), {"hello", "--endpoint", server->url(), "--follow"});
}

}  // namespace
}  // namespace lambdad::cli
