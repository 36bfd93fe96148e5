#pragma once
/// @brief The Lambda proxy event of payload format 1.0: REST APIs, and HTTP API routes with
/// `PayloadFormatVersion: "1.0"` (which add `"version": "1.0"`).
///
/// As AWS builds it: `resource`, `path` (decoded), `httpMethod`, `headers` (last value of each
/// name) and `multiValueHeaders` (every value), `queryStringParameters` (last value) and
/// `multiValueQueryStringParameters` (null when there is no query), `pathParameters` and
/// `stageVariables` (null when empty), `requestContext` (`accountId`, `apiId`, `domainName`,
/// `domainPrefix`, `extendedRequestId`, `httpMethod`, `identity`, `path`, `protocol`,
/// `requestId`, `requestTime`, `requestTimeEpoch`, `resourceId`, `resourcePath`, `stage`), `body`
/// (null when empty; base64 when binary) and `isBase64Encoded`. HTTP APIs send header names in
/// lower case.
///
/// lambdad serves APIs without a stage prefix (as a custom domain mapped to the stage would), so
/// `requestContext.path` is the path as requested and `domainName` the Host header.

#include <nlohmann/json.hpp>

#include "lambdad/gateway/request.hpp"

namespace lambdad::gateway {

nlohmann::json build_v1_event(const EventInput& input);

}  // namespace lambdad::gateway
