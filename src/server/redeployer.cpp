#include "lambdad/server/redeployer.hpp"

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::server {

Redeployer::Redeployer(scheduler::Scheduler& scheduler, scheduler::Runtimes& runtimes,
                       std::function<void(const Template&)> routes)
    : scheduler_(scheduler), runtimes_(runtimes), routes_(std::move(routes)) {}

void Redeployer::probe(const Template& tmpl) {
  runtimes_.probe(&tmpl.functions);
}

scheduler::Scheduler::Redeployed Redeployer::swap(const Template& tmpl,
                                                  const scheduler::CodeFingerprints& code) {
  const auto check = runtimes_.check(tmpl.functions);
  if (!check.errors.empty()) {
    ++refused_;
    const auto& error = check.errors.front();
    throw errors::invalid_parameter(tmpl.path.filename().string() + ":" +
                                    std::to_string(error.line) + ": " + error.message);
  }
  for (const auto& warning : check.warnings) spdlog::warn("{}", warning.message);
  auto swapped = scheduler_.redeploy(tmpl.functions, code);
  if (routes_) routes_(tmpl);
  ++applied_;
  return swapped;
}

std::string Redeployer::summary(const scheduler::Scheduler::Redeployed& swapped) {
  return std::to_string(swapped.added.size()) + " added, " +
         std::to_string(swapped.replaced.size()) + " replaced, " +
         std::to_string(swapped.kept.size()) + " unchanged (kept warm), " +
         std::to_string(swapped.removed.size()) + " removed";
}

std::string Redeployer::metrics() const {
  return "# HELP lambdad_redeploys_total Templates swapped in while serving (hot reload, git), "
         "and templates refused.\n"
         "# TYPE lambdad_redeploys_total counter\n"
         "lambdad_redeploys_total{result=\"applied\"} " +
         std::to_string(applied_) +
         "\n"
         "lambdad_redeploys_total{result=\"refused\"} " +
         std::to_string(refused_) + "\n";
}

}  // namespace lambdad::server
