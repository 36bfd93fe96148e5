#pragma once
// The registry's test fixture: a registry on a real SQLite file and real folders under a
// temporary state dir, a fake clock, and a way to run its coroutines to completion.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "../error_of.hpp"
#include "../store/temp_dir.hpp"
#include "lambdad/common/aws_error.hpp"
#include "lambdad/registry/registry.hpp"

namespace lambdad::registry {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() { open(); }

  /// A registry on the state dir (again, as after a restart); `limit`: --max-concurrency.
  void open(const std::vector<FunctionConfig>& tmpl = {}, int limit = 1000) {
    registry.reset();
    registry = std::make_unique<Registry>(io.get_executor(),
                                          RegistryOptions{.state_dir = dir.path(),
                                                          .now_ms = [this] { return clock_ms; },
                                                          .check = {},
                                                          .concurrency_limit = limit});
    registry->on_change([this] { ++changes; });
    registry->open(tmpl);
  }

  /// Runs `a` to completion on the io_context (the registry thread works meanwhile), then
  /// whatever it posted (the Active / Successful transition).
  template <typename T>
  T run(asio::awaitable<T> a) {
    auto future = asio::co_spawn(io, std::move(a), asio::use_future);
    while (future.wait_for(0s) != std::future_status::ready) {
      io.restart();
      io.run_for(5ms);
    }
    io.restart();
    io.poll();
    return future.get();
  }

  /// A zip holding `files` (name → content; "bootstrap" executable).
  std::string zip_of(const std::map<std::string, std::string>& files) {
    const fs::path folder = dir / ("src-" + std::to_string(zips++));
    fs::create_directories(folder);
    for (const auto& [name, content] : files) {
      fs::create_directories((folder / name).parent_path());
      std::ofstream(folder / name) << content;
      if (name == "bootstrap") fs::permissions(folder / name, fs::perms(0755));
    }
    return CodeStore(dir / "scratch").zip_folder(folder);
  }

  CreateRequest create_request(const std::string& name, const std::string& body = "one") {
    CreateRequest request;
    request.name = name;
    request.config.runtime = "provided.al2023";
    request.config.handler = "handler";
    request.config.role = "arn:aws:iam::123456789012:role/r";
    request.config.environment = std::map<std::string, std::string>{{"A", "1"}};
    request.zip = zip_of({{"bootstrap", "#!/bin/sh\necho " + body + "\n"}});
    return request;
  }

  size_t code_entries() {
    size_t n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir / "code", ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      ++n;
    }
    return n;
  }

  lambdad::testing::TempDir dir;
  asio::io_context io;
  long long clock_ms = 1700000000000;
  int changes = 0;
  int zips = 0;
  std::unique_ptr<Registry> registry;
};

using lambdad::testing::error_of;

}  // namespace lambdad::registry
