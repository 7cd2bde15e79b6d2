// nabla::Error: what() carries the source location only while error_locations() is on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/error.hpp"

namespace nabla {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

// Restores the process-wide switch, whatever NABLA_DEBUG this test binary runs under.
class ErrorLocations : public ::testing::Test {
 protected:
  void TearDown() override { set_error_locations(saved_); }
  const bool saved_ = error_locations();
};

int check_line = 0;  // the line of the check below, for the expected location

Error failed_check() {
  try {
    check_line = __LINE__ + 1;
    NABLA_CHECK(1 + 1 == 3, "arithmetic: expected ", 3, ", got ", 2);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "NABLA_CHECK did not throw";
  return Error("", "", 0);
}

TEST_F(ErrorLocations, WhatIsTheMessageAloneByDefault) {
  set_error_locations(false);
  const Error error = failed_check();
  EXPECT_STREQ(error.what(), "arithmetic: expected 3, got 2");
  EXPECT_EQ(error.message(), "arithmetic: expected 3, got 2");
  EXPECT_THAT(error.file(), EndsWith("error_test.cpp"));
  EXPECT_EQ(error.line(), check_line);
}

TEST_F(ErrorLocations, SwitchedOnWhatEndsWithFileAndLine) {
  set_error_locations(true);
  const Error error = failed_check();
  EXPECT_EQ(std::string(error.what()),
            "arithmetic: expected 3, got 2 (error_test.cpp:" + std::to_string(check_line) + ")");
  EXPECT_EQ(error.message(), "arithmetic: expected 3, got 2");  // never the location
}

TEST_F(ErrorLocations, DecidedWhenReadNotWhenThrown) {
  // An error thrown before `nabla --verbose` took effect, or nested into another's message,
  // follows the switch at the time it is printed.
  set_error_locations(false);
  const Error error = failed_check();
  set_error_locations(true);
  EXPECT_THAT(error.what(), HasSubstr("(error_test.cpp:"));
  set_error_locations(false);
  EXPECT_THAT(error.what(), Not(HasSubstr("error_test.cpp")));
}

}  // namespace
}  // namespace nabla
