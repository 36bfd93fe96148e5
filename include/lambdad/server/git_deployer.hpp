#pragma once
/// @brief `serve --git URL --ref REF`: keeps the server on the newest commit of a ref. The first
/// commit is deployed before the server starts; later ones are found by polling (`--git-poll`)
/// or on `POST /_lambdad/deploy`. A deploy fetches and loads the new template on the deploy
/// thread, then swaps the scheduler's functions on the io thread: old workers drain, new ones
/// start warm, nothing in flight is dropped. A commit whose template is broken is refused and
/// the running one keeps serving. Old checkouts are removed once no worker runs their code.
///
/// Thread safety: deploy_now() and the poll loop run on the io thread; libgit2 and template
/// loading run on the deployer's own thread, one deploy at a time.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/function_config.hpp"
#include "lambdad/deploy/git_source.hpp"
#include "lambdad/server/redeployer.hpp"

namespace lambdad::server {

struct GitOptions {
  std::string url;
  std::string ref;
  std::filesystem::path template_path = ".";  ///< template file or folder inside the repository
  std::map<std::string, std::string> parameter_overrides;
  std::chrono::seconds poll{10};  ///< 0: deploy only on POST /_lambdad/deploy
};

class GitDeployer {
 public:
  /// Clones or fetches, checks out the ref's commit and loads its template, blocking. Throws
  /// deploy::GitError or deploy::TemplateError.
  GitDeployer(GitOptions options, const std::filesystem::path& state_dir);
  ~GitDeployer();

  const Template& current_template() const { return template_; }
  const std::string& commit() const { return commit_; }

  /// Starts the poll loop; deploys are swapped in through `target`, whose scheduler's functions
  /// came from current_template().
  void start(boost::asio::any_io_executor io, Redeployer& target);
  void stop();

  /// Deploys the ref's newest commit if it is new. Returns {commit, previousCommit, changed,
  /// functions: {added, replaced, removed}}; throws AwsError when fetching or loading fails.
  boost::asio::awaitable<nlohmann::json> deploy_now();

 private:
  struct Prepared;
  static boost::asio::awaitable<Prepared> prepare(GitDeployer* self, std::string current);
  Template load(const std::filesystem::path& checkout) const;
  boost::asio::awaitable<void> poll_loop();
  void remove_retired_checkouts();

  GitOptions options_;
  std::filesystem::path state_dir_;  ///< archives and InlineCode are unpacked below it
  deploy::GitSource source_;         ///< used on thread_ only, after construction
  Template template_;
  std::string commit_;
  std::vector<std::string> retired_;  ///< commits whose workers may still be draining
  boost::asio::any_io_executor io_;
  Redeployer* target_ = nullptr;
  bool busy_ = false;
  bool stopped_ = false;
  std::string last_failure_;  ///< the poll loop logs each distinct failure once
  boost::asio::thread_pool thread_{1};
};

}  // namespace lambdad::server
