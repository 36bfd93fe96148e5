// Where a function's code comes from: CodeUri omitted, InlineCode, .zip / .jar CodeUri and
// ContentUri, and sam build's output.
#include <zip.h>

#include <chrono>
#include <thread>

#include "template_fixture.hpp"

namespace lambdad::deploy::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class TemplateCodeTest : public TemplateFixture {
 protected:
  /// A zip of name → text, every entry 0644 except `bootstrap` (0755).
  void write_zip(const std::string& relative,
                 const std::vector<std::pair<std::string, std::string>>& files) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    ASSERT_NE(archive, nullptr);
    for (const auto& [name, text] : files) {
      zip_source_t* source = zip_source_buffer(archive, text.data(), text.size(), 0);
      const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
      ASSERT_GE(index, 0);
      const mode_t mode = S_IFREG | (name == "bootstrap" ? 0755 : 0644);
      zip_file_set_external_attributes(archive, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                       static_cast<zip_uint32_t>(mode) << 16);
    }
    ASSERT_EQ(zip_close(archive), 0);
  }

  fs::path code_root() const { return fs::canonical(dir_) / ".lambdad" / "code"; }
};

TEST_F(TemplateCodeTest, OmittedCodeUriIsTheTemplatesFolder) {
  write("app.js", "exports.handler = async () => ({});\n");
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
)");
  EXPECT_EQ(function(t, "Fn").code_dir, fs::canonical(dir_));
  EXPECT_THAT(t.warning_lines, IsEmpty());
}

TEST_F(TemplateCodeTest, PythonHandlerWithItsLastDotBeforeItsLastSlash) {
  // `app./handler`: Python's runtime loads module `app` (read past the module's end before;
  // found by tests/fuzz/template.cpp, corpus/template/crash-handler-dot-before-slash.yaml).
  write("app.py", "def handler(event, context):\n    return {}\n");
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app./handler
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: pkg.mod./x
)");
  ASSERT_EQ(t.warning_lines.size(), 1u);
  EXPECT_THAT(t.warning_lines[0].message, HasSubstr("no pkg/mod.py in CodeUri"));
}

TEST_F(TemplateCodeTest, GlobalsCodeUriStillApplies) {
  const Template t = load(R"(
Globals:
  Function:
    CodeUri: src
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
)");
  EXPECT_EQ(function(t, "Fn").code_dir, fs::canonical(dir_ / "src"));
}

TEST_F(TemplateCodeTest, InlineCodeBecomesIndexFileInTheStateDir) {
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Node:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async () => "node";
  Py:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: !Sub |
        def handler(event, context):
            return "${AWS::Region}"
)");
  const FunctionConfig& node = function(t, "Node");
  EXPECT_EQ(node.code_dir.parent_path(), code_root());
  EXPECT_EQ(node.code_source, "InlineCode");
  std::ifstream js(node.code_dir / "index.js");
  std::string line;
  std::getline(js, line);
  EXPECT_EQ(line, "exports.handler = async () => \"node\";");
  const FunctionConfig& py = function(t, "Py");
  EXPECT_TRUE(fs::is_regular_file(py.code_dir / "index.py"));
  EXPECT_NE(py.code_dir, node.code_dir);
  EXPECT_THAT(t.warning_lines, IsEmpty());
}

TEST_F(TemplateCodeTest, InlineCodeGoesToTheStateDirGiven) {
  write_template(R"(
Resources:
  Node:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1;"
)");
  const Template t = load_template(dir_ / "template.yaml", {.state_dir = dir_ / "elsewhere"});
  EXPECT_EQ(function(t, "Node").code_dir.parent_path(), fs::canonical(dir_) / "elsewhere" / "code");
  EXPECT_FALSE(fs::exists(dir_ / ".lambdad"));
}

TEST_F(TemplateCodeTest, InlineCodeProblems) {
  const std::string big(4 * 1024 * 1024 + 1, 'x');
  EXPECT_THAT(
      errors(R"(
Globals:
  Function:
    Handler: index.handler
Resources:
  Both:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: src
      InlineCode: "exports.handler = async () => 1;"
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      InlineCode: "echo hi"
  Big:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      InlineCode: ")" +
             big + R"("
)"),
      ElementsAre(Problem(10,
                          "function 'Both': InlineCode and CodeUri cannot both be set (SAM "
                          "rejects it; a Globals.Function CodeUri counts too)"),
                  Problem(15,
                          "function 'Custom': InlineCode works for nodejs and python runtimes "
                          "only (as CloudFormation's Code.ZipFile), not provided.al2023"),
                  Problem(20,
                          "function 'Big': InlineCode is 4194305 bytes, over CloudFormation's 4 "
                          "MB limit for inline code (AWS::Lambda::Function Code.ZipFile); put the "
                          "code in a folder or a .zip and set CodeUri")));
  EXPECT_FALSE(fs::exists(code_root())) << "nothing written for templates that fail";
}

TEST_F(TemplateCodeTest, ZipCodeUriAndLayerAreUnpacked) {
  write_zip("dist/app.zip", {{"bootstrap", "#!/bin/sh\n"}});
  write_zip("dist/layer.zip", {{"lib/x.txt", "x"}});
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: dist/layer.zip
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: dist/app.zip
      Layers: [!Ref Layer]
)");
  const FunctionConfig& fn = function(t, "Fn");
  EXPECT_EQ(fn.code_dir.parent_path(), code_root());
  EXPECT_EQ(fn.code_source, "dist/app.zip");
  EXPECT_TRUE(fs::is_regular_file(fn.code_dir / "bootstrap"));
  ASSERT_EQ(fn.layers.size(), 1u);
  EXPECT_TRUE(fs::is_regular_file(fn.layers[0] / "lib" / "x.txt"));
  EXPECT_THAT(t.archives, ElementsAre(fs::canonical(dir_ / "dist" / "layer.zip"),
                                      fs::canonical(dir_ / "dist" / "app.zip")));
  EXPECT_THAT(t.warning_lines, IsEmpty());  // the bootstrap inside the zip is found
}

TEST_F(TemplateCodeTest, BadZipNamesTheFunctionAndLine) {
  write("bad.jar", "not a zip");
  EXPECT_THAT(errors(R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: bad.jar
)"),
              ElementsAre(ProblemLike(6, "function 'Fn': CodeUri: 'bad.jar' is not a zip file")));
}

// sam validate and sam local accept a CodeUri that a build makes (`./build/handler`, `app.zip`):
// the template loads with a warning naming the function, the line, the path and what to run.
TEST_F(TemplateCodeTest, CodeNotBuiltYetLoadsWithAWarning) {
  write("src/app.py", "def handler(e, c): return 1\n");
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Rust:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: ./build/handler
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: dist/app.zip
  Layered:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src
      Layers: [!Ref Deps]
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: package/
  Built:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .aws-sam/build/Built
)");
  const fs::path root = fs::canonical(dir_);
  EXPECT_THAT(function(t, "Rust").missing_code, ElementsAre(root / "build" / "handler"));
  EXPECT_EQ(function(t, "Rust").code_dir, root / "build" / "handler");
  EXPECT_THAT(function(t, "Zipped").missing_code, ElementsAre(root / "dist" / "app.zip"));
  EXPECT_THAT(function(t, "Layered").missing_code, ElementsAre(root / "package"));
  EXPECT_EQ(function(t, "Layered").code_dir, root / "src");
  EXPECT_THAT(function(t, "Built").missing_code, ElementsAre(root / ".aws-sam/build/Built"));
  EXPECT_THAT(t.archives, IsEmpty());
  const std::string tail =
      " does not exist yet; run the project's build (invocations fail until it exists; serve "
      "picks it up when it appears)";
  EXPECT_THAT(
      t.warning_lines,
      UnorderedElementsAre(
          Warning(8, "function 'Rust': CodeUri: folder './build/handler' (" +
                         (root / "build/handler").string() + ")" + tail),
          Warning(14, "function 'Zipped': CodeUri: file 'dist/app.zip' (" +
                          (root / "dist/app.zip").string() + ")" + tail),
          Warning(25, "layer 'Deps': ContentUri: folder 'package/' (" +
                          (root / "package").string() + ")" + tail),
          Warning(31, "function 'Built': CodeUri: folder '.aws-sam/build/Built' (" +
                          (root / ".aws-sam/build/Built").string() +
                          ") does not exist yet; run 'lambdad build' (invocations fail until it "
                          "exists; serve picks it up when it appears)")));
}

TEST_F(TemplateCodeTest, CodeNotBuiltYetNamesTheProjectsBuild) {
  write("package.json", R"({"scripts": {"build": "tsc"}})");
  const Template t = load(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: dist/
)");
  ASSERT_EQ(t.warning_lines.size(), 1u);
  EXPECT_THAT(t.warning_lines[0].message, HasSubstr("run the project's build ('npm run build')"));
}

TEST_F(TemplateCodeTest, CodeThatIsNotAFolderOrFromS3IsStillAnError) {
  write("afile", "x");
  EXPECT_THAT(errors(R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: s3://bucket/missing.zip
)"),
              ElementsAre(ProblemLike(8, "S3 locations are not supported")));
}

TEST_F(TemplateCodeTest, BuildTemplateIsUsedWhenNewer) {
  const fs::path source = write_template("Resources: {}\n");
  EXPECT_EQ(build_template(source), std::nullopt);
  write(".aws-sam/build/template.yaml", "Resources: {}\n");
  const fs::path built = dir_ / ".aws-sam" / "build" / "template.yaml";
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(source, now - std::chrono::seconds(10));
  fs::last_write_time(built, now);
  EXPECT_EQ(build_template(source), built);
  fs::last_write_time(source, now + std::chrono::seconds(10));  // edited after the build
  EXPECT_EQ(build_template(source), std::nullopt);
}

}  // namespace
}  // namespace lambdad::deploy::testing
