#include "lambdad/gateway/response_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>

#include "lambdad/common/encoding.hpp"
#include "lambdad/gateway/media_types.hpp"

namespace lambdad::gateway {

namespace {

using json = nlohmann::json;
namespace beast = boost::beast;

/// Headers a function may not set on the wire: they describe the gateway's own connection.
bool is_framing(std::string_view name) {
  for (std::string_view framing : {"connection", "content-length", "transfer-encoding",
                                   "keep-alive", "upgrade", "te", "trailer", "proxy-connection"}) {
    if (beast::iequals(name, framing)) return true;
  }
  return false;
}

/// Adds a function's header: framing headers (and, on REST, Date and Server) are remapped to
/// `x-amzn-Remapped-<name>` on REST and dropped on HTTP APIs.
/// A header the HTTP response can carry: a token name and a value without control characters.
bool valid_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 32 || c >= 127 ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      return false;
    }
  }
  return std::none_of(value.begin(), value.end(),
                      [](unsigned char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

void add_header(MappedResponse& out, std::string name, std::string value, ApiKind kind) {
  if (is_framing(name) || beast::iequals(name, "date") || beast::iequals(name, "server")) {
    if (kind == ApiKind::kHttp) return;
    name = "x-amzn-Remapped-" + name;
  }
  out.headers.emplace_back(std::move(name), std::move(value));
}

bool has_header(const MappedResponse& out, std::string_view name) {
  for (const auto& [n, v] : out.headers) {
    if (beast::iequals(n, name)) return true;
  }
  return false;
}

/// A header value: strings as they are, numbers and booleans as JSON writes them.
std::optional<std::string> header_value(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

/// `statusCode`: an integer (or a string of one) in 200–599.
std::optional<unsigned> status_code(const json& value) {
  long long code = -1;
  if (value.is_number_integer()) {
    code = value.get<long long>();
  } else if (value.is_number_float()) {
    // Range first: converting a double beyond long long's range is undefined.
    const double d = value.get<double>();
    if (d >= 0 && d < 1000 && d == std::floor(d)) code = static_cast<long long>(d);
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (!text.empty() && text.size() <= 3 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      code = std::stoll(text);
    }
  }
  if (code < 200 || code > 599) return std::nullopt;
  return static_cast<unsigned>(code);
}

/// `body` and `isBase64Encoded` into out.body; false (with `why`) when malformed.
bool read_body(const json& reply, MappedResponse& out, bool decode_base64, std::string& why) {
  bool base64 = false;
  if (auto it = reply.find("isBase64Encoded"); it != reply.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      why = "isBase64Encoded must be a boolean";
      return false;
    }
    base64 = it->get<bool>();
  }
  if (auto it = reply.find("body"); it != reply.end() && !it->is_null()) {
    if (!it->is_string()) {
      why = "body must be a string";
      return false;
    }
    out.body = it->get<std::string>();
  }
  if (base64 && decode_base64) {
    auto decoded = base64_decode(out.body);
    if (!decoded) {
      why = "isBase64Encoded is true but body is not base64";
      return false;
    }
    out.body = std::move(*decoded);
  }
  return true;
}

}  // namespace

std::optional<MappedResponse> map_v1_response(std::string_view payload, const ApiInfo& api,
                                              std::string_view accept, std::string& why) {
  const json reply = json::parse(payload, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    why = reply.is_discarded() ? "the reply is not JSON" : "the reply is not a JSON object";
    return std::nullopt;
  }
  for (const auto& [key, value] : reply.items()) {
    if (key != "statusCode" && key != "headers" && key != "multiValueHeaders" && key != "body" &&
        key != "isBase64Encoded") {
      why = "unexpected field '" + key + "'";
      return std::nullopt;
    }
  }
  MappedResponse out;
  auto status = reply.find("statusCode");
  if (status == reply.end() || !status_code(*status)) {
    why = status == reply.end() ? "statusCode is missing"
                                : "statusCode must be an integer between 200 and 599";
    return std::nullopt;
  }
  out.status = *status_code(*status);

  const json* headers = nullptr;
  const json* multi = nullptr;
  if (auto it = reply.find("headers"); it != reply.end() && !it->is_null()) {
    if (!it->is_object()) {
      why = "headers must be an object";
      return std::nullopt;
    }
    headers = &*it;
  }
  if (auto it = reply.find("multiValueHeaders"); it != reply.end() && !it->is_null()) {
    if (!it->is_object()) {
      why = "multiValueHeaders must be an object";
      return std::nullopt;
    }
    multi = &*it;
  }
  // multiValueHeaders first; a `headers` value joins its name's list unless already in it.
  std::vector<std::pair<std::string, std::string>> merged;
  if (multi) {
    for (const auto& [name, values] : multi->items()) {
      if (values.is_null()) continue;
      if (!values.is_array()) {
        why = "multiValueHeaders['" + name + "'] must be a list";
        return std::nullopt;
      }
      for (const auto& value : values) {
        if (value.is_null()) continue;
        auto text = header_value(value);
        if (!text) {
          why = "multiValueHeaders['" + name + "'] holds a value that is not a string";
          return std::nullopt;
        }
        merged.emplace_back(name, std::move(*text));
      }
    }
  }
  if (headers) {
    for (const auto& [name, value] : headers->items()) {
      if (value.is_null()) continue;
      auto text = header_value(value);
      if (!text) {
        why = "headers['" + name + "'] must be a string";
        return std::nullopt;
      }
      // (An init-capture: clang before 16 cannot capture a structured binding.)
      const bool duplicate = std::any_of(merged.begin(), merged.end(),
                                         [&, key = std::string_view(name)](const auto& h) {
                                           return beast::iequals(h.first, key) && h.second == *text;
                                         });
      if (!duplicate) merged.emplace_back(name, std::move(*text));
    }
  }
  for (auto& [name, value] : merged) {
    if (!valid_header(name, value)) {
      why = "header '" + name + "' has an invalid name or value";
      return std::nullopt;
    }
    add_header(out, std::move(name), std::move(value), api.kind);
  }

  const bool rest = api.kind == ApiKind::kRest;
  const bool decode =
      !rest || media_type_matches(api.binary_media_types, first_accept_type(accept));
  if (!read_body(reply, out, decode, why)) return std::nullopt;
  if (!has_header(out, "content-type")) {
    out.headers.emplace_back("Content-Type",
                             rest ? "application/json" : "text/plain; charset=utf-8");
  }
  return out;
}

std::optional<MappedResponse> map_v2_response(std::string_view payload, std::string& why) {
  const json reply = json::parse(payload, nullptr, false);
  if (reply.is_discarded()) {
    why = "the reply is not JSON";
    return std::nullopt;
  }
  MappedResponse out;
  if (!reply.is_object() || !reply.contains("statusCode")) {
    // Inferred: the reply is the body of a 200 JSON response.
    out.headers.emplace_back("content-type", "application/json");
    if (reply.is_string()) {
      out.body = reply.get<std::string>();
    } else {
      std::string_view text = payload;
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
      }
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
      }
      out.body = std::string(text);
    }
    return out;
  }
  auto status = status_code(reply.at("statusCode"));
  if (!status) {
    why = "statusCode must be an integer between 200 and 599";
    return std::nullopt;
  }
  out.status = *status;
  if (auto it = reply.find("headers"); it != reply.end() && !it->is_null()) {
    if (!it->is_object()) {
      why = "headers must be an object";
      return std::nullopt;
    }
    for (const auto& [name, value] : it->items()) {
      if (value.is_null()) continue;
      auto text = header_value(value);
      if (!text) {
        why = "headers['" + name + "'] must be a string";
        return std::nullopt;
      }
      if (!valid_header(name, *text)) {
        why = "header '" + name + "' has an invalid name or value";
        return std::nullopt;
      }
      add_header(out, name, std::move(*text), ApiKind::kHttp);
    }
  }
  if (auto it = reply.find("cookies"); it != reply.end() && !it->is_null()) {
    if (!it->is_array()) {
      why = "cookies must be a list of strings";
      return std::nullopt;
    }
    for (const auto& cookie : *it) {
      if (!cookie.is_string() || !valid_header("set-cookie", cookie.get<std::string>())) {
        why = "cookies must be a list of strings";
        return std::nullopt;
      }
      out.headers.emplace_back("set-cookie", cookie.get<std::string>());
    }
  }
  if (!read_body(reply, out, true, why)) return std::nullopt;
  if (!has_header(out, "content-type")) {
    out.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  }
  return out;
}

}  // namespace lambdad::gateway
