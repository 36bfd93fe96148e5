#pragma once
// The AwsError a call throws, for tests that check an error's status, type or message.

#include <gtest/gtest.h>

#include <functional>

#include "lambdad/common/aws_error.hpp"

namespace lambdad::testing {

/// The AwsError `f` throws; a test failure (and an empty error) when it throws none.
inline AwsError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const AwsError& e) {
    return e;
  }
  ADD_FAILURE() << "no AwsError thrown";
  return AwsError(0, "", "");
}

}  // namespace lambdad::testing
