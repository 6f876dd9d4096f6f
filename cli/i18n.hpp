// ferryctl's messages in the user's language: the "ferry" text domain
// (po/LANG.po, installed as LOCALEDIR/LANG/LC_MESSAGES/ferry.mo), chosen by
// LANGUAGE / LC_ALL / LC_MESSAGES / LANG as for any gettext program. Only
// what a person reads goes through it; --json output, D-Bus names and
// ferryd's own messages stay as they are (po/README.md).
#pragma once

#include <cstddef>
#include <libintl.h>
#include <string>

namespace ferryctl {

inline constexpr const char* kTextDomain = "ferry";

// The translation of `s`, or `s` itself. format_arg: a printf format given
// through it is checked as the literal it is (-Wformat, -Wformat-security),
// as with dgettext itself.
__attribute__((format_arg(1))) inline const char* _(const char* s)
{
    return dgettext(kTextDomain, s);
}

// The translation of one of ferryd's fixed sentences (N_() there: an
// option's reason, a check's title, an operation's condition and detail in
// the plan), or the sentence itself; "" stays "" (gettext would answer the
// catalog's header).
inline std::string daemon_text(const std::string& s)
{
    return s.empty() ? s : std::string(_(s.c_str()));
}

// The translation of `s` in `context` (msgctxt), for short words that mean
// different things in different places ("start" the verb's action).
__attribute__((format_arg(2))) const char* C_(const char* context, const char* s);

// Binds the text domain: $FERRY_LOCALEDIR (the build tree's po/, for the
// tests) or the installed locale directory.
void init_i18n();

// printf into a std::string: a translated sentence keeps its placeholders
// where the language wants them.
std::string cformat(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// How many columns a UTF-8 string takes on a terminal (one per character:
// the translations have no wide or combining characters).
std::size_t display_width(const std::string& s);

// `s` cut or padded with spaces to exactly `width` columns, never inside a
// UTF-8 character.
std::string fit(const std::string& s, std::size_t width);

} // namespace ferryctl

// Mark a string for extraction (xgettext --keyword=N_, NC_:1c,2) where it
// is translated later, at its use (with _() or C_(context, ...)).
#define N_(s) s
#define NC_(c, s) s
