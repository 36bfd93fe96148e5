#pragma once
/// @brief The Parameters section: types, defaults, overrides and constraints.

#include <map>
#include <string>

#include "intrinsics.hpp"
#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

/// Values from overrides win over Default. A parameter with neither gets no value: that is an
/// error only where it is used (the resolver reports it there).
std::map<std::string, ParameterValue> read_parameters(
    const Node* section, const std::map<std::string, std::string>& overrides, Problems& problems);

}  // namespace lambdad::deploy
