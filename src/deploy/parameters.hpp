#pragma once
/// @brief The Parameters section: types, defaults, overrides and constraints.

#include <map>
#include <string>
#include <string_view>

#include "intrinsics.hpp"
#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

/// Values from overrides win over Default. A parameter with neither gets no value and stays an
/// unresolved Ref, as in sam local: an error only in a property lambdad needs.
std::map<std::string, ParameterValue> read_parameters(
    const Node* section, const std::map<std::string, std::string>& overrides, Problems& problems);

/// AWS::StackName, AWS::Region, AWS::AccountId, ...: --parameter-overrides may set them too
/// (a long folder name would otherwise make `!Sub ${AWS::StackName}-...` names too long).
bool is_overridable_pseudo_parameter(std::string_view name);

}  // namespace lambdad::deploy
