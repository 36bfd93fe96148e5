// lambdad build: the plan, each workflow's commands (a fake runner records them), the build
// template, the swap that keeps the old build on failure, and the load-time warnings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "lambdad/build/build.hpp"
#include "lambdad/build/build_template.hpp"
#include "lambdad/build/builders.hpp"
#include "lambdad/build/needs_build.hpp"
#include "lambdad/deploy/template_loader.hpp"
#include "lambdad/scheduler/runtime_sdks.hpp"

namespace lambdad::build {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Recorded {
  Command command;
  std::string prefix;
};

/// Records every command; `effect` may touch the artifact as the tool would, and say its status.
class FakeRunner : public ProcessRunner {
 public:
  std::vector<Recorded> runs;
  std::function<int(const Command&)> effect = [](const Command&) { return 0; };
  int run(const Command& command, const std::string& prefix) override {
    runs.push_back({command, prefix});
    return effect(command);
  }
};

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lambdad-build-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  BuildOptions options(std::vector<std::string> only = {}) {
    BuildOptions o;
    o.template_file = dir_ / "template.yaml";
    o.build_dir = dir_ / ".aws-sam" / "build";
    o.tool_cache = dir_ / "cache";
    o.only = std::move(only);
    return o;
  }
  void write_template(const std::string& resources) {
    write("template.yaml",
          "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
          "Resources:\n" +
              resources);
  }

  fs::path dir_;
};

TEST_F(BuildTest, PlanPicksSamWorkflows) {
  write("node/app.js", "");
  write("ts/app.ts", "");
  write("py/app.py", "");
  write("custom/bootstrap", "");
  write("mk/Makefile", "");
  write("layer/requirements.txt", "");
  write_template(R"(  Node:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: node, Handler: app.handler, Runtime: nodejs20.x}
  Ts:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ts, Handler: app.handler, Runtime: nodejs20.x}
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {EntryPoints: [app.ts], Minify: false}
  Py:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: py, Handler: app.handler, Runtime: python3.12}
  Custom:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: custom, Handler: x, Runtime: provided.al2023}
  Made:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: mk, Handler: x, Runtime: provided.al2023}
    Metadata: {BuildMethod: makefile}
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer}
    Metadata: {BuildMethod: python3.12}
  Plain:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer}
)");
  const std::vector<BuildItem> items = plan_build(options());
  std::vector<std::pair<std::string, Workflow>> got;
  for (const auto& i : items) got.emplace_back(i.logical_id, i.workflow);
  EXPECT_THAT(got, ElementsAre(std::pair{std::string("Node"), Workflow::kNpm},
                               std::pair{std::string("Ts"), Workflow::kEsbuild},
                               std::pair{std::string("Py"), Workflow::kPip},
                               std::pair{std::string("Custom"), Workflow::kCopy},
                               std::pair{std::string("Made"), Workflow::kMakefile},
                               std::pair{std::string("Deps"), Workflow::kPip}));
  EXPECT_EQ(items[1].build_properties["Minify"], false);
  EXPECT_TRUE(items[5].layer);
}

TEST_F(BuildTest, UnknownBuildMethodIsAnError) {
  write("src/app.js", "");
  write_template(R"(  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x}
    Metadata: {BuildMethod: rust-cargolambda}
)");
  EXPECT_THROW(
      {
        try {
          plan_build(options());
        } catch (const BuildError& e) {
          EXPECT_THAT(e.what(), HasSubstr("BuildMethod rust-cargolambda"));
          throw;
        }
      },
      BuildError);
}

TEST_F(BuildTest, NpmCopiesWithoutNodeModulesAndInstallsProductionDependencies) {
  write("src/app.js", "exports.handler = 1;");
  write("src/package.json", R"({"dependencies": {"left-pad": "1.3.0"}})");
  write("src/package-lock.json", "{}");
  write("src/node_modules/stale/index.js", "");
  write_template(R"(  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x}
)");
  FakeRunner runner;
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);
  EXPECT_THAT(runner.runs[0].command.argv,
              ElementsAre("npm", "ci", "--omit=dev", "--no-audit", "--no-fund"));
  EXPECT_EQ(runner.runs[0].prefix, "Fn");
  const fs::path artifact = dir_ / ".aws-sam/build/Fn";
  EXPECT_TRUE(fs::exists(artifact / "app.js"));
  EXPECT_FALSE(fs::exists(artifact / "node_modules/stale"));
  // The command ran in the temporary build, now swapped in at the same name.
  EXPECT_EQ(runner.runs[0].command.cwd.filename(), "Fn");
}

TEST_F(BuildTest, NpmWithoutLockfileInstallsAndWithoutDependenciesRunsNothing) {
  write("a/package.json", R"({"dependencies": {"x": "1"}})");
  write("b/package.json", R"({"devDependencies": {"typescript": "5"}})");
  write_template(R"(  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Handler: app.handler, Runtime: nodejs20.x}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b, Handler: app.handler, Runtime: nodejs20.x}
)");
  FakeRunner runner;
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);
  EXPECT_THAT(runner.runs[0].command.argv,
              ElementsAre("npm", "install", "--omit=dev", "--no-audit", "--no-fund"));
  EXPECT_TRUE(fs::exists(dir_ / ".aws-sam/build/B/package.json"));
}

TEST_F(BuildTest, EsbuildArgumentsFollowSam) {
  write("src/app.ts", "");
  write("src/other.js", "");
  BuildItem item{.logical_id = "Fn", .workflow = Workflow::kEsbuild, .code_dir = dir_ / "src"};
  item.build_properties = {{"EntryPoints", {"app.ts", "other"}}};
  EXPECT_THAT(esbuild_arguments(item, dir_ / "src", "/out"),
              ElementsAre("--bundle", "--platform=node", "--outdir=/out", "--target=es2020",
                          "--format=cjs", "--minify", "app.ts", "other.js"));
  item.build_properties = nlohmann::json::parse(R"({
    "EntryPoints": ["app.ts"], "Minify": false, "Target": "es2022", "Sourcemap": true,
    "Format": "esm", "External": ["pg-native", "@aws-sdk/*"], "OutExtension": [".js=.mjs"],
    "Loader": [".png=file"], "MainFields": ["module", "main"], "Banner": ["js=// hi"],
    "Footer": "js=// bye", "SourcesContent": "false"})");
  EXPECT_THAT(
      esbuild_arguments(item, dir_ / "src", "/out"),
      ElementsAre("--bundle", "--platform=node", "--outdir=/out", "--sourcemap", "--target=es2022",
                  "--format=esm", "--main-fields=module,main", "--sources-content=false",
                  "--external:pg-native", "--external:@aws-sdk/*", "--loader:.png=file",
                  "--out-extension:.js=.mjs", "--banner:js=// hi", "--footer:js=// bye", "app.ts"));
  item.build_properties = {{"EntryPoints", {"missing.ts"}}};
  EXPECT_THROW(esbuild_arguments(item, dir_ / "src", "/out"), BuildError);
  item.build_properties = nlohmann::json::object();
  EXPECT_THROW(esbuild_arguments(item, dir_ / "src", "/out"), BuildError);
}

TEST_F(BuildTest, EsbuildInstallsDependenciesThenUsesTheProjectsEsbuild) {
  write("src/app.ts", "export const handler = async () => 1;");
  write("src/package.json", R"({"devDependencies": {"esbuild": "0.20.0"}})");
  write_template(R"(  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x}
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {EntryPoints: [app.ts]}
)");
  FakeRunner runner;
  runner.effect = [](const Command& c) {
    if (c.argv[0] == "npm") {  // npm install puts esbuild in the scratch folder's node_modules
      fs::create_directories(c.cwd / "node_modules/.bin");
      std::ofstream(c.cwd / "node_modules/.bin/esbuild") << "";
    }
    return 0;
  };
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 2u);
  EXPECT_THAT(runner.runs[0].command.argv,
              ElementsAre("npm", "install", "--no-audit", "--no-fund"));
  EXPECT_THAT(runner.runs[1].command.argv[0], HasSubstr("node_modules/.bin/esbuild"));
  // The scratch copy is gone; the artifact folder is there.
  EXPECT_TRUE(fs::is_directory(dir_ / ".aws-sam/build/Fn"));
  EXPECT_FALSE(fs::exists(dir_ / ".aws-sam/build/.scratch-Fn"));
}

TEST_F(BuildTest, EsbuildComesFromTheToolCacheOnce) {
  write("src/app.ts", "");
  write_template(R"(  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x}
    Metadata: {BuildMethod: esbuild, BuildProperties: {EntryPoints: [app.ts]}}
)");
  FakeRunner runner;
  runner.effect = [](const Command& c) {
    if (c.argv[0] == "npm") {
      fs::create_directories(c.cwd / "node_modules/.bin");
      std::ofstream(c.cwd / "node_modules/.bin/esbuild") << "";
    }
    return 0;
  };
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 2u);
  EXPECT_THAT(runner.runs[0].command.argv,
              ElementsAre("npm", "install", "esbuild", "--no-audit", "--no-fund"));
  EXPECT_EQ(runner.runs[0].command.cwd, dir_ / "cache/esbuild");
  EXPECT_EQ(runner.runs[1].command.argv[0],
            (dir_ / "cache/esbuild/node_modules/.bin/esbuild").string());
  runner.runs.clear();
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);  // cached
}

TEST_F(BuildTest, PipInstallsRequirementsIntoTheArtifact) {
  write("a/app.py", "");
  write("a/requirements.txt", "# deps\nrequests>=2\n\nattrs[extra]==1 ; python_version>'3'\n");
  write("b/app.py", "");
  write("b/requirements.txt", "# nothing\n\n");
  write_template(R"(  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Handler: app.handler, Runtime: python3.12}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b, Handler: app.handler, Runtime: python3.12}
)");
  EXPECT_THAT(requirement_names(dir_ / "a/requirements.txt"), ElementsAre("requests", "attrs"));
  FakeRunner runner;
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);
  const auto& argv = runner.runs[0].command.argv;
  EXPECT_THAT(std::vector<std::string>(argv.begin(), argv.begin() + 4),
              ElementsAre("python3", "-m", "pip", "install"));
  EXPECT_EQ(argv[argv.size() - 2], "-t");
  EXPECT_EQ(fs::path(argv.back()).filename(), "A");
  EXPECT_EQ(runner.runs[0].command.cwd, dir_ / "a");
}

TEST_F(BuildTest, MakefileRunsTheLogicalIdsTargetWithArtifactsDir) {
  write("mk/Makefile", "build-Made:\n\tcp bootstrap $(ARTIFACTS_DIR)/\n");
  write_template(R"(  Made:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: mk, Handler: x, Runtime: provided.al2023}
    Metadata: {BuildMethod: makefile}
)");
  FakeRunner runner;
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);
  const Command& c = runner.runs[0].command;
  EXPECT_THAT(c.argv, ElementsAre("make", "-f", (dir_ / "mk/Makefile").string(), "build-Made"));
  EXPECT_EQ(c.cwd, dir_ / "mk");
  ASSERT_TRUE(c.env.contains("ARTIFACTS_DIR"));
  EXPECT_EQ(fs::path(c.env.at("ARTIFACTS_DIR")).filename(), "Made");
}

TEST_F(BuildTest, AFailedStepKeepsThePreviousBuild) {
  write("src/app.js", "v1");
  write("src/package.json", R"({"dependencies": {"x": "1"}})");
  write_template(R"(  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x}
)");
  FakeRunner runner;
  run_build(options(), runner);
  EXPECT_EQ(read(dir_ / ".aws-sam/build/Fn/app.js"), "v1");
  write("src/app.js", "v2");
  runner.effect = [](const Command&) { return 1; };
  try {
    run_build(options(), runner);
    FAIL() << "the build should fail";
  } catch (const BuildError& e) {
    EXPECT_THAT(e.what(), HasSubstr("function 'Fn': npm install failed (exit status 1)"));
  }
  EXPECT_EQ(read(dir_ / ".aws-sam/build/Fn/app.js"), "v1");
  // Nothing left beside it.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ / ".aws-sam")) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_THAT(names, ElementsAre("build"));
}

TEST_F(BuildTest, BuildingOneFunctionKeepsTheOthersArtifacts) {
  write("a/bootstrap", "a1");
  write("b/bootstrap", "b1");
  write_template(R"(  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Handler: x, Runtime: provided.al2023}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: b, Handler: x, Runtime: provided.al2023}
)");
  FakeRunner runner;
  run_build(options(), runner);
  write("a/bootstrap", "a2");
  write("b/bootstrap", "b2");
  run_build(options({"B"}), runner);
  EXPECT_EQ(read(dir_ / ".aws-sam/build/A/bootstrap"), "a1");
  EXPECT_EQ(read(dir_ / ".aws-sam/build/B/bootstrap"), "b2");
  const std::string text = read(dir_ / ".aws-sam/build/template.yaml");
  EXPECT_THAT(text, HasSubstr("CodeUri: A"));
  EXPECT_THAT(text, HasSubstr("CodeUri: B"));
  EXPECT_THROW(run_build(options({"Nope"}), runner), BuildError);
}

TEST_F(BuildTest, BuildTemplatePointsAtArtifactsAndKeepsTheRest) {
  write("template.yaml", R"(AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Globals:
  Function:
    Timeout: 10
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: esbuild}
    Properties:
      CodeUri: src/
      Handler: app.handler
      Environment:
        Variables:
          NAME: !Sub "${Stage}-fn"
          TABLE: !Ref Table
          ZIP: "01234"
          FLAG: 'true'
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: other
      Handler: app.handler
  Remote:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/one
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: api/openapi.yaml
      Description: |
        two
        lines
Outputs:
  Url:
    Value: !GetAtt Fn.Arn
)");
  const std::string text =
      build_template_text(dir_ / "template.yaml", dir_ / ".aws-sam/build", {"Fn", "Layer"});
  EXPECT_THAT(text, HasSubstr("CodeUri: Fn\n"));
  EXPECT_THAT(text, HasSubstr("ContentUri: Layer\n"));
  EXPECT_THAT(text, HasSubstr("CodeUri: ../../other\n"));
  EXPECT_THAT(text, HasSubstr("CodeUri: s3://bucket/key.zip\n"));
  EXPECT_THAT(text, HasSubstr("DefinitionUri: ../../api/openapi.yaml\n"));
  EXPECT_THAT(text, HasSubstr("NAME: !Sub ${Stage}-fn"));
  EXPECT_THAT(text, HasSubstr("TABLE: !Ref Table"));
  EXPECT_THAT(text, HasSubstr("ZIP: \"01234\""));
  EXPECT_THAT(text, HasSubstr("FLAG: \"true\""));
  EXPECT_THAT(text, HasSubstr("Value: !GetAtt Fn.Arn"));
  EXPECT_THAT(text, HasSubstr("BuildMethod: esbuild"));
  // It parses back to the same structure, tags included.
  const YAML::Node again = YAML::Load(text);
  EXPECT_EQ(again["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]["TABLE"].Tag(),
            "!Ref");
  EXPECT_EQ(again["Resources"]["Api"]["Properties"]["Description"].as<std::string>(),
            "two\nlines\n");
  EXPECT_EQ(again["Globals"]["Function"]["Timeout"].as<int>(), 10);
}

TEST_F(BuildTest, LoadWarnsAboutFunctionsThatNeedABuild) {
  write("ts/app.ts", "");
  write("built/app.js", "");
  write("node/app.js", "");
  write("node/package.json", R"({"dependencies": {"left-pad": "1", "@aws-sdk/client-s3": "3"}})");
  write("nodeok/app.js", "");
  write("nodeok/package.json", R"({"dependencies": {"left-pad": "1"}})");
  write("nodeok/node_modules/left-pad/index.js", "");
  write("py/app.py", "");
  write("py/requirements.txt", "Requests==2\nboto3\n");
  write("pyok/app.py", "");
  write("pyok/requirements.txt", "requests==2\n");
  write("pyok/requests-2.31.0.dist-info/METADATA", "");
  write("mk/Makefile", "");
  write("mk/bootstrap", "");
  write_template(R"(  Ts:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ts, Handler: app.handler, Runtime: nodejs20.x}
    Metadata: {BuildMethod: esbuild}
  Built:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: built, Handler: app.handler, Runtime: nodejs20.x}
    Metadata: {BuildMethod: esbuild}
  Node:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: node, Handler: app.handler, Runtime: nodejs20.x}
  NodeOk:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: nodeok, Handler: app.handler, Runtime: nodejs20.x}
  Py:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: py, Handler: app.handler, Runtime: python3.12}
  PyOk:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: pyok, Handler: app.handler, Runtime: python3.12}
  Made:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: mk, Handler: x, Runtime: provided.al2023}
    Metadata: {BuildMethod: makefile}
)");
  const Template tmpl = deploy::load_template(dir_ / "template.yaml");
  std::vector<std::string> messages;
  for (const auto& w : needs_build_warnings(tmpl)) messages.push_back(w.message);
  EXPECT_THAT(
      messages,
      ::testing::UnorderedElementsAre(
          AllOf(HasSubstr("function 'Ts': BuildMethod esbuild needs a build"),
                HasSubstr("run 'lambdad build'")),
          HasSubstr("function 'Node': package.json dependencies are not installed (left-pad not "
                    "in"),
          HasSubstr("function 'Py': requirements.txt packages are not installed (Requests not in"),
          HasSubstr("function 'Made': BuildMethod makefile needs a build")));
}

TEST_F(BuildTest, FindsTheNodeSdkInTheGlobalNpmRoot) {
  fs::create_directories(dir_ / "prefix/lib/node_modules/@aws-sdk/client-s3");
  fs::create_directories(dir_ / "prefix/bin");
  std::ofstream(dir_ / "prefix/bin/node") << "";
  setenv("NPM_CONFIG_PREFIX", (dir_ / "prefix").c_str(), 1);
  std::string why;
  const auto sdk = scheduler::find_node_sdk("/nonexistent/bin/node", why);
  unsetenv("NPM_CONFIG_PREFIX");
  ASSERT_TRUE(sdk.has_value()) << why;
  EXPECT_EQ(sdk->dir, fs::canonical(dir_ / "prefix/lib/node_modules"));
  // A python prefix's own site-packages is on its sys.path already.
  fs::create_directories(dir_ / "py/lib/python3.11/site-packages/boto3");
  std::ofstream(dir_ / "py/lib/python3.11/site-packages/boto3/__init__.py") << "";
  fs::create_directories(dir_ / "py/bin");
  std::ofstream(dir_ / "py/bin/python3") << "";
  const auto boto = scheduler::find_python_sdk(dir_ / "py/bin/python3", "3.11.7", why);
  ASSERT_TRUE(boto.has_value()) << why;
  EXPECT_TRUE(boto->on_interpreter_path);
  EXPECT_EQ(boto->dir, dir_ / "py/lib/python3.11/site-packages");
}

}  // namespace
}  // namespace lambdad::build

namespace lambdad::build {
namespace {

TEST(SystemProcessRunnerTest, ReportsExitStatusAndRunsInTheFolderWithTheEnvironment) {
  SystemProcessRunner runner;
  ::testing::internal::CaptureStdout();
  const int status =
      runner.run({.argv = {"sh", "-c", "echo in $(pwd) $LAMBDAD_TEST_VALUE; echo oops >&2; exit 3"},
                  .cwd = "/",
                  .env = {{"LAMBDAD_TEST_VALUE", "v1"}}},
                 "Fn");
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 3);
  EXPECT_THAT(out, ::testing::HasSubstr("[Fn] in / v1\n"));
  EXPECT_THAT(out, ::testing::HasSubstr("[Fn] oops\n"));
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(runner.run({.argv = {"lambdad-no-such-tool"}}, "Fn"), 127);
  EXPECT_THAT(::testing::internal::GetCapturedStdout(),
              ::testing::HasSubstr("cannot run lambdad-no-such-tool"));
}

}  // namespace
}  // namespace lambdad::build

namespace lambdad::build {
namespace {

TEST_F(BuildTest, LayersGoIntoTheRuntimesSubfolderAndGitStaysOut) {
  write("deps/package.json", R"({"dependencies": {"x": "1"}})");
  write("deps/.git/HEAD", "ref");
  write("src/app.js", "");
  write_template(R"(  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: deps}
    Metadata: {BuildMethod: nodejs20.x}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: app.handler, Runtime: nodejs20.x, Layers: [!Ref Deps]}
)");
  FakeRunner runner;
  run_build(options(), runner);
  ASSERT_EQ(runner.runs.size(), 1u);
  EXPECT_EQ(runner.runs[0].command.cwd.filename(), "nodejs");
  EXPECT_EQ(runner.runs[0].prefix, "Deps");
  EXPECT_TRUE(fs::exists(dir_ / ".aws-sam/build/Deps/nodejs/package.json"));
  EXPECT_FALSE(fs::exists(dir_ / ".aws-sam/build/Deps/nodejs/.git"));
  const std::string text = read(dir_ / ".aws-sam/build/template.yaml");
  EXPECT_THAT(text, HasSubstr("ContentUri: Deps\n"));
  EXPECT_THAT(text, HasSubstr("- !Ref Deps"));
}

}  // namespace
}  // namespace lambdad::build
