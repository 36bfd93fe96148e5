#pragma once
// A temp folder with a template and code folders, for the deploy tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "lambdad/deploy/template_loader.hpp"

namespace lambdad::deploy::testing {

namespace fs = std::filesystem;

class TemplateFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lambdad-deploy-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    write("src/app.py", "def handler(event, context):\n    return {}\n");
    write("src/app.js", "exports.handler = async () => ({});\n");
    write("custom/bootstrap", "#!/bin/sh\n", true);
    fs::create_directories(dir_ / "layer1");
    fs::create_directories(dir_ / "layer2");
  }

  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& relative, const std::string& text, bool executable = false) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    if (executable) fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
  }

  /// Writes template.yaml; a leading newline is dropped so that line 1 is the first YAML line.
  fs::path write_template(std::string yaml) {
    if (!yaml.empty() && yaml.front() == '\n') yaml.erase(0, 1);
    write("template.yaml", yaml);
    return dir_ / "template.yaml";
  }

  Template load(const std::string& yaml, const std::map<std::string, std::string>& overrides = {}) {
    return load_template(write_template(yaml), overrides);
  }

  /// The problems of a template that must fail to load.
  std::vector<TemplateProblem> errors(const std::string& yaml,
                                      const std::map<std::string, std::string>& overrides = {}) {
    try {
      load(yaml, overrides);
    } catch (const TemplateError& e) {
      return e.problems();
    }
    ADD_FAILURE() << "the template loaded without errors";
    return {};
  }

  static const FunctionConfig& function(const Template& t, const std::string& logical_id) {
    for (const auto& f : t.functions) {
      if (f.logical_id == logical_id) return f;
    }
    throw std::runtime_error("no function " + logical_id);
  }

  fs::path dir_;
};

inline ::testing::Matcher<const TemplateProblem&> Problem(int line, const std::string& message) {
  return ::testing::AllOf(::testing::Field(&TemplateProblem::line, line),
                          ::testing::Field(&TemplateProblem::message, message));
}

inline ::testing::Matcher<const TemplateProblem&> ProblemLike(int line, const std::string& part) {
  return ::testing::AllOf(::testing::Field(&TemplateProblem::line, line),
                          ::testing::Field(&TemplateProblem::message, ::testing::HasSubstr(part)));
}

inline ::testing::Matcher<const TemplateWarning&> Warning(int line, const std::string& message) {
  return ::testing::AllOf(::testing::Field(&TemplateWarning::line, line),
                          ::testing::Field(&TemplateWarning::message, message));
}

inline ::testing::Matcher<const TemplateWarning&> WarningLike(int line, const std::string& part) {
  return ::testing::AllOf(::testing::Field(&TemplateWarning::line, line),
                          ::testing::Field(&TemplateWarning::message, ::testing::HasSubstr(part)));
}

}  // namespace lambdad::deploy::testing

namespace lambdad::deploy {
inline void PrintTo(const TemplateProblem& p, std::ostream* os) {
  *os << p.line << ": " << p.message;
}
}  // namespace lambdad::deploy

namespace lambdad {
inline void PrintTo(const TemplateWarning& w, std::ostream* os) {
  *os << w.line << ": " << w.message;
}
}  // namespace lambdad
