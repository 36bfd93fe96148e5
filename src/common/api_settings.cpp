#include "lambdad/common/api_settings.hpp"

#include <algorithm>

namespace lambdad::api {

std::optional<QuotaPeriod> parse_quota_period(std::string_view text) {
  if (text == "DAY") return QuotaPeriod::kDay;
  if (text == "WEEK") return QuotaPeriod::kWeek;
  if (text == "MONTH") return QuotaPeriod::kMonth;
  return std::nullopt;
}

const char* quota_period_name(QuotaPeriod period) {
  switch (period) {
    case QuotaPeriod::kDay:
      return "DAY";
    case QuotaPeriod::kWeek:
      return "WEEK";
    case QuotaPeriod::kMonth:
      return "MONTH";
  }
  return "DAY";
}

bool Auth::has_authorizer(std::string_view name) const {
  auto named = [&](const auto& authorizer) { return authorizer.name == name; };
  return std::any_of(lambda_authorizers.begin(), lambda_authorizers.end(), named) ||
         std::any_of(jwt_authorizers.begin(), jwt_authorizers.end(), named) ||
         std::find(other_authorizers.begin(), other_authorizers.end(), name) !=
             other_authorizers.end();
}

}  // namespace lambdad::api
