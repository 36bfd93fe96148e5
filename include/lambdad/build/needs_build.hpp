#pragma once
/// @brief What `serve` and `validate` say at load about functions that cannot run before a
/// build: a BuildMethod (esbuild, makefile) whose output is not there, package.json
/// dependencies that are not installed, requirements.txt packages that are not installed.

#include <vector>

#include "lambdad/common/function_config.hpp"

namespace lambdad::build {

/// One warning per function that needs `lambdad build`, each naming the function, why and the
/// command to run. Reads the template file again for `Metadata` (the loader does not keep it).
std::vector<TemplateWarning> needs_build_warnings(const Template& tmpl);

}  // namespace lambdad::build
