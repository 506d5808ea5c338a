// SPDX-License-Identifier: GPL-2.0-or-later
// Table-driven tests of SIP URI parsing and RFC 3261 19.1.4 comparison (plugin/core/sipuri.h).
#include "core/sipuri.h"

#include <gtest/gtest.h>

#include "table_test.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sipdiag {
namespace {

// ---------------------------------------------------------------------------------------------
// Parsing

struct ParseRow {
    const char *name;
    std::string input;
    bool valid;
    // checked when valid:
    std::string scheme;
    std::string userinfo;
    std::string host;
    std::string port;
    std::vector<std::pair<std::string, std::string>> params;
    std::string headers;
};
SIPDIAG_PRINT_ROW(ParseRow)

const ParseRow kParseRows[] = {
    {"plain", "sip:alice@atlanta.com", true, "sip", "alice", "atlanta.com", "", {}, ""},
    {"sips_with_port",
     "sips:bob@biloxi.com:5061",
     true,
     "sips",
     "bob",
     "biloxi.com",
     "5061",
     {},
     ""},
    {"upper_case_scheme_and_host",
     "SIP:Alice@AtLanTa.CoM",
     true,
     "sip",
     "Alice",
     "atlanta.com",
     "",
     {},
     ""},
    {"escaped_user", "sip:%61lice@atlanta.com", true, "sip", "alice", "atlanta.com", "", {}, ""},
    {"password",
     "sip:alice:secretword@atlanta.com;transport=tcp",
     true,
     "sip",
     "alice:secretword",
     "atlanta.com",
     "",
     {{"transport", "tcp"}},
     ""},
    {"params_lower_cased",
     "sip:alice@atlanta.com;Transport=TCP;lr;Maddr=239.255.255.1",
     true,
     "sip",
     "alice",
     "atlanta.com",
     "",
     {{"transport", "tcp"}, {"lr", ""}, {"maddr", "239.255.255.1"}},
     ""},
    {"headers",
     "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
     true,
     "sip",
     "alice",
     "atlanta.com",
     "",
     {},
     "subject=project%20x&priority=urgent"},
    {"no_user",
     "sip:biloxi.com;method=REGISTER",
     true,
     "sip",
     "",
     "biloxi.com",
     "",
     {{"method", "register"}},
     ""},
    {"ipv6",
     "sip:alice@[2001:DB8::10]:5070",
     true,
     "sip",
     "alice",
     "[2001:db8::10]",
     "5070",
     {},
     ""},
    {"ipv6_no_port",
     "sip:[2001:db8::10];transport=udp",
     true,
     "sip",
     "",
     "[2001:db8::10]",
     "",
     {{"transport", "udp"}},
     ""},
    {"name_addr",
     "\"Alice\" <sip:alice@atlanta.com;transport=udp>;tag=88sja8x",
     true,
     "sip",
     "alice",
     "atlanta.com",
     "",
     {{"transport", "udp"}},
     ""},
    {"surrounding_spaces",
     "  sip:alice@atlanta.com  ",
     true,
     "sip",
     "alice",
     "atlanta.com",
     "",
     {},
     ""},
    {"tel", "tel:+1-201-555-0123", true, "tel", "", "+1-201-555-0123", "", {}, ""},
    {"tel_with_context",
     "tel:7042;phone-context=example.com",
     true,
     "tel",
     "",
     "7042",
     "",
     {{"phone-context", "example.com"}},
     ""},
    {"user_phone",
     "sip:+1-212-555-1212:1234@gateway.com;user=phone",
     true,
     "sip",
     "+1-212-555-1212:1234",
     "gateway.com",
     "",
     {{"user", "phone"}},
     ""},
    {"no_scheme", "alice@atlanta.com", false, "", "", "", "", {}, ""},
    {"empty", "", false, "", "", "", "", {}, ""},
    {"colon_first", ":alice@atlanta.com", false, "", "", "", "", {}, ""},
    {"bad_scheme_char", "s p:alice@atlanta.com", false, "", "", "", "", {}, ""},
    {"no_host", "sip:alice@", false, "", "", "", "", {}, ""},
    {"scheme_only", "sip:", false, "", "", "", "", {}, ""},
    {"unclosed_ipv6", "sip:[2001:db8::1", false, "", "", "", "", {}, ""},
    {"star", "*", false, "", "", "", "", {}, ""},
};

class UriParseTest : public testing::TestWithParam<ParseRow> {};

TEST_P(UriParseTest, Parses) {
    const ParseRow &row = GetParam();
    const SipUri u = parse_sip_uri(row.input);
    ASSERT_EQ(u.valid, row.valid);
    if (!row.valid) return;
    EXPECT_EQ(u.scheme, row.scheme);
    EXPECT_EQ(u.userinfo, row.userinfo);
    EXPECT_EQ(u.host, row.host);
    EXPECT_EQ(u.port, row.port);
    EXPECT_EQ(u.params, row.params);
    EXPECT_EQ(u.headers, row.headers);
}

INSTANTIATE_TEST_SUITE_P(Values, UriParseTest, testing::ValuesIn(kParseRows), row_name<ParseRow>);

// ---------------------------------------------------------------------------------------------
// Equivalence (RFC 3261 19.1.4). Each pair is checked in both directions.

struct EquivRow {
    const char *name;
    std::string a;
    std::string b;
    bool equivalent;
};
SIPDIAG_PRINT_ROW(EquivRow)

const EquivRow kEquivRows[] = {
    // RFC 3261 19.1.4, "equivalent" examples
    {"rfc_escaped_user_host_case_transport_case", "sip:%61lice@atlanta.com;transport=TCP",
     "sip:alice@AtLanTa.CoM;Transport=tcp", true},
    {"rfc_newparam_only_in_one", "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true},
    {"rfc_security_only_in_one", "sip:carol@chicago.com", "sip:carol@chicago.com;security=on",
     true},
    {"rfc_param_order", "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
     "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true},
    {"rfc_header_order", "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
     "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true},
    // RFC 3261 19.1.4, "not equivalent" examples
    {"rfc_different_user_case", "SIP:ALICE@AtLanTa.CoM;Transport=udp",
     "sip:alice@AtLanTa.CoM;Transport=UDP", false},
    {"rfc_port_present_vs_absent", "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false},
    {"rfc_transport_in_one_only", "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false},
    {"rfc_port_and_transport_in_one_only", "sip:bob@biloxi.com",
     "sip:bob@biloxi.com:6000;transport=tcp", false},
    {"rfc_host_vs_its_address", "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false},
    {"rfc_security_on_vs_off", "sip:carol@chicago.com;security=on",
     "sip:carol@chicago.com;security=off", false},
    // Header components are ignored by design (sipuri.h): a Contact's ?headers never reach the
    // retried Request-URI. RFC 3261 19.1.4 would call this pair different.
    {"headers_ignored", "sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting",
     true},
    // scheme, user, host, port
    {"scheme_case", "SIP:bob@biloxi.com", "sip:bob@biloxi.com", true},
    {"sip_vs_sips", "sip:bob@biloxi.com", "sips:bob@biloxi.com", false},
    {"host_case", "sip:bob@BILOXI.com", "sip:bob@biloxi.COM", true},
    {"user_case_sensitive", "sip:Bob@biloxi.com", "sip:bob@biloxi.com", false},
    {"escaped_user_upper_hex", "sip:%42ob@biloxi.com", "sip:Bob@biloxi.com", true},
    {"escaped_user_lower_hex", "sip:b%6fb@biloxi.com", "sip:bob@biloxi.com", true},
    {"bad_escape_kept", "sip:b%zzb@biloxi.com", "sip:b%zzb@biloxi.com", true},
    {"user_vs_no_user", "sip:bob@biloxi.com", "sip:biloxi.com", false},
    {"password_differs", "sip:bob:a@biloxi.com", "sip:bob:b@biloxi.com", false},
    {"different_port", "sip:bob@biloxi.com:5060", "sip:bob@biloxi.com:5070", false},
    {"same_port", "sip:bob@192.0.2.4:5060", "sip:bob@192.0.2.4:5060", true},
    {"different_host", "sip:bob@192.0.2.4", "sip:bob@192.0.2.5", false},
    // must-match parameters
    {"user_param_in_one_only", "sip:+1234@gw.com;user=phone", "sip:+1234@gw.com", false},
    {"maddr_in_one_only", "sip:bob@biloxi.com;maddr=239.255.255.1", "sip:bob@biloxi.com", false},
    {"ttl_in_one_only", "sip:bob@biloxi.com;ttl=15", "sip:bob@biloxi.com", false},
    {"method_in_one_only", "sip:bob@biloxi.com;method=INVITE", "sip:bob@biloxi.com", false},
    {"transport_differs", "sip:bob@biloxi.com;transport=tcp", "sip:bob@biloxi.com;transport=udp",
     false},
    {"transport_value_case", "sip:bob@biloxi.com;transport=TLS", "sip:bob@biloxi.com;transport=tls",
     true},
    // other parameters
    {"lr_in_one_only", "sip:proxy.com;lr", "sip:proxy.com", true},
    {"other_param_both_equal", "sip:bob@biloxi.com;foo=1;transport=tcp",
     "sip:bob@biloxi.com;transport=tcp;foo=1", true},
    {"other_param_both_different", "sip:bob@biloxi.com;foo=1", "sip:bob@biloxi.com;foo=2", false},
    {"other_param_name_case", "sip:bob@biloxi.com;FOO=bar", "sip:bob@biloxi.com;foo=BAR", true},
    // Regression (found by fuzz_values): with a parameter repeated with different values, each
    // occurrence was compared with the first one of the other URI, so a URI was not equivalent
    // to itself and the comparison was not symmetric. Now the first occurrences are compared.
    {"regression_duplicate_param_reflexive", "sip:b@x;foo=1;foo=2", "sip:b@x;foo=1;foo=2", true},
    {"regression_duplicate_param_first_counts", "sip:b@x;foo=1;foo=2", "sip:b@x;foo=1", true},
    {"duplicate_param_first_differs", "sip:b@x;foo=2;foo=1", "sip:b@x;foo=1", false},
    // forms
    {"name_addr_vs_addr_spec", "\"Bob\" <sip:bob@biloxi.com>", "sip:bob@biloxi.com", true},
    {"angle_only", "<sip:bob@biloxi.com>", "sip:bob@biloxi.com", true},
    {"surrounding_spaces", " sip:bob@biloxi.com ", "sip:bob@biloxi.com", true},
    // IPv6
    {"ipv6_case", "sip:bob@[2001:DB8::1]", "sip:bob@[2001:db8::1]", true},
    {"ipv6_port_vs_none", "sip:bob@[2001:db8::1]:5060", "sip:bob@[2001:db8::1]", false},
    {"ipv6_same_port", "sip:[2001:db8::1]:5060;transport=tcp",
     "sip:[2001:db8::1]:5060;transport=TCP", true},
    {"ipv6_different_address", "sip:bob@[2001:db8::1]", "sip:bob@[2001:db8::2]", false},
    // tel
    {"tel_same", "tel:+1-201-555-0123", "TEL:+1-201-555-0123", true},
    {"tel_different", "tel:+1-201-555-0123", "tel:+1-201-555-0124", false},
    {"tel_vs_sip", "tel:+12015550123", "sip:+12015550123@gw.com;user=phone", false},
    // garbage: equal only when identical
    {"garbage_identical", "not a uri", "not a uri", true},
    {"garbage_different_case", "not a uri", "NOT A URI", false},
    {"garbage_vs_uri", "bob@biloxi.com", "sip:bob@biloxi.com", false},
    {"both_empty", "", "", true},
    {"empty_vs_uri", "", "sip:bob@biloxi.com", false},
    {"star_vs_uri", "*", "sip:bob@biloxi.com", false},
    {"binary", std::string("sip:\0\xff@x", 8), std::string("sip:\0\xff@x", 8), true},
};

class UriEquivTest : public testing::TestWithParam<EquivRow> {};

TEST_P(UriEquivTest, Compares) {
    const EquivRow &row = GetParam();
    EXPECT_EQ(sip_uri_equivalent(row.a, row.b), row.equivalent) << row.a << " vs " << row.b;
    EXPECT_EQ(sip_uri_equivalent(row.b, row.a), row.equivalent) << row.b << " vs " << row.a;
    EXPECT_TRUE(sip_uri_equivalent(row.a, row.a)) << "reflexive: " << row.a;
}

INSTANTIATE_TEST_SUITE_P(Values, UriEquivTest, testing::ValuesIn(kEquivRows), row_name<EquivRow>);

TEST(UriEquiv, LongParameterList) {
    // Half a megabyte of parameters on one side.
    std::string a = "sip:bob@biloxi.com";
    for (int i = 0; i < 50000; ++i) a += ";p" + std::to_string(i);
    const std::string b = "sip:bob@biloxi.com;x=1";
    EXPECT_TRUE(sip_uri_equivalent(a, b));
    EXPECT_FALSE(sip_uri_equivalent(a + ";x=2", b));
}

}  // namespace
}  // namespace sipdiag
