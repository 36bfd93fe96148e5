#pragma once
/// @brief An invocation the gateway waits for within a time limit (an integration timeout, an
/// authorizer's limit). The invocation goes on after the gateway gives up on it, as on AWS (API
/// Gateway does not stop the function).
///
/// Thread safety: on the io thread, like the scheduler.

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lambdad/scheduler/scheduler.hpp"

namespace lambdad::gateway {

/// Runs the invocation through the scheduler; nullopt when `limit` passes first. Throws AwsError
/// when Lambda refuses it (throttled, unknown function, shutting down).
boost::asio::awaitable<std::optional<scheduler::InvokeResult>> invoke_within(
    scheduler::Scheduler& scheduler, std::string function, std::chrono::milliseconds limit,
    std::string payload);

}  // namespace lambdad::gateway
