// Event pattern matching cost (src/events/): a bus of 10 rules, one per kind of condition, against
// a typical ~1 KB EC2 event, as EventBridge evaluates every rule of a bus for each event put.
// Prints events/s through the 10 rules and rule evaluations/s; then the same for a Lambda filter
// on SQS records, whose JSON body is parsed per record, and the cost of compiling one rule.
//   bench_event_pattern_matching [ROUNDS]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lambdad/events/event_pattern.hpp"

using namespace lambdad::events;
using json = nlohmann::json;

namespace {

const char* const kRules[] = {
    R"({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]})",
    R"({"detail": {"state": ["stopped", "terminated", "running"]}})",
    R"({"time": [{"prefix": "2026-12-07"}], "region": [{"suffix": "-1"}]})",
    R"({"detail": {"instance-type": [{"equals-ignore-case": "M5.LARGE"}]}})",
    R"({"resources": [{"wildcard": "arn:aws:ec2:*:instance/i-0*"}]})",
    R"({"detail": {"state": [{"anything-but": ["pending", "stopping"]}]}})",
    R"({"detail": {"cpu": [{"numeric": [">", 10, "<=", 90.5]}], "count": [{"numeric": ["=", 3]}]}})",
    R"({"detail": {"source-ip": [{"cidr": "10.0.0.0/8"}]}})",
    R"({"detail": {"tags": {"team": [{"exists": true}]}, "spot": [{"exists": false}]}})",
    R"({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["stopped"]}},
                                        {"detail": {"cpu": [{"numeric": [">", 50]}]}}]})",
};

const char* const kEvent = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2026-12-07T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:111122223333:instance/i-0abcdef1234567890"],
  "detail": {"instance-id": "i-0abcdef1234567890", "state": "running",
             "instance-type": "m5.large", "cpu": 61.25, "count": 3, "source-ip": "10.1.2.3",
             "tags": {"team": "payments", "env": "prod", "owner": "alice@example.com"},
             "launch-time": "2026-12-07T18:40:02Z", "availability-zone": "us-west-1a",
             "network": {"vpc": "vpc-0123456789abcdef0", "subnet": "subnet-0123456789abcdef0",
                         "security-groups": ["sg-01", "sg-02", "sg-03"]},
             "block-devices": [{"name": "/dev/xvda", "size": 30}, {"name": "/dev/xvdb", "size": 100}],
             "note": "a typical event is about a kilobyte; this padding makes it one...............",
             "history": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]}})";

template <typename F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 200000;
  std::vector<EventPattern> rules;
  for (const char* rule : kRules) rules.push_back(compile_event_pattern(rule));
  const json event = json::parse(kEvent);

  long matched = 0;
  const double bus = seconds([&] {
    for (long i = 0; i < rounds; ++i) {
      for (const EventPattern& rule : rules) matched += rule.matches(event);
    }
  });
  const long per_event = matched / rounds;
  std::printf("event patterns: %zu rules, %zu-byte event, %ld of them match it\n", rules.size(),
              json::parse(kEvent).dump().size(), per_event);
  std::printf("  %.0f events/s through the %zu rules, %.0f rule matches/s (%.0f ns each)\n",
              rounds / bus, rules.size(), rounds * rules.size() / bus,
              bus * 1e9 / (rounds * rules.size()));

  const EventPattern filter = compile_filter_criteria(std::vector<std::string>{
      R"({"body": {"detail": {"state": ["running"], "cpu": [{"numeric": [">", 50]}]}}})"});
  const json record = {{"messageId", "059f36b4-87a3-44ab-83d2-661975830a7d"},
                       {"body", json::parse(kEvent).dump()},
                       {"eventSource", "aws:sqs"}};
  long records = 0;
  const long record_rounds = rounds / 10 + 1;
  const double sqs = seconds([&] {
    for (long i = 0; i < record_rounds; ++i) records += filter.matches(record);
  });
  std::printf(
      "lambda filter on SQS records (body parsed each time): %.0f records/s (%ld matched)\n",
      record_rounds / sqs, records);

  const long compile_rounds = rounds / 20 + 1;
  size_t sink = 0;
  const double compile = seconds([&] {
    for (long i = 0; i < compile_rounds; ++i) {
      sink += compile_event_pattern(kRules[i % 10]).matches_everything();
    }
  });
  std::printf("compiling a rule: %.1f us\n", compile * 1e6 / compile_rounds);
  return sink == 42 ? 1 : 0;
}
