// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the table-driven tests: each row has a `name`, used as the test name and in
// failure messages.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

template <typename Row>
std::string row_name(const testing::TestParamInfo<Row> &info) {
    return info.param.name;
}

// Failure messages name the row instead of dumping its bytes.
#define SIPDIAG_PRINT_ROW(Row)                                        \
    [[maybe_unused]] void PrintTo(const Row &row, std::ostream *os) { \
        *os << row.name;                                              \
    }
