#pragma once
/// @brief The properties SAM's translator knows for each AWS::Serverless::* resource and event
/// type (its `property_types`): a property outside them is an error, as in SAM, so that a
/// misspelled `Memorysize` is caught.

#include <set>
#include <string>
#include <string_view>

#include "load_context.hpp"
#include "node.hpp"

namespace lambdad::deploy {

using PropertyNames = std::set<std::string, std::less<>>;

/// The properties of an AWS::Serverless::* resource type; nullptr for a type whose list lambdad
/// does not check (AWS::Serverless::Function has its own rules table).
const PropertyNames* sam_resource_properties(std::string_view type);

/// The properties of an event type of AWS::Serverless::Function; nullptr for an unknown type.
const PropertyNames* sam_event_properties(std::string_view type);

/// Reports (as errors) the keys of properties that SAM does not know for this resource type.
void check_sam_properties(const std::string& who, std::string_view type, const Node& properties,
                          LoadContext& ctx);

/// A summary of the types in "AWS::IAM::Role x2, AWS::S3::Bucket" form.
std::string describe_types(const std::map<std::string, int>& counts);

}  // namespace lambdad::deploy
