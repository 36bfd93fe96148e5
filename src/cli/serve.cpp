// `lambdad serve [PATH]`: run a SAM template's functions behind the gateway and Lambda API ports.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "lambdad/auth/credentials.hpp"
#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/cli/parameter_overrides.hpp"
#include "lambdad/cli/template_options.hpp"
#include "lambdad/deploy/template_loader.hpp"
#include "lambdad/sandbox/sandbox.hpp"
#include "lambdad/server/server.hpp"

namespace lambdad::cli {
namespace {

constexpr const char* kHelp =
    "usage: lambdad serve [PATH] [options]\n"
    "\n"
    "Runs the functions of a SAM template. PATH is a template file or a folder holding\n"
    "template.yaml / template.yml (default: the current folder); with --git, PATH is inside\n"
    "the repository (default: its root).\n"
    "\n"
    "options:\n"
    "  --host HOST                 address to listen on (default 127.0.0.1); an address\n"
    "                              beyond loopback needs --credentials\n"
    "  --credentials KEY:SECRET    an access key the lambda port accepts (repeatable; also\n"
    "                              LAMBDAD_CREDENTIALS=KEY:SECRET,KEY2:SECRET2): every request\n"
    "                              but /healthz and /metrics must then be SigV4-signed by one\n"
    "                              (the AWS CLI and SDKs do it with these keys)\n"
    "  --allow-worker-control      functions may call the lambda port's management operations\n"
    "                              (deploy, configuration, logs); by default only Invoke\n"
    "  --api-port PORT             gateway port (default 3000; 0 picks a free port)\n"
    "  --lambda-port PORT          Lambda API port (default 3001; 0 picks a free port)\n"
    "  --state-dir DIR             database and state (default .lambdad beside the template;\n"
    "                              with --git, .lambdad in the current folder)\n"
    "  --git URL --ref REF         deploy from a git repository (any URL libgit2 takes: file://,\n"
    "                              https, ssh via ssh-agent); REF is a branch, tag or commit\n"
    "  --git-poll SECONDS          fetch REF this often and deploy new commits (default 10;\n"
    "                              0: only on POST /_lambdad/deploy to the lambda port)\n"
    "  --no-watch                  do not watch the template and the functions' folders (by\n"
    "                              default a change is swapped in once writes have stopped for\n"
    "                              150 ms: changed functions get new workers, unchanged ones\n"
    "                              stay warm, a broken template is refused); never with --git\n"
    "  --no-build-dir              serve the template itself even when sam build's output,\n"
    "                              .aws-sam/build/template.yaml, is newer (by default that is\n"
    "                              served, as sam local does, and the log says which)\n"
    "  --parameter-overrides 'K=V K2=V2'  template parameter values\n"
    "  --idle-timeout SECONDS      reap workers idle this long (default 600)\n"
    "  --max-concurrency N         server-wide concurrent executions (default 1000)\n"
    "  --init-timeout SECONDS      limit on a worker's init phase (default 10)\n"
    "  --shutdown-grace SECONDS    on SIGTERM, wait this long for in-flight calls (default 30)\n"
    "  --log-rate-limit MB         log bytes per second all workers of one function may write\n"
    "                              together; more is dropped, with a LOGS_DROPPED line\n"
    "                              (default 10; 0: no limit)\n"
    "  --log-invocation-limit MB   log bytes one invocation may write; more is dropped, with a\n"
    "                              LOGS_DROPPED line before its END (default 32; 0: no limit)\n"
    "  --async-queue-events N      Event invocations stored at once (queued, running or waiting\n"
    "                              to retry, in <state-dir>/queue.db); more are answered 429\n"
    "                              (default 100000)\n"
    "  --async-queue-mb MB         their payloads' total size, likewise (default 128)\n"
    "  --async-retry-delay-ms MS   the wait before the first retry of an Event invocation's\n"
    "                              function error, doubled before the second (default 60000:\n"
    "                              AWS's 1 min and 2 min; tests shorten it)\n"
    "  --no-cgroups                no cgroup per worker: MemorySize is not enforced and Max\n"
    "                              Memory Used is the peak RSS from /proc (default: a cgroup per\n"
    "                              worker where the host allows it; 'lambdad doctor' shows)\n"
    "  --sandbox TIER              namespaces, process or none (default: the strongest this\n"
    "                              host allows; 'lambdad doctor' shows which)\n"
    "  --sandbox-writable DIR[:DIR]  folders sandboxed workers may write, at the same path\n"
    "  --worker-network MODE       host (default) or none: an empty network namespace per\n"
    "                              worker, reaching only its Runtime API (needs the namespaces\n"
    "                              tier; a function may choose with Metadata: lambdad: Network)\n"
    "  --jwks 'ISSUER=SOURCE ...'  JWT authorizers: read ISSUER's signing keys from SOURCE, a\n"
    "                              JWKS file or URL, instead of ISSUER's OIDC discovery\n"
    "  --log-level LEVEL           trace, debug, info, warn, error (default info)\n";

/// Clones or fetches the repository and loads the ref's template; nullptr (after printing why)
/// when that fails.
std::shared_ptr<server::GitDeployer> start_git(const Options& opts, const std::string& path,
                                               const std::map<std::string, std::string>& overrides,
                                               const std::filesystem::path& state_dir) {
  if (!opts.has("ref")) throw UsageError("--git needs --ref BRANCH (or a tag or commit)");
  server::GitOptions git;
  git.url = opts.get_or("git", "");
  git.ref = opts.get_or("ref", "");
  git.template_path = path;
  git.parameter_overrides = overrides;
  git.poll = std::chrono::seconds(opts.get_int("git-poll", 10, 0, 86400));
  try {
    return std::make_shared<server::GitDeployer>(std::move(git), state_dir);
  } catch (const deploy::TemplateError& e) {
    for (const auto& warning : e.warnings()) {
      std::fprintf(stderr, "%s:%d: warning: %s\n", e.file().c_str(), warning.line,
                   warning.message.c_str());
    }
    for (const auto& problem : e.problems()) {
      std::fprintf(stderr, "%s:%d: error: %s\n", e.file().c_str(), problem.line,
                   problem.message.c_str());
    }
    if (e.problems().empty()) std::fprintf(stderr, "%s: error: %s\n", e.file().c_str(), e.what());
  } catch (const deploy::GitError& e) {
    std::fprintf(stderr, "lambdad serve: git: %s\n", e.what());
  }
  return nullptr;
}

/// --sandbox, --sandbox-writable and --worker-network.
sandbox::SandboxOptions sandbox_options(const Options& opts) {
  sandbox::SandboxOptions options;
  if (auto tier = opts.get("sandbox")) {
    options.tier = sandbox::parse_tier(*tier);
    if (!options.tier) throw UsageError("--sandbox takes namespaces, process or none");
  }
  if (auto network = opts.get("worker-network")) {
    if (*network != "host" && *network != "none") {
      throw UsageError("--worker-network takes host or none");
    }
    options.network = *network == "host";
  }
  if (auto dirs = opts.get("sandbox-writable")) {
    std::string_view rest = *dirs;
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      std::filesystem::path dir(rest.substr(0, colon));
      if (!dir.empty()) {
        if (!std::filesystem::is_directory(dir) || dir.is_relative()) {
          throw UsageError("--sandbox-writable: " + dir.string() + " is not an absolute folder");
        }
        options.writable.push_back(dir);
      }
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  return options;
}

/// --jwks 'ISSUER=SOURCE ISSUER2=SOURCE2': files are made absolute (and must exist).
std::map<std::string, std::string> jwks_sources(const Options& opts) {
  std::map<std::string, std::string> out;
  std::istringstream words(opts.get_or("jwks", ""));
  for (std::string word; words >> word;) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == word.size()) {
      throw UsageError("--jwks takes ISSUER=SOURCE pairs, got '" + word + "'");
    }
    std::string source = word.substr(eq + 1);
    if (!source.starts_with("http://") && !source.starts_with("https://")) {
      if (source.starts_with("file://")) source = source.substr(7);
      if (!std::filesystem::is_regular_file(source)) {
        throw UsageError("--jwks: " + source + " is not a file");
      }
      source = std::filesystem::absolute(source).string();
    }
    out[word.substr(0, eq)] = std::move(source);
  }
  return out;
}

}  // namespace

int serve(Args args) {
  try {
    const SplitArgs split = take_overrides(args);
    const auto overrides = parse_overrides(split.overrides);
    Options opts(split.rest,
                 {"host",
                  "api-port",
                  "lambda-port",
                  "state-dir",
                  "idle-timeout",
                  "max-concurrency",
                  "init-timeout",
                  "shutdown-grace",
                  "log-level",
                  "git",
                  "ref",
                  "git-poll",
                  "sandbox",
                  "sandbox-writable",
                  "worker-network",
                  "jwks",
                  "log-rate-limit",
                  "log-invocation-limit",
                  "async-queue-events",
                  "async-queue-mb",
                  "async-retry-delay-ms",
                  "credentials"},
                 {"no-cgroups", "no-watch", "no-build-dir", "allow-worker-control"});
    if (opts.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (opts.positionals().size() > 1) throw UsageError("serve takes one PATH");
    apply_log_level(opts);
    const std::string path = opts.positionals().empty() ? "." : opts.positionals()[0];
    server::ServerOptions so;
    Template tmpl;
    if (opts.has("git")) {
      so.state_dir = opts.get_or("state-dir", ".lambdad");
      so.git = start_git(opts, path, overrides, so.state_dir);
      if (!so.git) return 1;
      tmpl = so.git->current_template();
    } else {
      if (opts.has("ref") || opts.has("git-poll"))
        throw UsageError("--ref and --git-poll need --git");
      LoadedTemplate loaded = load_template_or_report(path, overrides, opts);
      if (loaded.tmpl.path.empty()) return 1;
      tmpl = std::move(loaded.tmpl);
      so.state_dir = loaded.state_dir;
      so.watch = !opts.has("no-watch");
      so.watch_options.parameter_overrides = overrides;
      if (!opts.has("no-build-dir")) so.watch_options.source_template = loaded.choice.source;
    }

    so.host = opts.get_or("host", "127.0.0.1");
    try {
      if (const char* list = std::getenv("LAMBDAD_CREDENTIALS")) {
        so.credentials.add_pairs(auth::Credentials::split_list(list));
      }
      so.credentials.add_pairs(opts.get_all("credentials"));
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--credentials / LAMBDAD_CREDENTIALS: ") + e.what());
    }
    so.allow_worker_control = opts.has("allow-worker-control");
    so.api_port = static_cast<uint16_t>(opts.get_int("api-port", 3000, 0, 65535));
    so.lambda_port = static_cast<uint16_t>(opts.get_int("lambda-port", 3001, 0, 65535));
    so.scheduler.idle_timeout =
        std::chrono::seconds(opts.get_int("idle-timeout", 600, 1, 86400 * 7));
    so.scheduler.max_concurrency =
        static_cast<int>(opts.get_int("max-concurrency", 1000, 1, 100000));
    so.scheduler.init_timeout = std::chrono::seconds(opts.get_int("init-timeout", 10, 1, 900));
    constexpr uint64_t kMiB = 1 << 20;
    so.scheduler.log_limits.bytes_per_second =
        static_cast<uint64_t>(opts.get_int("log-rate-limit", 10, 0, 1 << 20)) * kMiB;
    so.scheduler.log_limits.invocation_bytes =
        static_cast<uint64_t>(opts.get_int("log-invocation-limit", 32, 0, 1 << 20)) * kMiB;
    so.async.max_events =
        static_cast<size_t>(opts.get_int("async-queue-events", 100000, 1, 100000000));
    so.async.max_bytes =
        static_cast<size_t>(opts.get_int("async-queue-mb", 128, 1, 1 << 20)) * kMiB;
    so.async.retry_base =
        std::chrono::milliseconds(opts.get_int("async-retry-delay-ms", 60000, 0, 3600000));
    so.cgroups = !opts.has("no-cgroups");
    so.shutdown_grace = std::chrono::seconds(opts.get_int("shutdown-grace", 30, 0, 3600));
    so.sandbox = sandbox_options(opts);
    so.gateway.jwks = jwks_sources(opts);
    server::Server server(std::move(tmpl), std::move(so));
    server.start();
    return server.run_until_signal();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad serve: %s\n\n%s", e.what(), kHelp);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdad serve: %s\n", e.what());
    return 1;
  }
}

}  // namespace lambdad::cli
