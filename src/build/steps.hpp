#pragma once
// Shared by the builders: running one step and failing the build with its name.

#include <string>

#include "lambdad/build/builders.hpp"

namespace lambdad::build {

/// Runs the command with its output shown under the item's logical id; a non-zero exit throws
/// BuildError saying what failed.
void run_step(BuildContext& ctx, const BuildItem& item, const Command& command,
              const std::string& what);

/// Where a layer's files go inside its artifact for a runtime family (sam's layer subfolders):
/// `nodejs` for Node.js, `python` for Python, the artifact itself otherwise.
std::filesystem::path layer_root(const BuildItem& item, const std::filesystem::path& artifact);

/// Announces a step on stdout: `[Id] <text>`.
void say(const BuildItem& item, const std::string& text);

}  // namespace lambdad::build
