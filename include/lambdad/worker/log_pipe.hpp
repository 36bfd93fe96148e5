#pragma once
/// @brief Reads one of a worker's output pipes line by line. Lines longer than 256 KB (CloudWatch's
/// event limit) are split. Reading slows down while the store's backlog is over its high-water mark
/// so a flooding worker blocks on its own write(): no line is dropped and memory stays bounded.

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace lambdad::worker {

class LogPipe {
 public:
  using LineSink = std::function<void(std::string_view line)>;
  using Backlog = std::function<bool()>;  ///< true while the consumer is over its high-water mark

  LogPipe(boost::asio::any_io_executor executor, int fd, LineSink sink, Backlog backlogged);

  /// Reads until EOF (the worker and all its children closed the pipe).
  boost::asio::awaitable<void> run();
  /// Reads whatever the pipe holds right now, without waiting (at most `max_bytes`). Called when a
  /// worker answers so that lines written before the answer belong to that invocation.
  void drain(size_t max_bytes = 1 << 20);
  /// drain() on both pipes, with one poll() to skip the empty ones (the usual case on the warm
  /// path, where two failed reads would cost two system calls per invocation).
  static void drain(LogPipe& a, LogPipe& b);
  /// Emits a last partial line, if any.
  void flush_partial();

 private:
  /// Reads available bytes; false at EOF or error.
  bool read_some(size_t max_bytes);
  void emit_lines();

  boost::asio::posix::stream_descriptor pipe_;
  LineSink sink_;
  Backlog backlogged_;
  std::string pending_;
  bool eof_ = false;
};

}  // namespace lambdad::worker
