// SQL quoting shared by ferryd and ferry-peer (core/sql_quote.*). The
// round trip through a real server is covered by the integration suites
// (names with quotes in tests/integration/data-copy.sh); here: the exact
// escapes, byte for byte.
#include <gtest/gtest.h>

#include "core/sql_quote.hpp"

using namespace ferry::core;
using namespace std::string_literals;

TEST(SqlQuote, Identifier)
{
    EXPECT_EQ(quote_identifier("users"), "`users`");
    EXPECT_EQ(quote_identifier("a`b"), "`a``b`");
    EXPECT_EQ(quote_identifier("``"), "``````");
    EXPECT_EQ(quote_identifier(""), "``");
    EXPECT_EQ(quote_identifier("it's \"x\""), "`it's \"x\"`");
}

TEST(SqlQuote, LiteralEscapesWhatMysqlRealEscapeStringEscapes)
{
    EXPECT_EQ(quote_literal("plain"), "'plain'");
    EXPECT_EQ(quote_literal(""), "''");
    EXPECT_EQ(quote_literal("o'neil"), "'o\\'neil'");
    EXPECT_EQ(quote_literal("a\\b"), "'a\\\\b'");
    EXPECT_EQ(quote_literal("\\'"), "'\\\\\\''");
    EXPECT_EQ(quote_literal("x\ny\rz"), "'x\\ny\\rz'");
    EXPECT_EQ(quote_literal("\x1a"), "'\\Z'");
    EXPECT_EQ(quote_literal("a\0b"s), "'a\\0b'");
    // A password cannot end the literal or start a statement.
    EXPECT_EQ(quote_literal("'; DROP USER root; --"), "'\\'; DROP USER root; --'");
}

TEST(SqlQuote, LeavesOtherBytesAlone)
{
    // UTF-8 and the bytes that are no escape (tab, backquote, double quote).
    const std::string s = "Zürich\t`\"%_\xf0\x9f\x9a\xa2";
    EXPECT_EQ(quote_literal(s), "'" + s + "'");
}
