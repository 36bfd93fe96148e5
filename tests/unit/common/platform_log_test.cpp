#include "lambdad/common/platform_log.hpp"

#include <gtest/gtest.h>

namespace lambdad {
namespace {

constexpr const char* kId = "8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f";

TEST(PlatformLog, StartLine) {
  EXPECT_EQ(start_line(kId, "$LATEST"),
            "START RequestId: 8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f Version: $LATEST");
  EXPECT_EQ(start_line("abc", "3"), "START RequestId: abc Version: 3");
}

TEST(PlatformLog, EndLine) {
  EXPECT_EQ(end_line(kId), "END RequestId: 8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f");
}

TEST(PlatformLog, ReportLineWarm) {
  ReportFigures f{kId, 38.66, 128, 54, std::nullopt};
  EXPECT_EQ(report_line(f),
            "REPORT RequestId: 8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f\tDuration: 38.66 ms\t"
            "Billed Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t");
}

TEST(PlatformLog, ReportLineColdPutsInitDurationLast) {
  ReportFigures f{kId, 38.66, 128, 54, 203.69};
  EXPECT_EQ(report_line(f),
            "REPORT RequestId: 8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f\tDuration: 38.66 ms\t"
            "Billed Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t"
            "Init Duration: 203.69 ms\t");
}

TEST(PlatformLog, ReportLineRoundsToTwoDecimals) {
  ReportFigures f{"r", 1.005001, 1024, 1024, 0.004};
  EXPECT_EQ(report_line(f),
            "REPORT RequestId: r\tDuration: 1.01 ms\tBilled Duration: 2 ms\tMemory Size: 1024 MB\t"
            "Max Memory Used: 1024 MB\tInit Duration: 0.00 ms\t");
}

TEST(PlatformLog, BilledDurationRoundsUpToWholeMillisecond) {
  EXPECT_EQ(billed_duration_ms(38.66), 39);
  EXPECT_EQ(billed_duration_ms(38.00), 38);
  EXPECT_EQ(billed_duration_ms(38.01), 39);
  EXPECT_EQ(billed_duration_ms(38.001), 38);  // prints as 38.00, so bills as 38
  EXPECT_EQ(billed_duration_ms(0.01), 1);
  EXPECT_EQ(billed_duration_ms(0), 1);
  EXPECT_EQ(billed_duration_ms(-5), 1);
  EXPECT_EQ(billed_duration_ms(2999.5), 3000);
  EXPECT_EQ(billed_duration_ms(60000.0), 60000);
}

TEST(PlatformLog, TimeoutLine) {
  EXPECT_EQ(timeout_line(1704067200000, kId, 3),
            "2024-01-01T00:00:00.000Z 8f5ad7b2-4c9e-4c1e-9f57-3a0b1c2d3e4f Task timed out after "
            "3.00 seconds");
  EXPECT_EQ(timeout_line(1704067200123, "r", 0.5),
            "2024-01-01T00:00:00.123Z r Task timed out after 0.50 seconds");
}

TEST(PlatformLog, Iso8601Milliseconds) {
  EXPECT_EQ(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_ms(1704067200000), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_ms(1709251199999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(iso8601_ms(951782400007), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(iso8601_ms(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace lambdad
