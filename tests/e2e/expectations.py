"""Golden expectations for the end-to-end tests: the scripting contract (field and expert-info
names), frame-by-frame facts of the bundled Kamailio captures, and the hostile-input capture."""

from sippcap import request, response

# Filter fields promised by the foundation and follow-up issues (add more, rename none).
CONTRACT_FIELDS = [
    "sipdiag.code", "sipdiag.class", "sipdiag.meaning", "sipdiag.when", "sipdiag.fix",
    "sipdiag.rfc", "sipdiag.request_frame", "sipdiag.request_method", "sipdiag.response_time",
    "sipdiag.retransmission", "sipdiag.original_frame", "sipdiag.compare.code",
    "sipdiag.compare.hint", "sipdiag.redirect.contact", "sipdiag.redirect.q",
    "sipdiag.redirect.expires", "sipdiag.publish.entity", "sipdiag.publish.if_match",
    "sipdiag.publish.last_etag", "sipdiag.publish.last_etag_frame",
    "sipdiag.timer.session_expires", "sipdiag.timer.min_se",
    # follow-up analysis
    "sipdiag.followup_frame", "sipdiag.followup_ok", "sipdiag.followup_response_frame",
    "sipdiag.followup_response_code", "sipdiag.redirect.target", "sipdiag.redirect.highest_q",
    "sipdiag.publish.new_etag", "sipdiag.timer.retry_session_expires", "sipdiag.retry_of",
    "sipdiag.response_frame", "sipdiag.response_code",
]

CONTRACT_EXPERTS = [
    ("sipdiag.redirect", "Response", "Note"),
    ("sipdiag.conditional_failed", "Response", "Warning"),
    ("sipdiag.interval_too_small", "Response", "Warning"),
    ("sipdiag.no_request", "Sequence", "Note"),
    ("sipdiag.missing_header", "Protocol", "Warning"),
    ("sipdiag.bad_value", "Malformed", "Error"),
    ("sipdiag.redirect_not_followed", "Sequence", "Warning"),
    ("sipdiag.redirect_off_contact", "Sequence", "Warning"),
    ("sipdiag.etag_not_recovered", "Sequence", "Warning"),
    ("sipdiag.if_match_repeated", "Sequence", "Warning"),
    ("sipdiag.retry_still_too_small", "Sequence", "Error"),
    # the issue named this expert info sipdiag.followup_ok, like the boolean field; an expert info
    # is a field too, and the clash broke "sipdiag.followup_ok == 0" (see README)
    ("sipdiag.followup_applied", "Sequence", "Chat"),
]


class TwoPassOnly:
    """A forward link: known only once the whole capture is read (tshark -2, GUI)."""

    def __init__(self, value):
        self.value = value


# name -> {frame -> {field -> value}}; lists for repeated fields.
CAPTURES = {}

# ------------------------------------------------------------------------------------------
# Hostile input. Frame numbers follow the list order (1-based).

LONG_CALL_ID = "x" * 10000 + "@hostile"
MANY_CONTACTS = ", ".join(f"<sip:c{i}@10.0.0.9>;q=0.{i % 10}" for i in range(1000))


def hostile_frames():
    f = []
    # 1-2: 422 whose Min-SE is not a number
    f.append(request("INVITE", "sip:bob@example.com", "h1", 1, "z9hG4bK-h1",
                     [("Supported", "timer"), ("Session-Expires", "60")]))
    f.append(response(422, "Session Interval Too Small", "INVITE", "h1", 1, "z9hG4bK-h1",
                      [("Min-SE", "abc")]))
    # 3-4: Session-Expires 2^64 in the request; 422 without Min-SE
    f.append(request("INVITE", "sip:bob@example.com", "h2", 1, "z9hG4bK-h2",
                     [("Supported", "timer"), ("Session-Expires", "18446744073709551616")]))
    f.append(response(422, "Session Interval Too Small", "INVITE", "h2", 1, "z9hG4bK-h2"))
    # 5-6: 302 without Contact
    f.append(request("INVITE", "sip:bob@example.com", "h3", 1, "z9hG4bK-h3"))
    f.append(response(302, "Moved Temporarily", "INVITE", "h3", 1, "z9hG4bK-h3"))
    # 7-8: 302 with 1000 contacts in one header line, and q=NaN / q=5 / expires=-1
    f.append(request("INVITE", "sip:bob@example.com", "h4", 1, "z9hG4bK-h4"))
    f.append(response(302, "Moved Temporarily", "INVITE", "h4", 1, "z9hG4bK-h4",
                      [("Contact", "<sip:nan@10.0.0.9>;q=NaN, <sip:five@10.0.0.9>;q=5, "
                                   "<sip:neg@10.0.0.9>;expires=-1"),
                       ("Contact", MANY_CONTACTS)]))
    # 9-10: a 10,000-character Call-ID
    f.append(request("INVITE", "sip:bob@example.com", LONG_CALL_ID, 1, "z9hG4bK-h5"))
    f.append(response(302, "Moved Temporarily", "INVITE", LONG_CALL_ID, 1, "z9hG4bK-h5",
                      [("Contact", "<sip:long@10.0.0.9>")]))
    # 11: a 302 whose request is not in the capture
    f.append(response(302, "Moved Temporarily", "INVITE", "h6", 1, "z9hG4bK-h6",
                      [("Contact", "<sip:orphan@10.0.0.9>")]))
    # 12: NUL bytes and invalid UTF-8 in a Contact; format directives in values
    f.append(request("INVITE", "sip:bob@example.com", "h7", 1, "z9hG4bK-h7"))
    f.append(response(302, "Moved Temporarily", "INVITE", "h7", 1, "z9hG4bK-h7",
                      [("Contact", "<sip:%s%n%x@10.0.0.9\x00\udcff\udcfe>;q=0.5")]))
    # 14: a 412 whose PUBLISH is not captured
    f.append(response(412, "Conditional Request Failed", "PUBLISH", "h8", 1, "z9hG4bK-h8",
                      [("Event", "presence")]))
    # 15-18: after all that, an ordinary redirect and its correct retry are still analysed
    f.append(request("INVITE", "sip:bob@example.com", "h9", 1, "z9hG4bK-h9a"))
    f.append(response(302, "Moved Temporarily", "INVITE", "h9", 1, "z9hG4bK-h9a",
                      [("Contact", "<sip:bob@10.0.0.7>")]))
    f.append(request("INVITE", "sip:bob@10.0.0.7", "h9", 2, "z9hG4bK-h9b"))
    f.append(response(200, "OK", "INVITE", "h9", 2, "z9hG4bK-h9b"))
    return f


HOSTILE_EXPERTS = {
    # 13: Wireshark ends the Contact value at the NUL byte, leaving '<' unbalanced
    "sipdiag.bad_value": [2, 8, 13],
    "sipdiag.missing_header": [4, 6],
    "sipdiag.no_request": [11, 14],
    "sipdiag.truncated": [8],
}

HOSTILE_FACTS = {
    2: {"sipdiag.code": "422", "sipdiag.request_frame": "1", "sipdiag.timer.min_se": ""},
    4: {"sipdiag.code": "422", "sipdiag.request_frame": "3"},
    8: {"sipdiag.code": "302", "sipdiag.request_frame": "7", "sipdiag.redirect.contact": 64},
    10: {"sipdiag.code": "302", "sipdiag.request_frame": "9",
         "sipdiag.redirect.contact": "sip:long@10.0.0.9"},
    11: {"sipdiag.code": "302", "sipdiag.request_frame": ""},
    16: {"sipdiag.code": "302", "sipdiag.request_frame": "15",
         "sipdiag.redirect.contact": "sip:bob@10.0.0.7"},
    18: {"sipdiag.code": "200", "sipdiag.request_frame": "17"},
}
