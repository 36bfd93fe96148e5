#pragma once
/// @brief The template `lambdad build` writes: the source template with each built resource's
/// CodeUri / ContentUri naming its artifact folder (relative to the build template, as sam writes
/// it), other local paths made relative to the build folder, everything else as written (tags
/// such as !Ref and !Sub kept as tags; comments are lost, as with sam).

#include <filesystem>
#include <set>
#include <string>

namespace lambdad::build {

/// The YAML text of the build template. `built`: logical ids with an artifact folder.
/// Throws BuildError when the source template cannot be parsed.
std::string build_template_text(const std::filesystem::path& source_template,
                                const std::filesystem::path& build_dir,
                                const std::set<std::string>& built);

}  // namespace lambdad::build
