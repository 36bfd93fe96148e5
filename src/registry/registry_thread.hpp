#pragma once
// The registry's thread: its database connection and the code store's disk work; and the
// conflicts its writes answer. Shared by the registry's files (registry.cpp, versions.cpp, and
// the stored operations': tags.cpp, policies.cpp, …).

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lambdad/common/aws_error.hpp"
#include "lambdad/common/ids.hpp"
#include "lambdad/registry/registry.hpp"
#include "registry_db.hpp"

namespace lambdad::registry {

// A coroutine function, not a capturing lambda, so the job lives in the coroutine's frame.
template <typename R>
boost::asio::awaitable<R> run_job(std::function<R()> job) {
  co_return job();
}

/// The registry thread's job of reading a code download: the kept `zip`, or when there is none
/// (a template folder) `dir` zipped now.
inline std::function<std::string()> read_code_job(const CodeStore& code, std::filesystem::path zip,
                                                  std::filesystem::path dir) {
  return [&code, zip = std::move(zip), dir = std::move(dir)] {
    if (zip.empty()) return code.zip_folder(dir);
    std::ifstream in(zip, std::ios::binary);
    if (!in) throw errors::service("cannot read " + zip.string());
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
}

inline AwsError conflict(const std::string& message) {
  return {409, "ResourceConflictException", message, AwsError::Key::kmessage};
}

inline AwsError update_in_progress(const std::string& name) {
  return conflict(
      "The operation cannot be performed at this time. An update is in progress for resource: " +
      function_arn(name));
}

struct Registry::Thread {
  boost::asio::thread_pool pool{1};
  std::unique_ptr<RegistryDb> db;  ///< used on `pool` only, once open() made it

  ~Thread() { pool.join(); }

  template <typename R>
  boost::asio::awaitable<R> run(std::function<R()> job) {
    co_return co_await boost::asio::co_spawn(pool, run_job<R>(std::move(job)),
                                             boost::asio::use_awaitable);
  }
  /// Fire and forget (a row a template deploy took over): errors are logged.
  void post_remove(const std::string& name) {
    post([db = db.get(), name] { db->remove(name); });
  }
  void post(std::function<void()> job) {
    boost::asio::post(pool, [job = std::move(job)] {
      try {
        job();
      } catch (const std::exception& e) {
        spdlog::error("registry: {}", e.what());
      }
    });
  }
};

}  // namespace lambdad::registry
