#pragma once
/// @brief A request as API Gateway sees it before building an event: the path split and
/// percent-decoded, the query parsed, the headers in arrival order plus the ones API Gateway adds
/// (`X-Forwarded-For`, `X-Forwarded-Port`, `X-Forwarded-Proto`, `X-Amzn-Trace-Id`).

#include <optional>
#include <string>
#include <vector>

#include "lambdad/http/server.hpp"

namespace lambdad::gateway {

struct NameValue {
  std::string name;
  std::string value;
};

struct GatewayRequest {
  std::string method;                 ///< GET, POST, … as sent
  std::string raw_path;               ///< as sent, without the query
  std::string path;                   ///< percent-decoded
  std::vector<std::string> segments;  ///< the path split on `/`, decoded, empty ones dropped
  std::string raw_query;              ///< after `?`, as sent ("" when none)
  std::vector<NameValue> query;       ///< decoded, in order (a name without `=` has "")
  std::vector<NameValue> headers;     ///< names as sent, in order, hop-by-hop ones left out
  std::string body;
  std::string protocol = "HTTP/1.1";
  std::string source_ip;
  std::string host;        ///< the Host header ("" when absent)
  std::string user_agent;  ///< the User-Agent header ("" when absent)
  std::string trace_id;    ///< X-Amzn-Trace-Id: the client's, or a new one
  long long time_epoch_ms = 0;

  /// The value of a header (case-insensitive name), the last one when repeated.
  const std::string* header(std::string_view name) const;
};

struct Route;

/// What an event builder needs: the request, its route, the route's `{name}` values and the ids
/// API Gateway gives the request.
struct EventInput {
  const GatewayRequest& request;
  const Route& route;
  const std::vector<std::string>& path_values;  ///< in the order of Route::params
  std::string_view request_id;           ///< REST: a UUID; HTTP API: `JKJaXmPLvHcESHA=` style
  std::string_view extended_request_id;  ///< REST `extendedRequestId`
};

/// Parses a request (taking its body). nullopt when the target is not a path or holds a
/// malformed percent escape: API Gateway answers 400 there.
std::optional<GatewayRequest> parse_request(http::Request& request, const http::Peer& peer);

/// The parts of `Cookie` headers (`a=1; b=2` → `a=1`, `b=2`), in order.
std::vector<std::string> cookies_of(const GatewayRequest& request);

/// `09/Apr/2015:12:34:56 +0000`: API Gateway's requestTime / time.
std::string request_time(long long epoch_ms);

/// The Host header's name part before its first dot (`abc.example.com` → `abc`); the whole host
/// for an IP address or a name without dots. The port is left out.
std::string domain_prefix(std::string_view host);

/// API Gateway's short ids (`extendedRequestId`, HTTP API `requestId`): 15 alphanumerics + `=`.
std::string new_apigw_id();

/// `type/subtype` of a Content-Type or Accept entry, lower-cased, without parameters.
std::string media_type(std::string_view header_value);

}  // namespace lambdad::gateway
