#include "paging.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/control_api/request_routing.hpp"

namespace lambdad::control_api {

size_t max_items(std::string_view query) {
  const std::string text = query_param(query, "MaxItems");
  size_t max = 50;
  if (text.empty()) return max;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), max);
  if (ec != std::errc() || p != text.data() + text.size() || max < 1 || max > 10000) {
    throw errors::invalid_parameter("MaxItems must be between 1 and 10000");
  }
  return max;
}

nlohmann::json page(PageEntries entries, std::string_view query, const char* list_key) {
  const size_t max = max_items(query);
  const std::string marker = query_param(query, "Marker");
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json list = nlohmann::json::array();
  std::string next_marker;
  std::string last;
  for (auto& [key, json] : entries) {
    if (!marker.empty() && key <= marker) continue;
    if (list.size() == max) {
      next_marker = last;
      break;
    }
    list.push_back(std::move(json));
    last = key;
  }
  nlohmann::json body = {{list_key, std::move(list)}};
  if (!next_marker.empty()) body["NextMarker"] = next_marker;
  return body;
}

std::string version_key(const std::string& version) {
  char padded[16];  // $LATEST: 0, before every version
  std::snprintf(padded, sizeof padded, "%010d", std::atoi(version.c_str()));
  return padded;
}

}  // namespace lambdad::control_api
