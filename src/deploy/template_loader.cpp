#include "lambdad/deploy/template_loader.hpp"

#include "problems.hpp"
#include "template_builder.hpp"
#include "yaml_reader.hpp"

namespace lambdad::deploy {

namespace fs = std::filesystem;

namespace {

std::string summary(const fs::path& file, const std::vector<TemplateProblem>& problems) {
  std::string text;
  for (const auto& problem : problems) {
    if (!text.empty()) text += '\n';
    text += file.string();
    if (problem.line > 0) text += ":" + std::to_string(problem.line);
    text += ": error: " + problem.message;
  }
  return text;
}

}  // namespace

TemplateError::TemplateError(fs::path file, std::vector<TemplateProblem> problems,
                             std::vector<TemplateProblem> warnings)
    : std::runtime_error(summary(file, problems)),
      file_(std::move(file)),
      problems_(std::move(problems)),
      warnings_(std::move(warnings)) {}

fs::path find_template(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const char* name : {"template.yaml", "template.yml"}) {
      if (fs::is_regular_file(path / name, ec)) return path / name;
    }
    throw TemplateError(path, {{0, "no template.yaml or template.yml in folder " + path.string()}});
  }
  if (fs::is_regular_file(path, ec)) return path;
  if (fs::exists(path, ec)) throw TemplateError(path, {{0, "not a file or folder"}});
  throw TemplateError(path, {{0, "no such file or folder"}});
}

Template load_template(const fs::path& file,
                       const std::map<std::string, std::string>& parameter_overrides) {
  return load_template(file, LoadOptions{.parameter_overrides = parameter_overrides});
}

Template load_template(const fs::path& file, const LoadOptions& options) {
  Problems problems;
  Template out;
  out.path = fs::absolute(file).lexically_normal();
  const fs::path state_dir =
      options.state_dir.empty() ? out.path.parent_path() / ".lambdad" : options.state_dir;
  std::error_code ec;
  fs::path code_root = fs::weakly_canonical(fs::absolute(state_dir / "code"), ec);
  if (ec) code_root = fs::absolute(state_dir / "code").lexically_normal();
  if (auto root = read_yaml_file(out.path, problems)) {
    TemplateBuilder builder(out.path, options.parameter_overrides, problems);
    builder.set_code_root(code_root);
    builder.build(*root, out);
  }
  if (problems.has_errors()) throw TemplateError(file, problems.errors(), problems.warnings());
  for (auto& warning : problems.warnings()) {
    out.warnings.push_back((warning.line > 0 ? "line " + std::to_string(warning.line) + ": " : "") +
                           warning.message);
    out.warning_lines.push_back({warning.line, warning.message});
  }
  return out;
}

std::optional<fs::path> build_template(const fs::path& source) {
  const fs::path built =
      fs::absolute(source).parent_path() / ".aws-sam" / "build" / "template.yaml";
  std::error_code ec;
  if (!fs::is_regular_file(built, ec)) return std::nullopt;
  const auto built_time = fs::last_write_time(built, ec);
  if (ec) return std::nullopt;
  const auto source_time = fs::last_write_time(source, ec);
  if (ec || built_time < source_time) return std::nullopt;
  return built;
}

}  // namespace lambdad::deploy
