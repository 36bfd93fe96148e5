#include "lambdad/deploy/git_source.hpp"

#include <git2.h>
#include <unistd.h>

#include "lambdad/common/private_dir.hpp"

namespace lambdad::deploy {
namespace {

namespace fs = std::filesystem;

/// Throws GitError with libgit2's own message when `rc` says a call failed.
void check(int rc, const std::string& what) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();
  throw GitError(what + ": " + (e && e->message ? e->message : "unknown libgit2 error"));
}

template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  ~Owned() {
    if (ptr) Free(ptr);
  }
  T** out() { return &ptr; }
};

/// ssh URLs authenticate through the user's ssh-agent, https ones through an anonymous fetch;
/// libgit2 asks again after a refusal, so the agent is offered once.
int credentials(git_credential** out, const char*, const char* user, unsigned int allowed,
                void* payload) {
  bool& tried = *static_cast<bool*>(payload);
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !tried) {
    tried = true;
    return git_credential_ssh_key_from_agent(out, user ? user : "git");
  }
  return GIT_PASSTHROUGH;
}

}  // namespace

struct GitSource::Repo {
  git_repository* repo = nullptr;
  ~Repo() {
    git_repository_free(repo);
    git_libgit2_shutdown();
  }
};

GitSource::GitSource(std::string url, std::string ref, const fs::path& state_dir)
    : url_(std::move(url)), ref_(std::move(ref)), root_(state_dir / "git") {
  git_libgit2_init();
  repo_ = std::make_unique<Repo>();
  create_private_dirs(root_ / "checkouts");  // the state dir's git/ (private_dir.hpp)
  const fs::path bare = root_ / "repo.git";
  if (git_repository_open_bare(&repo_->repo, bare.c_str()) < 0) {
    check(git_repository_init(&repo_->repo, bare.c_str(), 1), "creating " + bare.string());
  }
}

GitSource::~GitSource() = default;

std::string GitSource::fetch() {
  Owned<git_remote, git_remote_free> remote;
  if (git_remote_lookup(remote.out(), repo_->repo, "origin") < 0) {
    check(git_remote_create(remote.out(), repo_->repo, "origin", url_.c_str()),
          "adding remote " + url_);
  } else if (git_remote_url(remote.ptr) != url_) {
    check(git_remote_set_url(repo_->repo, "origin", url_.c_str()), "setting remote " + url_);
    git_remote_free(remote.ptr);
    remote.ptr = nullptr;
    check(git_remote_lookup(remote.out(), repo_->repo, "origin"), "remote origin");
  }
  const char* refspecs[] = {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"};
  git_strarray specs{const_cast<char**>(refspecs), 2};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  bool tried_agent = false;
  options.callbacks.credentials = credentials;
  options.callbacks.payload = &tried_agent;
  options.prune = GIT_FETCH_PRUNE;
  check(git_remote_fetch(remote.ptr, &specs, &options, "lambdad fetch"), "fetching " + url_);

  for (const std::string& spec : {"refs/remotes/origin/" + ref_, "refs/tags/" + ref_, ref_}) {
    Owned<git_object, git_object_free> commit;
    if (git_revparse_single(commit.out(), repo_->repo, (spec + "^{commit}").c_str()) == 0) {
      char sha[GIT_OID_HEXSZ + 1];
      git_oid_tostr(sha, sizeof sha, git_object_id(commit.ptr));
      return sha;
    }
  }
  throw GitError("ref '" + ref_ + "' is neither a branch, a tag nor a commit of " + url_);
}

fs::path GitSource::checkout_dir(const std::string& commit) const {
  return root_ / "checkouts" / commit;
}

Checkout GitSource::checkout(const std::string& commit) {
  const fs::path dir = checkout_dir(commit);
  if (fs::is_directory(dir)) return {commit, dir};
  git_oid oid;
  check(git_oid_fromstr(&oid, commit.c_str()), "commit " + commit);
  Owned<git_commit, git_commit_free> object;
  check(git_commit_lookup(object.out(), repo_->repo, &oid), "commit " + commit);
  Owned<git_tree, git_tree_free> tree;
  check(git_commit_tree(tree.out(), object.ptr), "tree of " + commit);

  // Checked out beside, then renamed: a crash never leaves a half-written checkout in place.
  const fs::path partial = dir.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial);
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  options.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
  const std::string target = partial.string();
  options.target_directory = target.c_str();
  check(git_checkout_tree(repo_->repo, reinterpret_cast<git_object*>(tree.ptr), &options),
        "checking out " + commit);
  fs::rename(partial, dir);
  return {commit, dir};
}

void GitSource::remove_checkouts_except(const std::string& keep) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "checkouts", ec)) {
    if (entry.path().filename() != keep) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace lambdad::deploy
