// `lambdad build [PATH] [FUNCTION ...]`: what `sam build` does, writing .aws-sam/build.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "lambdad/build/build.hpp"
#include "lambdad/cli/commands.hpp"
#include "lambdad/cli/options.hpp"
#include "lambdad/cli/parameter_overrides.hpp"
#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHelp =
    "usage: lambdad build [PATH] [FUNCTION ...] [--build-dir DIR]\n"
    "                     [--parameter-overrides K=V ...]\n"
    "\n"
    "Builds the functions and layers of a SAM template as 'sam build' does and writes\n"
    ".aws-sam/build beside the template: template.yaml, whose CodeUri / ContentUri name the\n"
    "artifact folders, and one folder per built resource. 'lambdad serve' serves it;\n"
    "'sam deploy' can deploy it (serve, invoke and validate pick .aws-sam/build up when it is\n"
    "newer than the template). PATH is a template file or a folder holding template.yaml\n"
    "(default: the current folder); FUNCTION names the functions or layers to build (default:\n"
    "all; the others keep their previous artifacts).\n"
    "\n"
    "  nodejs*            the code without node_modules, then 'npm ci --omit=dev' (with a\n"
    "                     lockfile) or 'npm install --omit=dev' when package.json has\n"
    "                     dependencies\n"
    "  BuildMethod esbuild  npm install, then esbuild bundles Metadata.BuildProperties\n"
    "                     EntryPoints (Minify, Target, Sourcemap, External, Format,\n"
    "                     OutExtension, Loader, MainFields, Banner, Footer as sam maps them);\n"
    "                     esbuild from the project's node_modules, else installed once into\n"
    "                     the tool cache ($LAMBDAD_CACHE_DIR, default ~/.cache/lambdad)\n"
    "  python3.*          the code, then 'pip install -r requirements.txt -t ARTIFACT'\n"
    "  BuildMethod makefile  'make -f CODE/Makefile build-<LogicalId>' in the code folder\n"
    "                     with ARTIFACTS_DIR set\n"
    "  provided*          the code folder as it is\n"
    "Layers with a BuildMethod (nodejs*, python3.*, makefile) are built too.\n"
    "\n"
    "options:\n"
    "  --build-dir DIR               where to write the build (default: .aws-sam/build beside\n"
    "                                the template)\n"
    "  --parameter-overrides K=V ...  template parameter values, as sam takes them\n"
    "\n"
    "Each step's output is shown prefixed with its resource. A failing step stops the build:\n"
    "the previous build is kept as it was.\n"
    "\n"
    "exit status: 0 built, 1 the build failed, 2 usage error\n";

}  // namespace

int build(Args args) {
  build::BuildOptions options;
  try {
    const SplitArgs split = take_overrides(args);
    const Options parsed(split.rest, {"build-dir", "template"}, {});
    if (parsed.has("help")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    std::vector<std::string> names = parsed.positionals();
    std::string path = parsed.get_or("template", "");
    // The first word is PATH when it names a file or folder, else the first FUNCTION.
    if (path.empty() && !names.empty() && fs::exists(names.front())) {
      path = names.front();
      names.erase(names.begin());
    }
    if (path.empty()) path = ".";
    options.parameter_overrides = parse_overrides(split.overrides);
    options.only = names;
    try {
      options.template_file = fs::absolute(deploy::find_template(path)).lexically_normal();
    } catch (const deploy::TemplateError& e) {
      std::fprintf(stderr, "lambdad build: %s\n", e.what());
      return 1;
    }
    options.build_dir = parsed.has("build-dir")
                            ? fs::absolute(*parsed.get("build-dir"))
                            : options.template_file.parent_path() / ".aws-sam" / "build";
  } catch (const UsageError& e) {
    std::fprintf(stderr, "lambdad build: %s\n\n%s", e.what(), kHelp);
    return 2;
  }
  options.tool_cache = build::default_tool_cache();
  if (const char* python = std::getenv("LAMBDAD_PYTHON"); python && *python) {
    options.python = python;
  }
  build::SystemProcessRunner runner;
  try {
    build::run_build(options, runner);
  } catch (const build::BuildError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "\nBuild Failed: %s\nThe previous build (if any) is unchanged.\n",
                 e.what());
    return 1;
  }
  const fs::path built_template = options.build_dir / "template.yaml";
  // serve / invoke pick .aws-sam/build up beside the template by themselves.
  const bool default_dir =
      options.build_dir == options.template_file.parent_path() / ".aws-sam" / "build";
  const std::string served =
      default_dir ? options.template_file.parent_path().string() : built_template.string();
  std::printf(
      "\nBuild Succeeded\n\nBuilt Artifacts  : %s\nBuilt Template   : %s\n\n"
      "Commands you can use next\n=========================\n"
      "[*] Serve: lambdad serve %s\n[*] Invoke: lambdad invoke FUNCTION --template %s\n",
      options.build_dir.c_str(), built_template.c_str(), served.c_str(), served.c_str());
  return 0;
}

}  // namespace lambdad::cli
