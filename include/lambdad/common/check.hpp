#pragma once
/// @brief Broken invariants crash loudly, in every build type (unlike assert).

#include <cstdio>
#include <cstdlib>

#define LAMBDAD_CHECK(condition)                                                             \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)
