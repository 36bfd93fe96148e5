#include "lambdad/registry/function_record.hpp"

#include "lambdad/common/platform_log.hpp"

namespace lambdad::registry {

std::string_view origin_name(Origin origin) {
  switch (origin) {
    case Origin::kTemplate:
      return "template";
    case Origin::kApi:
      return "api";
  }
  return "api";
}

std::string_view state_name(State state) {
  switch (state) {
    case State::kPending:
      return "Pending";
    case State::kActive:
      return "Active";
  }
  return "Active";
}

std::string_view update_status_name(UpdateStatus status) {
  switch (status) {
    case UpdateStatus::kSuccessful:
      return "Successful";
    case UpdateStatus::kInProgress:
      return "InProgress";
  }
  return "Successful";
}

std::string FunctionRecord::last_modified() const {
  std::string text = iso8601_ms(last_modified_ms);
  return text.substr(0, text.size() - 1) + "+0000";
}

}  // namespace lambdad::registry
