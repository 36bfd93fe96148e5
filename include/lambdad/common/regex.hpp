#pragma once
/// @brief <regex> for lambdad. GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized
/// inside <regex> itself (a false positive in std::function), which -Werror would turn into a
/// failed sanitizer build; the warning is silenced for the library's own lines only. Clang has no
/// such warning (and -Werror refuses a pragma naming an unknown one).

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif
