#pragma once
/// @brief What a worker's exec-status pipe carries (close-on-exec, written by the launcher's child
/// before exec and by lambdad-init inside a sandbox). EOF without a record: the runtime was exec'd
/// and exited on its own. Records are written whole (12 bytes < PIPE_BUF, so atomic).
///
/// `error` comes first so that a reader of a bare `int` still gets the exec errno.

#include <cstdint>

namespace lambdad::sandbox {

enum ExecReportKind : int32_t {
  kExecFailed = 0,    ///< execve of the runtime failed: error = errno
  kSetupFailed = 1,   ///< a sandbox step failed before exec: error = errno, detail = the step
  kRuntimeExited = 2  ///< (lambdad-init) the runtime ended: detail = its raw wait status
};

struct ExecReport {
  int32_t error = 0;
  int32_t kind = kExecFailed;
  int32_t detail = 0;
};
static_assert(sizeof(ExecReport) == 12);

/// The fd lambdad-init finds its report pipe on (the launcher's child dup2()s it there).
inline constexpr int kInitReportFd = 3;

}  // namespace lambdad::sandbox
