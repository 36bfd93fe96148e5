#include "lambdad/worker/log_pipe.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lambdad::worker {
namespace {
constexpr size_t kMaxLine = 256 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

LogPipe::LogPipe(boost::asio::any_io_executor executor, int fd, LineSink sink, Backlog backlogged)
    : pipe_(executor, fd), sink_(std::move(sink)), backlogged_(std::move(backlogged)) {}

boost::asio::awaitable<void> LogPipe::run() {
  namespace asio = boost::asio;
  constexpr auto await = asio::as_tuple(asio::use_awaitable);
  while (!eof_ && pipe_.is_open()) {
    // Readiness, not data: the read itself happens in read_some(), which drain() shares, so the
    // order of lines is kept whichever of the two reads first.
    auto [ec] = co_await pipe_.async_wait(asio::posix::descriptor_base::wait_read, await);
    if (ec) break;
    if (!read_some(kReadChunk * 4)) break;
    while (backlogged_ && backlogged_()) {
      asio::steady_timer pause(pipe_.get_executor(), std::chrono::milliseconds(5));
      co_await pause.async_wait(await);
    }
  }
  flush_partial();
}

bool LogPipe::read_some(size_t max_bytes) {
  char buffer[kReadChunk];
  size_t total = 0;
  while (total < max_bytes && pipe_.is_open()) {
    ssize_t n = ::read(pipe_.native_handle(), buffer, sizeof buffer);
    if (n > 0) {
      pending_.append(buffer, static_cast<size_t>(n));
      total += static_cast<size_t>(n);
      emit_lines();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    eof_ = true;
    return false;
  }
  return true;
}

void LogPipe::drain(size_t max_bytes) {
  if (!eof_) read_some(max_bytes);
}

void LogPipe::drain(LogPipe& a, LogPipe& b) {
  pollfd fds[2] = {{.fd = a.eof_ ? -1 : a.pipe_.native_handle(), .events = POLLIN, .revents = 0},
                   {.fd = b.eof_ ? -1 : b.pipe_.native_handle(), .events = POLLIN, .revents = 0}};
  if (::poll(fds, 2, 0) <= 0) return;
  if (fds[0].revents) a.drain();
  if (fds[1].revents) b.drain();
}

void LogPipe::emit_lines() {
  size_t start = 0;
  for (;;) {
    size_t newline = pending_.find('\n', start);
    if (newline == std::string::npos) break;
    std::string_view line(pending_.data() + start, newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (line.size() > kMaxLine) {
      sink_(line.substr(0, kMaxLine));
      line.remove_prefix(kMaxLine);
    }
    sink_(line);
    start = newline + 1;
  }
  pending_.erase(0, start);
  while (pending_.size() >= kMaxLine) {
    sink_(std::string_view(pending_).substr(0, kMaxLine));
    pending_.erase(0, kMaxLine);
  }
}

void LogPipe::flush_partial() {
  if (!pending_.empty()) {
    sink_(pending_);
    pending_.clear();
  }
}

}  // namespace lambdad::worker
