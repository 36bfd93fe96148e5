// The minimal root of a sandboxed worker: what is bound where, prepared in the parent, and the
// child's loop that builds it (mkdir, binds, tmpfs, proc) before pivot_root.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>
#include <utility>

#include "jail.hpp"

namespace lambdad::sandbox {
namespace {

namespace fs = std::filesystem;

/// System folders bound read-only when they are real folders (merged-/usr hosts have symlinks).
constexpr const char* kSystemDirs[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                       "/lib32", "/lib64", "/libx32"};
/// What a runtime needs of /etc: users and groups, name resolution, TLS roots, the dynamic
/// linker's cache, alternatives' symlinks. Nothing else of the host's configuration is visible.
constexpr const char* kEtcEntries[] = {
    "passwd",     "group",          "hosts",     "resolv.conf",     "nsswitch.conf",
    "host.conf",  "gai.conf",       "localtime", "timezone",        "ld.so.cache",
    "ld.so.conf", "ld.so.conf.d",   "ssl",       "ca-certificates", "ca-certificates.conf",
    "pki",        "alternatives",   "protocols", "services",        "mime.types",
    "os-release", "debian_version", "networks",
};
constexpr const char* kDevNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

std::string in_root(const fs::path& absolute) {
  return absolute.relative_path().string();
}

bool under(const fs::path& path, const fs::path& folder) {
  auto p = path.lexically_normal().string();
  auto f = folder.lexically_normal().string();
  return p == f || (p.size() > f.size() && p.compare(0, f.size(), f) == 0 && p[f.size()] == '/');
}

/// `path` made absolute, weakly canonical (symlinks resolved as far as it exists), without a
/// trailing slash: the form hidden folders and bind sources are compared in.
fs::path real_path(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) out = fs::absolute(path, ec).lexically_normal();
  std::string text = out.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

bool hidden_entry(const fs::path& entry, const std::vector<fs::path>& hidden) {
  if (hidden.empty()) return false;
  const fs::path real = real_path(entry);
  for (const auto& h : hidden) {
    if (real == h) return true;
  }
  return false;
}

struct Builder {
  Arena& arena;
  std::vector<Op>& ops;
  std::vector<std::string>& names;
  std::set<std::string> dirs;  // made already (relative)

  void add(Op op, std::string name) {
    ops.push_back(op);
    names.push_back(std::move(name));
  }
  /// mkdir -p of a relative path inside the new root.
  void mkdirs(const fs::path& rel) {
    fs::path partial;
    for (const auto& part : rel) {
      partial /= part;
      if (dirs.insert(partial.string()).second) {
        add({.kind = OpKind::kDir, .target = arena.keep(partial.string()), .flags = 0755},
            "mkdir /" + partial.string());
      }
    }
  }
  /// Checks that `source` can be opened, and what it is (stat, remount flags).
  static unsigned long inspect(const fs::path& source, struct stat& st) {
    int fd = ::open(source.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      int error = errno;
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("sandbox: cannot open " + source.string() + ": " +
                               std::strerror(error));
    }
    unsigned long flags = readonly_flags(fd);
    ::close(fd);
    return flags;
  }
  void bind(const fs::path& source, const fs::path& target, bool writable = false) {
    struct stat st {};
    const unsigned long readonly = inspect(source, st);
    const char* src = arena.keep(source.string());
    const std::string rel = in_root(target);
    if (S_ISDIR(st.st_mode)) {
      mkdirs(rel);
    } else {
      mkdirs(fs::path(rel).parent_path());
      add({.kind = OpKind::kFile, .target = arena.keep(rel)}, "create /" + rel);
    }
    // Device nodes stay writable (/dev/null) and keep their mount's dev flag.
    const bool device = S_ISCHR(st.st_mode);
    unsigned long remount = writable || device ? 0 : readonly;
    add({.kind = OpKind::kBind, .source = src, .target = arena.keep(rel), .flags = remount},
        "bind " + source.string() + " at " + target.string());
  }
  void symlink(const std::string& text, const fs::path& target) {
    const std::string rel = in_root(target);
    mkdirs(fs::path(rel).parent_path());
    add({.kind = OpKind::kSymlink, .source = arena.keep(text), .target = arena.keep(rel)},
        "symlink /" + rel);
  }
};

/// Last, over every bind made: an empty read-only tmpfs wherever a hidden folder (the state dir
/// beside a template whose function has CodeUri ./) shows inside the jail. The worker sees an
/// empty folder there, as nothing of the host's below it.
void add_covers(Builder& b, const JailRequest& request, const std::vector<fs::path>& hidden) {
  if (hidden.empty()) return;
  std::vector<std::pair<fs::path, fs::path>> binds;  // host source, in-jail target
  for (const auto& op : b.ops) {
    if (op.kind == OpKind::kBind) binds.emplace_back(op.source, fs::path("/") / op.target);
  }
  // Several layers are one overlay at /opt (its fallback binds are in `ops` already).
  if (request.layers.size() > 1) {
    for (const auto& layer : request.layers) binds.emplace_back(layer, "/opt");
  }
  std::set<std::string> covered;
  for (const auto& [source, target] : binds) {
    for (const auto& at : hidden_targets(source, target, hidden)) {
      const std::string rel = in_root(at);
      if (!covered.insert(rel).second) continue;
      b.add({.kind = OpKind::kCover,
             .source = "tmpfs",
             .target = b.arena.keep(rel),
             .flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
             .data = "size=4k,nr_inodes=4,mode=0555"},
            "cover /" + rel + " (lambdad's state dir)");
    }
  }
}

}  // namespace

unsigned long readonly_flags(int fd) {
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;
  struct statvfs s {};
  if (fstatvfs(fd, &s) == 0) {
    if (s.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (s.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  }
  return flags;
}

std::vector<fs::path> hidden_targets(const fs::path& source, const fs::path& target,
                                     const std::vector<fs::path>& hidden) {
  std::vector<fs::path> out;
  if (hidden.empty()) return out;
  const fs::path real = real_path(source);
  for (const auto& folder : hidden) {
    const fs::path h = real_path(folder);
    if (!under(h, real)) continue;
    const fs::path rest = h.lexically_relative(real);
    out.push_back(rest.empty() || rest == "." ? target : (target / rest).lexically_normal());
  }
  return out;
}

std::shared_ptr<const Sandbox::Shared> prepare_shared(const SandboxOptions& options,
                                                      const std::string& init_path) {
  auto shared = std::make_shared<Sandbox::Shared>();
  Builder b{shared->arena, shared->ops, shared->describe_ops, {}};
  std::error_code ec;

  // Where the child mounts the new root: any folder of the host will do (the mount is in the
  // child's own mount namespace, and sources are fds), but not /proc, which binds go through.
  for (const char* dir : {"/mnt", "/media", "/srv", "/tmp"}) {
    if (fs::is_directory(dir, ec) && !fs::is_symlink(dir, ec)) {
      shared->root_dir = shared->arena.keep(dir);
      break;
    }
  }
  if (!shared->root_dir) throw std::runtime_error("sandbox: no folder to build the root in");
  if (::access(init_path.c_str(), X_OK) != 0) {
    throw std::runtime_error("sandbox: cannot run " + init_path + ": " + std::strerror(errno));
  }
  shared->init_path = shared->arena.keep(init_path);
  if (::geteuid() == 0) {
    shared->uid = 65534;
    shared->gid = 65534;
    shared->setgroups = true;
  } else {
    shared->uid = ::geteuid();
    shared->gid = ::getegid();
    shared->setgroups = false;
  }

  for (const char* dir : kSystemDirs) {
    if (fs::is_symlink(dir, ec)) {
      b.symlink(fs::read_symlink(dir, ec).string(), dir);
    } else if (fs::is_directory(dir, ec)) {
      b.bind(dir, dir);
    }
  }
  b.mkdirs("etc");
  std::set<std::string> etc_done;
  for (const char* name : kEtcEntries) {
    if (!etc_done.insert(name).second) continue;
    const fs::path entry = fs::path("/etc") / name;
    if (!fs::exists(entry, ec)) continue;
    if (fs::is_symlink(entry, ec)) {
      // A link into /usr works as is; one elsewhere (/run/systemd/resolve/…) is bound resolved.
      const fs::path resolved = fs::canonical(entry, ec);
      if (!ec && under(resolved, "/usr")) {
        b.symlink(fs::read_symlink(entry, ec).string(), entry);
        continue;
      }
    }
    b.bind(entry, entry);
  }
  for (const char* dir : {"var", "var/task", "var/runtime", "opt", "tmp", "proc", "dev", "root"}) {
    b.mkdirs(dir);
  }
  shared->writable = options.writable;
  for (const auto& folder : options.hidden) shared->hidden.push_back(real_path(folder));
  // /dev: a small tmpfs holding the host's harmless nodes (binds: mknod is not allowed in a user
  // namespace), then read-only.
  b.add({.kind = OpKind::kTmpfs,
         .source = "tmpfs",
         .target = "dev",
         .flags = MS_NOSUID | MS_NOEXEC,
         .data = "size=64k,nr_inodes=64,mode=0755"},
        "tmpfs /dev");
  for (const char* node : kDevNodes) {
    const fs::path host = fs::path("/dev") / node;
    if (!fs::exists(host, ec)) continue;
    b.bind(host, host);
  }
  b.symlink("/proc/self/fd", "/dev/fd");
  b.symlink("/proc/self/fd/0", "/dev/stdin");
  b.symlink("/proc/self/fd/1", "/dev/stdout");
  b.symlink("/proc/self/fd/2", "/dev/stderr");
  b.add({.kind = OpKind::kRemount,
         .target = "dev",
         .flags = MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC},
        "remount /dev read-only");
  b.add({.kind = OpKind::kProc,
         .source = "proc",
         .target = "proc",
         .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC},
        "mount /proc");
  return shared;
}

std::shared_ptr<const Jail> prepare_jail(std::shared_ptr<const Sandbox::Shared> shared,
                                         const JailRequest& request, const sock_fprog* seccomp) {
  auto jail = std::make_shared<Jail>();
  jail->shared = shared;
  jail->seccomp = seccomp;
  jail->network = request.network.value_or(true);
  jail->ops = shared->ops;
  jail->names = shared->describe_ops;
  Builder b{jail->arena, jail->ops, jail->names, {}};
  // Folders the shared part made already.
  for (const auto& op : shared->ops) {
    if (op.kind == OpKind::kDir) b.dirs.insert(op.target);
  }
  std::error_code ec;

  // Interpreters' install prefixes when they live outside the system folders (pyenv, nvm).
  std::set<fs::path> prefixes;
  for (const auto& interpreter : request.interpreters) {
    const fs::path real = fs::canonical(interpreter, ec);
    if (ec) continue;
    bool system = false;
    for (const char* dir : kSystemDirs) system = system || under(real, dir);
    const fs::path prefix = real.parent_path().parent_path();
    if (!system && !under(prefix, "/opt") && !under(prefix, "/var") && !under(prefix, "/tmp") &&
        prefix != "/" && prefixes.insert(prefix).second) {
      b.bind(prefix, prefix);
    }
  }
  for (const auto& sdk : request.sdk_dirs) {
    const fs::path real = fs::canonical(sdk, ec);
    if (ec) continue;
    bool visible = false;
    for (const char* dir : kSystemDirs) visible = visible || under(real, dir);
    for (const auto& prefix : prefixes) visible = visible || under(real, prefix);
    if (!visible && prefixes.insert(real).second) b.bind(real, real);
  }
  b.bind(request.code_dir, "/var/task");
  if (!request.runtime_dir.empty()) b.bind(request.runtime_dir, "/var/runtime");
  if (request.layers.size() == 1) {
    b.bind(request.layers[0], "/opt");
  } else if (request.layers.size() > 1) {
    // One read-only overlay: the leftmost lowerdir is on top, so the last layer goes first.
    for (auto it = request.layers.rbegin(); it != request.layers.rend(); ++it) {
      struct stat st {};
      Builder::inspect(*it, st);
      b.add({.kind = OpKind::kLower, .source = b.arena.keep(it->string())},
            "layer " + it->string());
    }
    b.add({.kind = OpKind::kOverlay,
           .source = "overlay",
           .target = "opt",
           .flags = MS_RDONLY | MS_NOSUID | MS_NODEV,
           .lowers = static_cast<int>(request.layers.size())},
          "overlay of the layers at /opt");
    // Where overlayfs is refused: each layer's top-level entries bound in order, a later layer's
    // entry covering an earlier one's (folders are not merged then).
    const size_t overlay = b.ops.size() - 1;
    for (const auto& layer : request.layers) {
      for (const auto& entry : fs::directory_iterator(layer, ec)) {
        if (hidden_entry(entry.path(), shared->hidden)) continue;  // not even bound
        b.bind(entry.path(), fs::path("/opt") / entry.path().filename());
      }
    }
    b.ops[overlay].fallback = static_cast<int>(b.ops.size() - overlay - 1);
  }
  const std::string tmp_options =
      "size=" + std::to_string(std::max(1, request.ephemeral_storage_mb)) + "m,mode=1777";
  b.add({.kind = OpKind::kTmpfs,
         .source = "tmpfs",
         .target = "tmp",
         .flags = MS_NOSUID | MS_NODEV,
         .data = b.arena.keep(tmp_options)},
        "tmpfs /tmp");
  // Operator-chosen read-write folders, at their own path (after /tmp, which may hold them).
  for (const auto& folder : shared->writable) b.bind(folder, folder, /*writable=*/true);
  add_covers(b, request, shared->hidden);
  return jail;
}

namespace {

/// "/proc/self/fd/N" into `out` (at least 32 bytes), without allocating.
char* fd_path(int fd, char* out) {
  static constexpr char kPrefix[] = "/proc/self/fd/";
  char* p = out;
  for (const char* c = kPrefix; *c;) *p++ = *c++;
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  while (n > 0) *p++ = digits[--n];
  *p = '\0';
  return p;
}

}  // namespace

int open_sources(const std::vector<Op>& ops, int* fds, size_t* failed) {
  for (size_t i = 0; i < ops.size(); ++i) {
    fds[i] = -1;
    if (ops[i].kind != OpKind::kBind && ops[i].kind != OpKind::kLower) continue;
    fds[i] = ::open(ops[i].source, O_PATH | O_CLOEXEC);
    if (fds[i] < 0) {
      *failed = i;
      return errno;
    }
  }
  return 0;
}

int run_ops(const std::vector<Op>& ops, const int* fds, size_t* failed) {
  char source[32];
  char lower[4096];
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    int rc = 0;
    switch (op.kind) {
      case OpKind::kDir:
        rc = ::mkdir(op.target, static_cast<mode_t>(op.flags));
        if (rc != 0 && errno == EEXIST) rc = 0;
        break;
      case OpKind::kFile: {
        int fd = ::open(op.target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        rc = fd < 0 ? -1 : ::close(fd);
        break;
      }
      case OpKind::kSymlink:
        rc = ::symlink(op.source, op.target);
        if (rc != 0 && errno == EEXIST) rc = 0;
        break;
      case OpKind::kBind:
        fd_path(fds[i], source);
        rc = ::mount(source, op.target, nullptr, MS_BIND | MS_REC, nullptr);
        if (rc == 0 && op.flags) rc = ::mount(nullptr, op.target, nullptr, op.flags, nullptr);
        break;
      case OpKind::kLower:
        break;
      case OpKind::kTmpfs:
      case OpKind::kProc:
        rc = ::mount(op.source, op.target, op.source, op.flags, op.data);
        break;
      case OpKind::kOverlay: {
        char* p = lower;
        for (const char* c = "lowerdir="; *c;) *p++ = *c++;
        for (int k = op.lowers; k > 0; --k) {
          if (k != op.lowers) *p++ = ':';
          p = fd_path(fds[i - static_cast<size_t>(k)], p);
        }
        if (::mount(op.source, op.target, op.source, op.flags, lower) == 0) {
          i += static_cast<size_t>(op.fallback);  // skip the fallback binds
        }
        continue;  // else run them
      }
      case OpKind::kRemount:
        rc = ::mount(nullptr, op.target, nullptr, op.flags, nullptr);
        break;
      case OpKind::kCover:
        rc = ::mount(op.source, op.target, op.source, op.flags, op.data);
        if (rc != 0 && (errno == ENOENT || errno == EACCES)) rc = 0;
        break;
    }
    if (rc != 0) {
      *failed = i;
      return errno;
    }
  }
  return 0;
}

}  // namespace lambdad::sandbox
