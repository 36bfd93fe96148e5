#pragma once
/// @brief Reads a template file with yaml-cpp into a Node tree: short-form intrinsics (`!Ref X`)
/// become their long form (`{Ref: X}`), duplicate keys and unknown tags are reported.

#include <filesystem>
#include <optional>
#include <string>

#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

/// nullopt when the file cannot be read or is not YAML (the reason is in problems).
std::optional<Node> read_yaml_file(const std::filesystem::path& file, Problems& problems);

/// The same, from text (a YAML syntax error becomes one problem with its line).
std::optional<Node> read_yaml_text(const std::string& text, Problems& problems);

}  // namespace lambdad::deploy
