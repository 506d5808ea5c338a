// SPDX-License-Identifier: GPL-2.0-or-later
// Preferences (Edit › Preferences › Protocols › SIPDIAG, tshark -o sipdiag.*) and the site hints
// table (a UAT: the file sipdiag_site_hints of the profile).
#pragma once

#include "wireshark/ws_compat.h"

#include "kb/kb.h"

namespace sipdiag::ws {

extern sipdiag_pref_bool pref_compare_hints;
extern guint pref_followup_window;  // seconds

kb::Lang lang();
// Label of a tree item in the language of the preference.
inline const char *label(kb::Label which) {
    return kb::label(which, lang());
}

// The site hint texts for `code`: calls fn(text) for each.
template <typename Fn>
void for_each_site_hint(unsigned code, Fn &&fn);

void register_prefs();  // after register_fields() (needs proto_sipdiag)

// Implementation detail of for_each_site_hint.
struct SiteHint {
    guint code;
    char *text;
};
extern SiteHint *site_hints;
extern guint n_site_hints;

template <typename Fn>
void for_each_site_hint(unsigned code, Fn &&fn) {
    for (guint i = 0; i < n_site_hints; ++i) {
        if (site_hints[i].code == code && site_hints[i].text) fn(site_hints[i].text);
    }
}

}  // namespace sipdiag::ws
