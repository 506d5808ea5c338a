// SPDX-License-Identifier: GPL-2.0-or-later
// The "SIP diagnostics" flow type: Statistics > Flow Graph in Wireshark, -z flow,sipdiag,... in
// tshark. One arrow per SIP message of the transactions and calls sipdiag diagnosed, labelled
// with the method or the status code; the comment column says what sipdiag decided about that
// step, in the language of the sipdiag.language preference.
//
// Two halves: the steps (which messages, which call, which copies), whose texts are the core's own
// summaries (Correlator::summary, retry_summary), and the Wireshark side (registration, the tap
// that builds the graph items).
#pragma once

#include "core/correlator.h"
#include "kb/kb.h"

#include <cstdint>
#include <string>

struct _packet_info;

namespace sipdiag::ws::flow {

// What one arrow shows: one SIP message and the facts the correlator holds about it.
struct Step {
    const Correlator *corr = nullptr;
    bool complete = false;  // the whole capture has been read
    const Record *rec = nullptr;
    const char *method = "";                    // request method, or the CSeq method of a response
    const Diagnosis *detail = nullptr;          // the message's own diagnosis, if any
    Outcome outcome = Outcome::not_applicable;  // of a diagnosed response
    // A request that is the client's retry: the response it reacts to.
    const Record *reacts_to = nullptr;
    // A response to such a retry: the response the retry reacted to.
    const Record *answers_retry_of = nullptr;
    // A proxy's copy of a message seen earlier in this frame (same call, code and CSeq).
    FrameNum copy_of = 0;
    // A response a proxy relayed later as this frame: the client reacts to that copy.
    FrameNum relayed_as = 0;
};

// Whether record `r` belongs to the flow and, if so, its step and conversation number (the
// correlator's call number plus one; 0 for a transaction outside the calls it follows).
// `complete`: the whole capture has been read (second pass, GUI); a single pass only knows the
// past, so a request shows up once something about it is known (a retry, a problem), and the
// request that opened a diagnosed transaction only with the whole capture.
bool make_step(const Correlator &corr, const Record &r, bool complete, Step *out,
               std::uint16_t *conv);

// The arrow's label: the method of a request, the status code of a response.
std::string label(const Step &s);
// The comment column: the diagnosis of this step.
std::string comment(const Step &s, kb::Lang lang);

// Wireshark side.
void register_flow(int proto_id);
// Called for every SIP message sipdiag keeps a record of, where its own tap is queued: hands the
// message to the flow tap when a flow graph is being built (nothing is done otherwise).
void note(struct _packet_info *pinfo, const Correlator &corr, const Record &r, kb::Lang lang);

}  // namespace sipdiag::ws::flow
