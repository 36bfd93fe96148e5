#pragma once
/// @brief The resource types other than functions: LayerVersion (for Layers), Api and HttpApi
/// (for the gateway), and the rest (reported as not created).

#include <filesystem>
#include <optional>
#include <string>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// An AWS::Serverless::LayerVersion's local ContentUri folder; nullopt when it has none (reported).
std::optional<std::filesystem::path> read_layer(const std::string& logical_id, int line,
                                                const Node& properties, LoadContext& ctx);

/// An AWS::Serverless::Api / AWS::Serverless::HttpApi, properties resolved and Globals merged.
ApiConfig read_api(const std::string& logical_id, const std::string& type, int line,
                   const Node& properties, LoadContext& ctx);

/// Warns that lambdad does not create a resource of a type users may expect it to run (and says
/// what it does instead); false, without a warning, for the others (roles, tables, buckets...).
bool warn_not_created(const std::string& logical_id, const std::string& type, int line,
                      LoadContext& ctx);

}  // namespace lambdad::deploy
