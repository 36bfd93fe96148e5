#pragma once
/// @brief `serve --git URL --ref REF`: a bare clone of the repository in the state dir and one
/// checkout per deployed commit (`<state>/git/checkouts/<sha>`), so that the workers of the
/// previous commit keep their code while they drain.
///
/// Thread safety: libgit2 calls block on the network; use one GitSource from one thread only
/// (the deploy thread), never from an io thread.

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace lambdad::deploy {

/// A libgit2 failure, with its message (bad URL, unknown ref, network, authentication).
class GitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Checkout {
  std::string commit;  ///< full sha
  std::filesystem::path dir;
};

class GitSource {
 public:
  /// Opens (or creates) the bare clone in `<state_dir>/git/repo.git`; nothing is fetched yet.
  GitSource(std::string url, std::string ref, const std::filesystem::path& state_dir);
  ~GitSource();
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

  /// Fetches the remote and resolves REF as a branch, then a tag, then a commit sha.
  std::string fetch();
  /// The commit's files in their own folder (made once; reused after a restart).
  Checkout checkout(const std::string& commit);
  /// Removes checkouts other than `keep` (leftovers of an earlier run).
  void remove_checkouts_except(const std::string& keep);

  const std::string& url() const { return url_; }
  const std::string& ref() const { return ref_; }
  std::filesystem::path checkout_dir(const std::string& commit) const;

 private:
  struct Repo;
  std::string url_;
  std::string ref_;
  std::filesystem::path root_;
  std::unique_ptr<Repo> repo_;
};

}  // namespace lambdad::deploy
