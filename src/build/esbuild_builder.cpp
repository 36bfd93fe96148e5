// sam's `esbuild` workflow (BuildMethod: esbuild): the source copied to a scratch folder, its
// dependencies installed there (so that they can be bundled), then esbuild bundles the entry
// points into the artifact with BuildProperties mapped as sam maps them.
#include <fstream>
#include <system_error>

#include "lambdad/build/builders.hpp"
#include "steps.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

/// sam passes a list as one comma-separated value for single-value options (MainFields).
std::string joined(const json& value) {
  if (!value.is_array()) return scalar_text(value);
  std::string out;
  for (const auto& v : value) out += (out.empty() ? "" : ",") + scalar_text(v);
  return out;
}

/// `Minify: true` and `Minify: "true"` alike (parameters reach templates as strings).
bool truthy(const json& value) {
  return value.is_boolean() ? value.get<bool>()
                            : value.is_string() && (value == "true" || value == "True");
}

bool has_text_entries(const json& value) {
  return value.is_string() || (value.is_array() && !value.empty());
}

/// The entry point as given, or with .ts then .js added when it has no extension (sam's rule).
std::string entry_point(const BuildItem& item, const fs::path& source, const std::string& entry) {
  if (fs::path(entry).has_extension()) {
    if (fs::exists(source / entry)) return entry;
  } else {
    for (const char* ext : {".ts", ".js"}) {
      if (fs::exists(source / (entry + ext))) return entry + ext;
    }
  }
  throw BuildError("function '" + item.logical_id + "': esbuild entry point " +
                   (item.code_dir / entry).string() + " does not exist");
}

/// esbuild from the project (installed by the dependencies step, or already in the source
/// folder), else from lambdad's tool cache, installed there once with npm.
fs::path find_esbuild(const BuildItem& item, const fs::path& scratch, BuildContext& ctx) {
  for (const fs::path& folder : {scratch, item.code_dir}) {
    const fs::path project = folder / "node_modules" / ".bin" / "esbuild";
    if (fs::exists(project)) return project;
  }
  const fs::path cache = ctx.options.tool_cache / "esbuild";
  const fs::path cached = cache / "node_modules" / ".bin" / "esbuild";
  if (fs::exists(cached)) {
    say(item, "using esbuild from lambdad's tool cache " + cache.string());
    return cached;
  }
  say(item,
      "esbuild is not a dependency of the project: installing it once into lambdad's tool "
      "cache " +
          cache.string());
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) throw BuildError("cannot create " + cache.string() + ": " + ec.message());
  if (!fs::exists(cache / "package.json")) {
    std::ofstream(cache / "package.json") << "{\"private\": true}\n";
  }
  Command install{.argv = {"npm", "install", "esbuild", "--no-audit", "--no-fund"}, .cwd = cache};
  run_step(ctx, item, install, "installing esbuild (npm install esbuild)");
  if (!fs::exists(cached)) {
    throw BuildError("function '" + item.logical_id + "': npm installed esbuild but " +
                     cached.string() + " is missing");
  }
  return cached;
}

}  // namespace

std::vector<std::string> esbuild_arguments(const BuildItem& item, const fs::path& source,
                                           const fs::path& outdir) {
  const json& props = item.build_properties;
  auto get = [&](const char* key) -> const json* {
    auto it = props.find(key);
    return it == props.end() || it->is_null() ? nullptr : &*it;
  };
  std::vector<std::string> args = {"--bundle", "--platform=node", "--outdir=" + outdir.string()};
  // sam's defaults when the property is absent.
  if (!get("Target")) args.push_back("--target=es2020");
  if (!get("Format")) args.push_back("--format=cjs");
  if (!get("Minify")) args.push_back("--minify");
  // Boolean options.
  for (const auto& [key, flag] : {std::pair{"Minify", "--minify"}, {"Sourcemap", "--sourcemap"}}) {
    if (const json* v = get(key); v && truthy(*v)) args.emplace_back(flag);
  }
  // Single-value options (a list is joined with commas, as sam passes MainFields).
  for (const auto& [key, flag] : {std::pair{"Target", "--target="},
                                  {"Format", "--format="},
                                  {"MainFields", "--main-fields="},
                                  {"SourcesContent", "--sources-content="}}) {
    if (const json* v = get(key)) args.push_back(flag + joined(*v));
  }
  // Multi-value options: one flag per entry (`--external:aws-sdk`, `--loader:.png=file`).
  for (const auto& [key, flag] : {std::pair{"External", "--external:"},
                                  {"Loader", "--loader:"},
                                  {"OutExtension", "--out-extension:"},
                                  {"Banner", "--banner:"},
                                  {"Footer", "--footer:"}}) {
    const json* v = get(key);
    if (!v || !has_text_entries(*v)) continue;
    if (v->is_string()) {
      args.push_back(flag + v->get<std::string>());
    } else {
      for (const auto& entry : *v) args.push_back(flag + scalar_text(entry));
    }
  }
  const json* entries = get("EntryPoints");
  if (!entries || !entries->is_array() || entries->empty()) {
    throw BuildError("function '" + item.logical_id +
                     "': BuildMethod esbuild needs Metadata.BuildProperties.EntryPoints, a "
                     "non-empty list (e.g. [app.ts])");
  }
  for (const auto& entry : *entries) args.push_back(entry_point(item, source, scalar_text(entry)));
  return args;
}

void build_esbuild(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  const fs::path scratch = artifact.parent_path() / (".scratch-" + item.logical_id);
  say(item, "copying " + item.code_dir.string() + " (without node_modules) to bundle it");
  copy_source(item.code_dir, scratch, ctx.excluded, /*skip_node_modules=*/true);
  struct RemoveScratch {
    fs::path path;
    ~RemoveScratch() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove{scratch};
  std::ifstream manifest(scratch / "package.json");
  const auto package = nlohmann::json::parse(manifest, nullptr, false);
  const bool has_packages =
      package.is_object() &&
      ((package.contains("dependencies") && !package["dependencies"].empty()) ||
       (package.contains("devDependencies") && !package["devDependencies"].empty()));
  if (has_packages) {
    const bool locked =
        fs::exists(scratch / "package-lock.json") || fs::exists(scratch / "npm-shrinkwrap.json");
    run_step(
        ctx, item,
        {.argv = {"npm", locked ? "ci" : "install", "--no-audit", "--no-fund"}, .cwd = scratch},
        locked ? "npm ci" : "npm install");
  }
  std::vector<std::string> argv = esbuild_arguments(item, scratch, artifact);
  argv.insert(argv.begin(), find_esbuild(item, scratch, ctx).string());
  run_step(ctx, item, {.argv = argv, .cwd = scratch}, "esbuild");
}

}  // namespace lambdad::build
