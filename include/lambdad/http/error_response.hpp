#pragma once
/// @brief The one place where lambdad's errors become HTTP responses, per protocol.

#include <nlohmann/json.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/http/server.hpp"

namespace lambdad::http {

/// JSON text of a value that may hold untrusted strings: invalid UTF-8 becomes U+FFFD instead of
/// throwing.
std::string dump_lenient(const nlohmann::json& value);

/// Lambda REST protocol: status, `x-amzn-ErrorType`, `x-amzn-RequestId`, `{"Type", "Message"}`.
Response lambda_error(const Request& request, const AwsError& error, std::string_view request_id);
/// Same, for a request whose body was never read (only its header is known).
Response lambda_error(const RequestHeader& header, const AwsError& error,
                      std::string_view request_id);

/// AWS JSON 1.1 protocol (CloudWatch Logs): `{"__type": …, "message": …}`.
Response json11_error(const Request& request, const AwsError& error, std::string_view request_id);

/// Runtime API errors (InvalidStateTransition 403, InvalidRequestID 400, …).
Response runtime_error(const RequestHeader& header, unsigned status, std::string_view type,
                       std::string_view message);

/// The server loop's own answers (Handler::protocol_error), one mapping per port; the gateway's
/// is in gateway/errors.hpp (API Gateway's shapes).
///
/// | error            | lambda port (Lambda REST shape)                 | Runtime API |
/// |------------------|-------------------------------------------------|--------------------------------------|
/// | kMalformed       | 400 InvalidRequestContentException              | 400 InvalidRequest | |
/// kHeadersTooLarge | 431 InvalidRequestContentException              | 431
/// RequestHeaderFieldsTooLarge      | | kOverloaded      | 503 ServiceException (Type Service) |
/// 503 TooManyConnections               | | kInternal        | 500 ServiceException (Type Service)
/// | 500 ServiceException                 |
Response lambda_protocol_error(ProtocolError error, std::string_view detail);
Response runtime_protocol_error(ProtocolError error, std::string_view detail);

}  // namespace lambdad::http
