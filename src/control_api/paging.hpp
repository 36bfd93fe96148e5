#pragma once
// The paging of the Lambda API's list operations: `MaxItems` and `Marker` in the query,
// `NextMarker` in the answer. A page's entries are keyed for their order; a marker is the key
// of the last entry a page holds.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lambdad::control_api {

using PageEntries = std::vector<std::pair<std::string, nlohmann::json>>;

/// `MaxItems` of the query (1–10000; 50 when absent). Throws InvalidParameterValueException.
size_t max_items(std::string_view query);

/// The entries after the query's `Marker`, in key order, at most max_items(query): `{list_key:
/// […]}` with `NextMarker` when more follow.
nlohmann::json page(PageEntries entries, std::string_view query, const char* list_key);

/// A version number as a key that sorts by number ("$LATEST" first).
std::string version_key(const std::string& version);

}  // namespace lambdad::control_api
