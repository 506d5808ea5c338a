// SPDX-License-Identifier: GPL-2.0-or-later
#include "wireshark/prefs.h"

#include "wireshark/fields.h"
#include "wireshark/sip_hook.h"

namespace sipdiag::ws {

sipdiag_pref_bool pref_compare_hints = TRUE;
guint pref_followup_window = 32;  // seconds
SiteHint *site_hints = nullptr;
guint n_site_hints = 0;

namespace {

gint pref_language = 0;  // kb::Lang

const enum_val_t kLanguageVals[] = {
    {"en", "English", 0},
    {"fr", "Francais", 1},
    {nullptr, nullptr, 0},
};

void *site_hint_copy(void *dst, const void *src, size_t) {
    auto *d = static_cast<SiteHint *>(dst);
    const auto *s = static_cast<const SiteHint *>(src);
    d->code = s->code;
    d->text = g_strdup(s->text);
    return d;
}

void site_hint_free(void *r) {
    auto *h = static_cast<SiteHint *>(r);
    g_free(h->text);
    h->text = nullptr;
}

sipdiag_uat_bool site_hint_update(void *r, char **err) {
    const auto *h = static_cast<const SiteHint *>(r);
    if (h->code < 100 || h->code > 699) {
        *err = g_strdup("The code must be a SIP response code (100 to 699)");
        return FALSE;
    }
    if (h->text == nullptr || h->text[0] == '\0') {
        *err = g_strdup("The hint must not be empty");
        return FALSE;
    }
    return TRUE;
}

UAT_DEC_CB_DEF(site_hints, code, SiteHint)
UAT_CSTRING_CB_DEF(site_hints, text, SiteHint)

}  // namespace

kb::Lang lang() {
    return pref_language == 1 ? kb::Lang::fr : kb::Lang::en;
}

void register_prefs() {
    module_t *prefs = prefs_register_protocol(proto_sipdiag, nullptr);
    prefs_register_bool_preference(
        prefs, "compare_hints", "Show comparison hints",
        "Show how each diagnosed code differs from the codes it is often confused with",
        &pref_compare_hints);
    prefs_register_uint_preference(
        prefs, "followup_window", "Follow-up window (seconds)",
        "How long after a 302/412/422 a new attempt by the client still counts as its retry. "
        "Later attempts are new requests, not follow-ups.",
        10, &pref_followup_window);
    prefs_register_bool_preference(
        prefs, "observe_sip_dissector", "Observe the SIP dissector (faster)",
        "Learn where the SIP messages are from Wireshark's SIP dissector itself, so that no "
        "protocol tree is built for sipdiag and nothing is done when nothing of it can be seen. "
        "Off: ask for the SIP protocol items instead (slower; for comparison and diagnosis).",
        &hook::pref_observe);
    prefs_register_enum_preference(prefs, "language", "Language of the explanations",
                                   "Language of meanings, fixes, hints and tree labels. Field "
                                   "names and expert summaries stay English.",
                                   &pref_language, kLanguageVals, FALSE);

    static uat_field_t site_hint_fields[] = {
        UAT_FLD_DEC(site_hints, code, "Code", "SIP response code (100-699)"),
        UAT_FLD_CSTRING(site_hints, text, "Hint", "Advice shown with this code at your site"),
        UAT_END_FIELDS};
    uat_t *hints_uat =
        uat_new("SIP diagnostics site hints", sizeof(SiteHint), "sipdiag_site_hints", TRUE,
                &site_hints, &n_site_hints, UAT_AFFECTS_DISSECTION, nullptr, site_hint_copy,
                site_hint_update, site_hint_free, nullptr, nullptr, site_hint_fields);
    prefs_register_uat_preference(prefs, "site_hints", "Site hints",
                                  "Your own advice per response code, shown as sipdiag.site_hint "
                                  "next to the built-in explanation",
                                  hints_uat);
}

}  // namespace sipdiag::ws
