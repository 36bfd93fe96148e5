// The template loader on untrusted bytes, as `lambdad validate` and `serve` read a template:
// YAML, Parameters, Conditions, Mappings, Globals, the intrinsics, SAM's properties of every
// resource type lambdad knows and the checks on them. The bytes are written to template.yaml in
// the process's scratch folder, beside a code folder `src/`; a problem in the template is a
// TemplateError (its problems listed), anything else thrown is a bug.

#include "lambdad/deploy/template_loader.hpp"
#include "scratch_dir.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = lambdad::fuzz::scratch_dir() / "template";
    fs::create_directories(d / "src");
    lambdad::fuzz::write_file(d / "src" / "bootstrap", "#!/bin/sh\n");
    lambdad::fuzz::write_file(d / "src" / "app.py", "def handler(e, c):\n  return e\n");
    return d;
  }();
  const fs::path file = dir / "template.yaml";
  lambdad::fuzz::write_file(file, std::string_view(reinterpret_cast<const char*>(data), size));
  lambdad::deploy::LoadOptions options;
  options.state_dir = dir / "state";
  try {
    (void)lambdad::deploy::load_template(file, options);
  } catch (const lambdad::deploy::TemplateError& e) {
    if (e.problems().empty()) __builtin_trap();  // an error lists at least one problem
  }
  std::error_code ignored;
  if (fs::exists(options.state_dir, ignored)) fs::remove_all(options.state_dir, ignored);
  return 0;
}
