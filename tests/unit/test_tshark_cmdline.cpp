// SPDX-License-Identifier: GPL-2.0-or-later
// The reader of tshark's command line (plugin/wireshark/tshark_cmdline.h): "only the -e fields
// are printed" must never be answered for a command line that prints more (a wrong yes hides
// items that tshark prints); anything it does not know keeps the whole tree.
#include "wireshark/tshark_cmdline.h"

#include <gtest/gtest.h>

#include "table_test.h"

#include <string>
#include <string_view>
#include <vector>

namespace sipdiag::ws {
namespace {

struct CmdlineRow {
    const char *name;
    std::vector<std::string> args;
    bool fields_only;
};
SIPDIAG_PRINT_ROW(CmdlineRow)

const CmdlineRow kCmdlineRows[] = {
    // Fields only.
    {"fields", {"-r", "f.pcap", "-T", "fields", "-e", "sipdiag.code"}, true},
    {"fields_glued", {"-rf.pcap", "-Tfields", "-esipdiag.code"}, true},
    {"cluster_then_argument", {"-nr", "f.pcap", "-T", "fields", "-e", "frame.number"}, true},
    {"two_pass_filters",
     {"-2", "-R", "sip", "-Y", "sipdiag.code == 302", "-r", "f", "-T", "fields", "-e",
      "sip.Call-ID"},
     true},
    {"options_of_fields",
     {"-r", "f", "-T", "fields", "-E", "header=y", "-E", "separator=,", "-e", "sipdiag.summary"},
     true},
    {"preference",
     {"-o", "sipdiag.language:fr", "-r", "f", "-T", "fields", "-e", "sipdiag.code"},
     true},
    {"long_with_equals",
     {"--display-filter=sipdiag", "-r", "f", "-T", "fields", "-e", "ip.src"},
     true},
    {"long_then_argument",
     {"--disable-protocol", "rtp", "-r", "f", "-T", "fields", "-e", "ip.src"},
     true},
    {"quiet", {"-q", "-r", "f", "-T", "fields", "-e", "ip.src"}, true},
    {"live_capture", {"-i", "eth0", "-l", "-T", "fields", "-e", "sipdiag.code"}, true},
    {"last_T_wins", {"-T", "text", "-r", "f", "-T", "fields", "-e", "ip.src"}, true},
    {"operands_end_options", {"-T", "fields", "-e", "a", "-i", "eth0", "udp", "-V"}, true},
    {"double_dash_ends_options", {"-T", "fields", "-e", "a", "--", "-V"}, true},

    // The whole tree: another output, or something else printed or reading it.
    {"text", {"-r", "f"}, false},
    {"verbose", {"-r", "f", "-V"}, false},
    {"json", {"-r", "f", "-T", "json"}, false},
    {"fields_then_text", {"-T", "fields", "-e", "a", "-T", "pdml"}, false},
    {"fields_and_V", {"-r", "f", "-T", "fields", "-e", "a", "-V"}, false},
    {"fields_and_V_in_cluster", {"-r", "f", "-VT", "fields", "-e", "a"}, false},
    {"fields_and_O", {"-r", "f", "-T", "fields", "-e", "a", "-O", "sip"}, false},
    {"fields_and_P", {"-r", "f", "-T", "fields", "-e", "a", "-P"}, false},
    {"fields_and_stats", {"-r", "f", "-T", "fields", "-e", "a", "-z", "expert"}, false},
    {"fields_and_lua", {"-X", "lua_script:x.lua", "-r", "f", "-T", "fields", "-e", "a"}, false},
    {"fields_and_write", {"-r", "f", "-T", "fields", "-e", "a", "-w", "out.pcap"}, false},
    {"fields_and_hex", {"-r", "f", "-T", "fields", "-e", "a", "-x"}, false},
    {"field_sipdiag_itself", {"-r", "f", "-T", "fields", "-e", "sipdiag"}, false},
    {"field_expert_protocol", {"-r", "f", "-T", "fields", "-e", "_ws.expert"}, false},
    {"column_preference",
     {"-o", "gui.column.format:\"D\",\"%Cus:sipdiag\"", "-r", "f", "-T", "fields", "-e", "a"},
     false},
    {"unknown_short", {"-r", "f", "-T", "fields", "-e", "a", "-k"}, false},
    {"unknown_long", {"--frobnicate", "-r", "f", "-T", "fields", "-e", "a"}, false},
    {"long_abbreviation", {"--display-fil", "sip", "-T", "fields", "-e", "a"}, false},
    {"long_argument_to_flag", {"--monitor-mode=yes", "-T", "fields", "-e", "a"}, false},
    {"missing_argument", {"-r", "f", "-T", "fields", "-e"}, false},
    {"T_missing_argument", {"-r", "f", "-T"}, false},
    {"no_arguments", {}, false},
};

class CmdlineTest : public testing::TestWithParam<CmdlineRow> {};

TEST_P(CmdlineTest, FieldsOnly) {
    const CmdlineRow &row = GetParam();
    const std::vector<std::string_view> args(row.args.begin(), row.args.end());
    EXPECT_EQ(prints_fields_only(args), row.fields_only);
}

INSTANTIATE_TEST_SUITE_P(Rows, CmdlineTest, testing::ValuesIn(kCmdlineRows), row_name<CmdlineRow>);

// "Nothing reads the first pass of tshark -2 but the display filter": a wrong yes would leave out
// the items a read filter tests on that pass (and so the frames it keeps).
struct FirstPassRow {
    const char *name;
    std::vector<std::string> args;
    bool unseen;
};
SIPDIAG_PRINT_ROW(FirstPassRow)

const FirstPassRow kFirstPassRows[] = {
    {"two_pass_display_filter", {"-2", "-r", "f", "-Y", "sipdiag"}, true},
    {"two_pass_in_cluster", {"-2nr", "f", "-Y", "sipdiag"}, true},
    {"two_pass_late", {"-r", "f", "-Y", "sipdiag", "-V", "-2"}, true},
    {"two_pass_fields", {"-2", "-r", "f", "-T", "fields", "-e", "sipdiag.code"}, true},
    {"two_pass_stats", {"-2", "-r", "f", "-q", "-z", "expert"}, true},
    {"two_pass_write", {"-2", "-r", "f", "-Y", "sipdiag", "-w", "out.pcap"}, true},
    {"two_pass_long_display_filter", {"-2", "-r", "f", "--display-filter=sipdiag"}, true},

    {"one_pass", {"-r", "f", "-Y", "sipdiag"}, false},
    {"read_filter", {"-2", "-r", "f", "-R", "sipdiag"}, false},
    {"read_filter_glued", {"-2", "-Rsipdiag", "-r", "f"}, false},
    {"read_filter_in_cluster", {"-2nR", "sipdiag", "-r", "f"}, false},
    {"read_filter_long", {"-2", "--read-filter", "sipdiag", "-r", "f"}, false},
    {"read_filter_long_equals", {"-2", "--read-filter=sipdiag", "-r", "f"}, false},
    {"color", {"-2", "--color", "-r", "f"}, false},
    {"unknown_short", {"-2", "-k", "-r", "f"}, false},
    {"unknown_long", {"-2", "--two-pass-frobnicate", "-r", "f"}, false},
    {"missing_argument", {"-2", "-r"}, false},
    {"two_as_an_argument", {"-r", "-2"}, false},
    {"after_operands", {"-r", "f", "udp", "-2"}, false},
    {"no_arguments", {}, false},
};

class FirstPassTest : public testing::TestWithParam<FirstPassRow> {};

TEST_P(FirstPassTest, Unseen) {
    const FirstPassRow &row = GetParam();
    const std::vector<std::string_view> args(row.args.begin(), row.args.end());
    EXPECT_EQ(first_pass_unseen(args), row.unseen);
}

INSTANTIATE_TEST_SUITE_P(Rows, FirstPassTest, testing::ValuesIn(kFirstPassRows),
                         row_name<FirstPassRow>);

}  // namespace
}  // namespace sipdiag::ws
