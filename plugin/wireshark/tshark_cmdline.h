// SPDX-License-Identifier: GPL-2.0-or-later
// What tshark's own command line says, for two cases the tree cannot tell:
//  - `tshark -T fields` on Wireshark 4.0 builds a visible tree ("need full tree info") although
//    it prints nothing but the fields named by -e, so every item of the plugin's tree is built for
//    nobody. Wireshark 4.2 and later mark printed fields instead (HF_REF_TYPE_PRINT) and keep the
//    tree hidden, which the render already handles; see docs/performance.md, "-T fields on 4.0".
//  - `tshark -2` builds a tree on its first pass (for the display filter, primed there too) but
//    prints nothing from it: the filter's result there only marks the frames a matching frame
//    depends on (reassembly), so the plugin's items are needed there only in frames that depend
//    on others; see docs/performance.md, "the first pass of -2".
//
// No Wireshark header here (the unit tests compile it): the arguments are read as tshark 4.0's
// getopt_long reads them, and anything this reader does not know for certain (an option it has
// no entry for, a long option's abbreviation, an output that is not only fields) answers "no",
// which keeps the whole tree: a wrong "no" costs time, a wrong "yes" would lose output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sipdiag::ws {

// `args`: tshark's arguments after the program name. True when tshark writes only the -e fields
// (the last -T is `fields`), none of them is one whose printed text is an item's label (the
// `sipdiag` protocol itself, `_ws.expert`), and nothing else prints or reads the tree in another
// way (-V, -O, -P, -z, -X, -w, -G, ...).
// `fields`, when given, gets the -e names (views into `args`): on 4.0 they are not marked as
// referenced (the visible tree did not need it), and must be before the tree is hidden.
bool prints_fields_only(const std::vector<std::string_view> &args,
                        std::vector<std::string_view> *fields = nullptr);

// `args` as above. True when tshark makes two passes (-2) and nothing reads the tree of the first
// one but the display filter (no read filter -R, no --color), and the whole command line is
// understood.
bool first_pass_unseen(const std::vector<std::string_view> &args);

// The arguments of the running process (/proc/self/cmdline), without the program name; empty
// when they cannot be read.
std::vector<std::string> own_arguments();

}  // namespace sipdiag::ws
