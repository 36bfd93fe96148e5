#include "lambdad/server/git_deployer.hpp"

#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::server {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::string describe(const deploy::TemplateError& e) {
  std::string text;
  for (const auto& problem : e.problems()) {
    if (!text.empty()) text += "; ";
    text +=
        e.file().filename().string() + ":" + std::to_string(problem.line) + ": " + problem.message;
  }
  return text.empty() ? e.what() : text;
}

nlohmann::json names(const std::vector<std::string>& list) {
  return nlohmann::json(list);
}

}  // namespace

struct GitDeployer::Prepared {
  std::string commit;
  std::optional<Template> tmpl;  ///< empty when the commit is the one already running
};

GitDeployer::GitDeployer(GitOptions options, const fs::path& state_dir)
    : options_(std::move(options)),
      state_dir_(state_dir),
      source_(options_.url, options_.ref, state_dir) {
  commit_ = source_.fetch();
  template_ = load(source_.checkout(commit_).dir);
  source_.remove_checkouts_except(commit_);
  spdlog::info("git: {} {} at {}", options_.url, options_.ref, commit_);
}

GitDeployer::~GitDeployer() {
  stop();
  thread_.join();
}

Template GitDeployer::load(const fs::path& checkout) const {
  const fs::path file = deploy::find_template(checkout / options_.template_path);
  return deploy::load_template(
      file, {.parameter_overrides = options_.parameter_overrides, .state_dir = state_dir_});
}

void GitDeployer::start(asio::any_io_executor io, Redeployer& target) {
  io_ = io;
  target_ = &target;
  asio::co_spawn(io_, poll_loop(), asio::detached);
}

void GitDeployer::stop() {
  stopped_ = true;
}

asio::awaitable<GitDeployer::Prepared> GitDeployer::prepare(GitDeployer* self,
                                                            std::string current) {
  Prepared prepared;
  prepared.commit = self->source_.fetch();
  if (prepared.commit == current) co_return prepared;
  prepared.tmpl = self->load(self->source_.checkout(prepared.commit).dir);
  self->target_->probe(*prepared.tmpl);
  co_return prepared;
}

asio::awaitable<nlohmann::json> GitDeployer::deploy_now() {
  asio::steady_timer wait(io_);
  while (busy_) {  // one deploy at a time; a second caller then finds the commit deployed
    wait.expires_after(std::chrono::milliseconds(20));
    co_await wait.async_wait(kAwait);
  }
  busy_ = true;
  struct Release {
    bool& busy;
    ~Release() { busy = false; }
  } release{busy_};

  Prepared prepared;
  try {
    prepared = co_await asio::co_spawn(thread_, prepare(this, commit_), asio::use_awaitable);
  } catch (const deploy::TemplateError& e) {
    target_->refused();
    throw errors::invalid_parameter("the template of " + options_.ref +
                                    " is broken: " + describe(e));
  } catch (const deploy::GitError& e) {
    throw errors::service(e.what());
  }
  nlohmann::json body = {{"ref", options_.ref}, {"commit", prepared.commit}};
  if (!prepared.tmpl) {
    body["changed"] = false;
    co_return body;
  }
  const auto swapped = target_->swap(*prepared.tmpl);
  retired_.push_back(commit_);
  body["previousCommit"] = commit_;
  body["changed"] = true;
  body["functions"] = {{"added", names(swapped.added)},
                       {"replaced", names(swapped.replaced)},
                       {"removed", names(swapped.removed)}};
  spdlog::info("git: deployed {} (was {}): {}", prepared.commit, commit_,
               Redeployer::summary(swapped));
  commit_ = prepared.commit;
  template_ = std::move(*prepared.tmpl);
  co_return body;
}

asio::awaitable<void> GitDeployer::poll_loop() {
  asio::steady_timer tick(io_);
  auto next_fetch = std::chrono::steady_clock::now() + options_.poll;
  while (!stopped_ && !target_->scheduler().shutting_down()) {
    tick.expires_after(std::chrono::seconds(1));
    co_await tick.async_wait(kAwait);
    if (stopped_ || target_->scheduler().shutting_down()) break;
    remove_retired_checkouts();
    if (options_.poll.count() == 0 || std::chrono::steady_clock::now() < next_fetch) continue;
    try {
      co_await deploy_now();
      last_failure_.clear();
    } catch (const AwsError& e) {
      if (e.message != last_failure_) spdlog::warn("git: deploy refused: {}", e.message);
      last_failure_ = e.message;
    }
    next_fetch = std::chrono::steady_clock::now() + options_.poll;
  }
}

void GitDeployer::remove_retired_checkouts() {
  // Draining workers may still run any retired commit's code; once none is left, none does.
  if (retired_.empty() || busy_ || target_->scheduler().draining_workers() > 0) return;
  std::vector<fs::path> dirs;
  for (const auto& commit : retired_) {
    if (commit != commit_) dirs.push_back(source_.checkout_dir(commit));
  }
  retired_.clear();
  asio::post(thread_, [dirs = std::move(dirs)] {
    std::error_code ec;
    for (const auto& dir : dirs) fs::remove_all(dir, ec);
  });
}

}  // namespace lambdad::server
