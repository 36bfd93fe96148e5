#include "connections.hpp"

namespace lambdad::http {

Connections::Slot::Slot(Connections& owner, boost::asio::ip::tcp::socket& socket)
    : owner_(owner), socket_(socket) {
  ++owner_.count_;
}

Connections::Slot::~Slot() {
  idle(false);
  // An evicted slot was uncounted when it was closed: its fd was free from then on.
  if (!evicted_) --owner_.count_;
}

void Connections::Slot::idle(bool idle) {
  if (idle == idle_ || evicted_) return;
  idle_ = idle;
  if (idle) {
    idle_at_ = owner_.idle_.insert(owner_.idle_.end(), this);
  } else {
    owner_.idle_.erase(idle_at_);
  }
}

bool Connections::evict_oldest_idle() {
  if (idle_.empty()) return false;
  Slot* slot = idle_.front();
  idle_.pop_front();
  slot->idle_ = false;
  slot->evicted_ = true;
  --count_;
  ++evictions_;
  boost::system::error_code ignored;
  slot->socket_.close(ignored);
  return true;
}

}  // namespace lambdad::http
