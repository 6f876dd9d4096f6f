#include "i18n.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config.h"

namespace ferryctl {

const char* C_(const char* context, const char* s)
{
    // gettext's pgettext(): the msgid is "CONTEXT\004MSGID"; when there is no
    // translation dgettext answers the key itself, and the plain string is
    // meant.
    const std::string key = std::string(context) + '\004' + s;
    const char* t = dgettext(kTextDomain, key.c_str());
    return t == key.c_str() ? s : t;
}

void init_i18n()
{
    const char* dir = std::getenv("FERRY_LOCALEDIR");
    bindtextdomain(kTextDomain, dir && *dir ? dir : FERRY_LOCALEDIR);
    bind_textdomain_codeset(kTextDomain, "UTF-8");
}

std::string cformat(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char* out = nullptr;
    const int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        return fmt;
    std::string s(out, static_cast<std::size_t>(n));
    std::free(out);
    return s;
}

std::size_t display_width(const std::string& s)
{
    std::size_t n = 0;
    for (const unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string fit(const std::string& s, std::size_t width)
{
    std::string out;
    std::size_t cols = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80)
            ++len;
        if (cols == width)
            break;
        out.append(s, i, len);
        ++cols;
        i += len;
    }
    out.append(width - cols, ' ');
    return out;
}

} // namespace ferryctl
