#pragma once
/// @brief A function's Events: Api, HttpApi, Schedule and ScheduleV2 are kept for the gateway
/// and the scheduler; SAM's other event types are reported as not run.

#include <string>
#include <vector>

#include "lambdad/common/function_config.hpp"
#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

inline constexpr std::string_view kImplicitRestApi = "ServerlessRestApi";
inline constexpr std::string_view kImplicitHttpApi = "ServerlessHttpApi";

/// events: the resolved `Events` map. who: "function 'Hello'".
std::vector<EventSource> read_events(const Node& events, const std::string& who, LoadContext& ctx);

}  // namespace lambdad::deploy
