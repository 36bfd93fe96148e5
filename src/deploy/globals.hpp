#pragma once
/// @brief The Globals section and SAM's rules for merging it into each resource: maps merge
/// key by key, lists are Globals' items followed by the resource's, and anything else (an
/// intrinsic function included) is the resource's own when it has one.

#include <map>
#include <string>

#include "node.hpp"
#include "problems.hpp"

namespace lambdad::deploy {

class Globals {
 public:
  /// Reports unknown sections and properties SAM does not allow in Globals.
  Globals(const Node* section, Problems& problems);

  /// properties merged with the Globals section of this resource type (AWS::Serverless::X).
  /// ignore is the resource's IgnoreGlobals attribute ("*" or a list of property names).
  Node merge(const std::string& type, const Node& properties, const Node* ignore,
             const std::string& who, Problems& problems) const;

 private:
  std::map<std::string, Node> sections_;  ///< by resource type
};

}  // namespace lambdad::deploy
