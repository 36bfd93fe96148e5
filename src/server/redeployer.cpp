#include "lambdad/server/redeployer.hpp"

#include <spdlog/spdlog.h>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::server {

Redeployer::Redeployer(scheduler::Scheduler& scheduler, scheduler::Runtimes& runtimes,
                       registry::Registry& registry, std::function<void(const Template&)> routes,
                       scheduler::CodeFingerprints template_code)
    : scheduler_(scheduler),
      runtimes_(runtimes),
      registry_(registry),
      routes_(std::move(routes)),
      template_code_(std::move(template_code)) {}

void Redeployer::probe(const Template& tmpl) {
  std::lock_guard lock(probe_mutex_);
  runtimes_.probe(&tmpl.functions);
}

void Redeployer::check_runtime(const FunctionConfig& function) {
  const std::vector<FunctionConfig> one{function};
  std::lock_guard lock(probe_mutex_);
  runtimes_.probe(&one);
  const auto check = runtimes_.check(one);
  if (!check.errors.empty()) throw errors::invalid_parameter(check.errors.front().message);
}

scheduler::CodeFingerprints Redeployer::fingerprints(
    const registry::Registry& registry, const scheduler::CodeFingerprints& template_code) {
  scheduler::CodeFingerprints code;
  for (const auto& f : registry.functions()) {
    const auto known = template_code.find(f.name);
    if (!registry.holds_code(f.code_dir) && known != template_code.end()) {
      code[f.name] = known->second;
    } else if (registry.holds_code(f.code_dir) || template_code.empty()) {
      std::string path = "path:" + f.code_dir.string();
      for (const auto& layer : f.layers) path += ";" + layer.string();
      code[f.name] = path;
    }
  }
  return code;
}

scheduler::Scheduler::Redeployed Redeployer::registry_changed() {
  auto swapped = scheduler_.redeploy(registry_.functions(), fingerprints(registry_, template_code_),
                                     registry_.publications());
  spdlog::debug("functions: {}", summary(swapped));
  return swapped;
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
  registry_.set_template(tmpl.functions, code);
  template_code_ = code;
  auto swapped = scheduler_.redeploy(registry_.functions(), fingerprints(registry_, code),
                                     registry_.publications());
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
