#pragma once
// A connection's bytes read as http::serve_connection reads them, without a socket: each request
// parsed with the port's limits (http::prepare_parser, then the handler's BodyPolicy once the
// header is in), answered by `answer`, and the next pipelined one read after it while the
// answers keep the connection alive. The whole input is what the client sent before closing.

#include <functional>
#include <string_view>

#include <boost/asio/buffer.hpp>

#include "lambdad/http/server.hpp"

namespace lambdad::fuzz {

namespace bhttp = http::bhttp;
using error_code = boost::system::error_code;

/// Feeds `bytes` to the parser until its header (or the whole message) is done; what it used is
/// removed. At the end of the input the parser is told so (a cut message is an error).
inline error_code feed(http::RequestParser& parser, std::string_view& bytes, bool header_only) {
  error_code ec;
  while (!(header_only ? parser.is_header_done() : parser.is_done())) {
    if (bytes.empty()) {
      parser.put_eof(ec);
      return ec ? ec : error_code(bhttp::error::partial_message);
    }
    const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec && ec != bhttp::error::need_more) return ec;
    ec = {};
    if (used == 0) bytes = {};  // it needs more than the client sent: the next turn ends it
  }
  return ec;
}

/// Returns how many requests were answered.
inline int serve_bytes(std::string_view bytes, const http::ConnectionLimits& limits,
                       const http::Handler& handler,
                       const std::function<http::Response(http::Request&)>& answer) {
  int answered = 0;
  while (!bytes.empty() && answered < 32) {
    http::RequestParser parser;
    http::prepare_parser(parser, limits);
    if (error_code ec = feed(parser, bytes, true)) {
      if (handler.protocol_error && ec != bhttp::error::partial_message) {
        handler.protocol_error(ec == bhttp::error::header_limit
                                   ? http::ProtocolError::kHeadersTooLarge
                                   : http::ProtocolError::kMalformed,
                               ec.message());
      }
      break;
    }
    const auto& header = parser.get().base();
    http::BodyPolicy policy =
        handler.body_policy ? handler.body_policy(header) : http::BodyPolicy{};
    if (policy.reject) break;
    if (auto length = parser.content_length(); length && *length > policy.limit) {
      if (handler.body_too_large) handler.body_too_large(header);
      break;
    }
    parser.body_limit(policy.limit);
    if (error_code ec = feed(parser, bytes, false)) {
      if (ec == bhttp::error::body_limit && handler.body_too_large) handler.body_too_large(header);
      break;
    }
    http::Request request = parser.release();
    const http::Response response = answer(request);
    ++answered;
    if (!response.keep_alive()) break;
  }
  return answered;
}

}  // namespace lambdad::fuzz
