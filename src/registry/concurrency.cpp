// Reserved concurrency: the rules of PutFunctionConcurrency, the API's reservations kept beside
// the functions (concurrency_db.hpp), and how they meet the template's.

#include "lambdad/registry/concurrency.hpp"

#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

#include "concurrency_db.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/check.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/registry/registry.hpp"
#include "registry_db.hpp"

namespace lambdad::registry {
namespace {

namespace asio = boost::asio;

/// AWS's own minimum, for its accounts' usual 1,000.
constexpr int kAwsUnreservedMinimum = 100;

FunctionConfig without_reservation(FunctionConfig config) {
  config.reserved_concurrency.reset();
  if (config.properties.is_object()) config.properties.erase("ReservedConcurrentExecutions");
  return config;
}

AwsError update_in_progress(const std::string& name) {
  return {409, "ResourceConflictException",
          "The operation cannot be performed at this time. An update is in progress for "
          "resource: " +
              function_arn(name),
          AwsError::Key::kmessage};
}

// The registry thread's jobs are made in plain functions, never in a coroutine's capturing
// lambda (GCC 12 miscompiles those: see registry.cpp).
std::function<void()> put_row_job(RegistryDb* db, std::string name, std::optional<int> reserved) {
  return [db, name = std::move(name), reserved] { put_concurrency_row(db->db(), name, reserved); };
}

std::function<void()> remove_row_job(RegistryDb* db, std::string name) {
  return [db, name = std::move(name)] { remove_concurrency_row(db->db(), name); };
}

}  // namespace

int unreserved_minimum(int limit) {
  if (limit <= 0) return 0;
  return std::min(kAwsUnreservedMinimum, (limit + 9) / 10);
}

void check_reservation(int limit, long long reserved_by_others, std::optional<int> current,
                       int reserved, int provisioned) {
  if (reserved < provisioned) {
    throw errors::invalid_parameter(
        "Specified ReservedConcurrentExecutions for function is less than the function's total "
        "provisioned concurrency [" +
        std::to_string(provisioned) + "].");
  }
  const int minimum = unreserved_minimum(limit);
  const bool grows = !current || reserved > *current;
  const long long unreserved =
      static_cast<long long>(limit) - reserved_by_others - static_cast<long long>(reserved);
  if (grows && unreserved < minimum) {
    throw errors::invalid_parameter(
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [" +
        std::to_string(minimum) + "].");
  }
}

bool same_apart_from_reservation(const FunctionConfig& a, const FunctionConfig& b) {
  if (a.reserved_concurrency == b.reserved_concurrency) return a == b;
  return without_reservation(a) == without_reservation(b);
}

std::optional<int> Registry::reserved_concurrency(const std::string& name) const {
  const FunctionRecord* record = find(name);
  if (!record) throw errors::function_not_found(function_arn(name));
  return record->config.reserved_concurrency;
}

asio::awaitable<int> Registry::put_concurrency(std::string name, int reserved) {
  auto it = records_.find(name);
  if (it == records_.end()) throw errors::function_not_found(function_arn(name));
  FunctionConfig& config = it->second.config;
  if (it->second.last_update_status == UpdateStatus::kInProgress) {
    // A write in flight holds a copy of the record it will put back.
    throw update_in_progress(name);
  }
  long long others = 0;  // a template may reserve up to 2^30 for each function
  for (const auto& [other, record] : records_) {
    if (other != name && record.config.reserved_concurrency) {
      others += *record.config.reserved_concurrency;
    }
  }
  check_reservation(options_.concurrency_limit, others, config.reserved_concurrency, reserved,
                    static_cast<int>(std::min<long long>(provisioned_total(name),
                                                         std::numeric_limits<int>::max())));
  LAMBDAD_CHECK(database() != nullptr);  // open() ran
  // In memory before the row is written: a write that copies the record meanwhile keeps it.
  const std::optional<int> before = config.reserved_concurrency;
  const auto kept = concurrency_.find(name);
  const std::optional<std::optional<int>> kept_before =
      kept == concurrency_.end() ? std::nullopt
                                 : std::optional<std::optional<int>>(std::in_place, kept->second);
  config.reserved_concurrency = reserved;
  concurrency_[name] = reserved;
  try {
    std::function<void()> job = put_row_job(database(), name, reserved);
    co_await run_on_thread(std::move(job));
  } catch (...) {
    auto now = records_.find(name);
    if (now != records_.end() && now->second.config.reserved_concurrency == reserved) {
      now->second.config.reserved_concurrency = before;
      if (kept_before) {
        concurrency_[name] = *kept_before;
      } else {
        concurrency_.erase(name);
      }
    }
    throw;
  }
  committed(name);
  co_return reserved;
}

asio::awaitable<void> Registry::delete_concurrency(std::string name) {
  auto it = records_.find(name);
  if (it == records_.end()) throw errors::function_not_found(function_arn(name));
  if (it->second.last_update_status == UpdateStatus::kInProgress) {
    throw update_in_progress(name);
  }
  LAMBDAD_CHECK(database() != nullptr);
  // Over a reservation the template declares, the API's "none" is kept (until the template's
  // next deploy); otherwise there is nothing left to keep.
  const bool declared = template_reservations_.contains(name);
  const std::optional<int> before = it->second.config.reserved_concurrency;
  const auto kept = concurrency_.find(name);
  const std::optional<std::optional<int>> kept_before =
      kept == concurrency_.end() ? std::nullopt
                                 : std::optional<std::optional<int>>(std::in_place, kept->second);
  it->second.config.reserved_concurrency.reset();
  if (declared) {
    concurrency_[name] = std::nullopt;
  } else {
    concurrency_.erase(name);
  }
  try {
    // Named, not a temporary of the co_await's expression: GCC 12 destroys those twice.
    std::function<void()> job;
    if (declared) {
      job = put_row_job(database(), name, std::nullopt);
    } else {
      job = remove_row_job(database(), name);
    }
    co_await run_on_thread(std::move(job));
  } catch (...) {
    auto now = records_.find(name);
    if (now != records_.end() && !now->second.config.reserved_concurrency) {
      now->second.config.reserved_concurrency = before;
      if (kept_before) {
        concurrency_[name] = *kept_before;
      } else {
        concurrency_.erase(name);
      }
    }
    throw;
  }
  committed(name);
}

AccountFigures Registry::account() const {
  AccountFigures figures;
  figures.concurrency_limit = options_.concurrency_limit;
  long long reserved = 0;
  std::map<std::string, uint64_t> zips;  // content-addressed: a zip two functions use is kept once
  for (const auto& [name, record] : records_) {
    if (record.config.reserved_concurrency) reserved += *record.config.reserved_concurrency;
    if (!record.code_hex.empty()) zips[record.code_hex] = record.code_size;
  }
  figures.unreserved =
      static_cast<int>(std::max<long long>(0, options_.concurrency_limit - reserved));
  for (const auto& [hex, size] : zips) figures.code_bytes += size;
  figures.function_count = records_.size();
  return figures;
}

void Registry::load_concurrency() {
  concurrency_ = load_concurrency_rows(database()->db());
}

void Registry::merge_concurrency() {
  template_reservations_.clear();
  for (const auto& [name, record] : records_) {
    if (record.origin == Origin::kTemplate && record.config.reserved_concurrency) {
      template_reservations_[name] = *record.config.reserved_concurrency;
    }
  }
  for (auto it = concurrency_.begin(); it != concurrency_.end();) {
    const std::string& name = it->first;
    auto record = records_.find(name);
    const auto declared = template_reservations_.find(name);
    if (record != records_.end() && declared == template_reservations_.end()) {
      record->second.config.reserved_concurrency = it->second;
      ++it;
      continue;
    }
    if (record != records_.end()) {
      spdlog::warn(
          "function {}: the template's redeploy overwrites the changes made to it through the "
          "Lambda API (its ReservedConcurrentExecutions, {}, replaces the API's {})",
          name, declared->second, it->second ? std::to_string(*it->second) : "none");
    }
    // The template owns it now, or the function is gone: so is the API's reservation.
    if (database()) post_to_thread(remove_row_job(database(), name));
    it = concurrency_.erase(it);
  }
}

void Registry::forget_concurrency(const std::string& name) {
  if (concurrency_.erase(name) && database()) post_to_thread(remove_row_job(database(), name));
}

}  // namespace lambdad::registry
