#include "lambdad/gateway/invoke.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lambdad::gateway {

namespace {

namespace asio = boost::asio;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

/// An invocation raced against the time limit.
struct Race {
  explicit Race(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  std::optional<scheduler::InvokeResult> result;
  std::exception_ptr error;
  bool done = false;
};

asio::awaitable<void> run_invocation(std::shared_ptr<Race> race, scheduler::Scheduler& scheduler,
                                     scheduler::InvokeRequest call) {
  try {
    race->result = co_await scheduler.invoke(std::move(call));
  } catch (...) {
    race->error = std::current_exception();
  }
  race->done = true;
  race->timer.cancel();
}

}  // namespace

asio::awaitable<std::optional<scheduler::InvokeResult>> invoke_within(
    scheduler::Scheduler& scheduler, std::string function, std::chrono::milliseconds limit,
    std::string payload) {
  // A named request, not a temporary inside the co_await: GCC 12 destroys such temporaries
  // twice.
  scheduler::InvokeRequest call{.function = std::move(function), .payload = std::move(payload)};
  // When the function's own deadline (its timeout, plus init on a cold start) comes first, no
  // race is needed: the scheduler ends the invocation in time.
  if (auto longest = scheduler.longest_invocation(call.function);
      longest && *longest + std::chrono::milliseconds(500) < limit) {
    co_return co_await scheduler.invoke(std::move(call));
  }
  auto race = std::make_shared<Race>(scheduler.executor());
  race->timer.expires_after(limit);
  asio::co_spawn(scheduler.executor(), run_invocation(race, scheduler, std::move(call)),
                 asio::detached);
  if (!race->done) co_await race->timer.async_wait(kAwait);
  if (!race->done) co_return std::nullopt;
  if (race->error) std::rethrow_exception(race->error);
  co_return std::move(race->result);
}

}  // namespace lambdad::gateway
