#pragma once
/// @brief The Lambda proxy event of payload format 2.0 (HTTP API routes, the default).
///
/// As AWS builds it: `version`, `routeKey` (`GET /pets/{id}` or `$default`), `rawPath` (as sent),
/// `rawQueryString`, `cookies` (the Cookie header's parts, which leave `headers`), `headers`
/// (names lower-cased, repeated values joined by `,`), `queryStringParameters` (decoded, repeated
/// values joined by `,`), `pathParameters` (decoded), `stageVariables`, `requestContext`
/// (`accountId`, `apiId`, `domainName`, `domainPrefix`, `http{method,path,protocol,sourceIp,
/// userAgent}`, `requestId`, `routeKey`, `stage`, `time`, `timeEpoch`), `body` (base64 unless
/// text) and `isBase64Encoded`. Empty optional fields are left out, as AWS does.

#include <nlohmann/json.hpp>

#include "lambdad/gateway/request.hpp"

namespace lambdad::gateway {

nlohmann::json build_v2_event(const EventInput& input);

}  // namespace lambdad::gateway
