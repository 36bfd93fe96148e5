#pragma once
/// @brief AWS::Serverless::Function: every property SAM knows, read, accepted, warned about or
/// rejected by name.

#include <string>
#include <string_view>
#include <vector>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

/// properties: Globals merged and intrinsics resolved. Problems go to ctx; the config is
/// returned anyway so that later checks (duplicate names, routes) still see it.
FunctionConfig read_function(const std::string& logical_id, int line, const Node& properties,
                             LoadContext& ctx);

/// The function resource's `Metadata: lambdad:` map, where lambdad's own per-function settings
/// live (SAM and CloudFormation ignore Metadata): `Network: host | none`.
void read_lambdad_metadata(const Node& metadata, const std::string& who, FunctionConfig& config,
                           LoadContext& ctx);

/// The runtimes lambdad runs, for messages and docs.
const std::vector<std::string>& supported_runtimes();

/// nodejs<N>.x, python3.<N> and provided*: the families lambdad has clients for, known versions
/// or not.
bool is_runnable_runtime(std::string_view runtime);

}  // namespace lambdad::deploy
