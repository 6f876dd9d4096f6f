// Quoting for the SQL that ferryd and ferry-peer build themselves (account
// names, replication settings, identifiers from the source's catalog).
// Pure: no connection is needed, so the result does not depend on the
// connection's character set (only ASCII bytes are escaped, and no
// multi-byte character set that MariaDB allows for a connection has those
// bytes inside a character).
#pragma once

#include <string>
#include <string_view>

namespace ferry::core {

// Backquoted identifier: `a``b`.
std::string quote_identifier(std::string_view name);

// Single-quoted string literal with the escapes of
// mysql_real_escape_string: \ ' NUL newline CR ^Z.
std::string quote_literal(std::string_view value);

} // namespace ferry::core
