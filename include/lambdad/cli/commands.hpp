#pragma once
/// @brief The subcommands of the `lambdad` binary. Each takes the arguments after its own name
/// and returns the process exit code; each prints its own `--help`.

#include <span>
#include <string_view>

namespace lambdad::cli {

using Args = std::span<const std::string_view>;

int serve(Args args);
int validate(Args args);
int invoke(Args args);
int logs(Args args);
int events(Args args);
int doctor(Args args);
int build(Args args);
int schedules(Args args);

}  // namespace lambdad::cli
