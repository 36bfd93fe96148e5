#pragma once
// The open connections of one listener: how many there are, and which are idle (waiting for a
// request's first bytes) in the order they became so, so that a listener at its cap can close the
// oldest idle one to make room for a new client (as nginx reuses its keep-alive connections).
//
// Thread safety: the io thread only (the accept loop and its connections).

#include <cstddef>
#include <list>

#include <boost/asio/ip/tcp.hpp>

namespace lambdad::http {

class Connections {
 public:
  /// One connection's place; lives in its coroutine, registered for the coroutine's lifetime.
  class Slot {
   public:
    Slot(Connections& owner, boost::asio::ip::tcp::socket& socket);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    /// Waiting for the next request's first bytes (may be closed to make room) or not.
    void idle(bool idle);
    /// Whether the listener closed it to make room.
    bool evicted() const { return evicted_; }

   private:
    friend class Connections;
    Connections& owner_;
    boost::asio::ip::tcp::socket& socket_;
    std::list<Slot*>::iterator idle_at_;
    bool idle_ = false;
    bool evicted_ = false;
  };

  size_t count() const { return count_; }
  /// Closes the connection idle the longest (its pending read ends with operation_aborted and its
  /// fd is free at once); false when none is idle.
  bool evict_oldest_idle();
  /// Connections closed to make room so far.
  size_t evictions() const { return evictions_; }

 private:
  size_t count_ = 0;
  size_t evictions_ = 0;
  std::list<Slot*> idle_;  ///< oldest first
};

}  // namespace lambdad::http
