// The peer's HTTP helpers (ranges, listen addresses, the redirect, UTF-8),
// its configuration keys and the temporary account's statements.
#include "peer/tests/helpers.hpp"

using namespace ferry;
using namespace ferry::peer_tests;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(Http, Range)
{
    using R = peer::RangeAnswer;
    auto check = [](std::string_view h, uint64_t size, R::Kind k, uint64_t first = 0,
                    uint64_t last = 0) {
        const R r = peer::parse_range(h, size);
        EXPECT_EQ(r.kind, k) << h;
        if (k == R::Partial) {
            EXPECT_EQ(r.first, first) << h;
            EXPECT_EQ(r.last, last) << h;
        }
    };
    check("", 100, R::Full);
    check("bytes=0-", 100, R::Partial, 0, 99);
    check("bytes=10-", 100, R::Partial, 10, 99);
    check("bytes=10-19", 100, R::Partial, 10, 19);
    check("bytes=10-1000", 100, R::Partial, 10, 99);
    check("bytes=-10", 100, R::Partial, 90, 99);
    check("bytes=-1000", 100, R::Partial, 0, 99);
    check("BYTES = 99-", 100, R::Partial, 99, 99);
    check("bytes=100-", 100, R::Unsatisfiable);
    check("bytes=0-", 0, R::Unsatisfiable);
    check("bytes=-0", 100, R::Unsatisfiable);
    check("bytes=20-10", 100, R::Full);
    check("bytes=0-1,5-6", 100, R::Full);
    check("items=0-1", 100, R::Full);
    check("bytes=x-", 100, R::Full);
    check("bytes=99999999999999999999999-", 100, R::Full);
}

TEST(Http, ListenAddress)
{
    auto a = peer::parse_listen_address("127.0.0.2:8443");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(peer::address_text(reinterpret_cast<sockaddr*>(&a->addr)), "127.0.0.2");
    EXPECT_EQ(peer::address_port(reinterpret_cast<sockaddr*>(&a->addr)), 8443);
    auto b = peer::parse_listen_address("[::1]:443");
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(peer::address_text(reinterpret_cast<sockaddr*>(&b->addr)), "::1");
    EXPECT_FALSE(peer::parse_listen_address("::1:443").has_value());
    EXPECT_FALSE(peer::parse_listen_address("host:443").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1:0").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1:65536").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1").has_value());
}

TEST(Http, Redirect)
{
    EXPECT_EQ(peer::redirect_location("hs.example.test", "192.0.2.1", 443, "/"),
              "https://hs.example.test/");
    EXPECT_EQ(peer::redirect_location("hs.example.test:80", "192.0.2.1", 8443, "/admin/x"),
              "https://hs.example.test:8443/admin/x");
    EXPECT_EQ(peer::redirect_location("", "192.0.2.1", 443, "/"), "https://192.0.2.1/");
    EXPECT_EQ(peer::redirect_location("", "::1", 443, "/"), "https://[::1]/");
    EXPECT_EQ(peer::redirect_location("[2001:db8::1]:80", "x", 443, "/"), "https://[2001:db8::1]/");
    EXPECT_EQ(peer::redirect_location("evil\r\nX: y", "192.0.2.1", 443, "/"), "https://192.0.2.1/");
    EXPECT_EQ(peer::redirect_location("h", "x", 443, "/a b\r\n"), "https://h/");
}

TEST(Http, Utf8)
{
    EXPECT_TRUE(peer::is_utf8("plain ascii"));
    EXPECT_TRUE(peer::is_utf8("gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80"));
    EXPECT_FALSE(peer::is_utf8("\xc3"));
    EXPECT_FALSE(peer::is_utf8("\xff"));
    EXPECT_FALSE(peer::is_utf8("\xc0\xaf"));         // overlong
    EXPECT_FALSE(peer::is_utf8("\xed\xa0\x80"));     // surrogate
    EXPECT_FALSE(peer::is_utf8("\xf4\x90\x80\x80")); // > U+10FFFF
}

TEST(Config, PeerKeys)
{
    auto c =
        peer::parse_peer_config(ini("[Appliance]\nSettingsDirectory=/srv/a/settings\n"
                                    "MaintenanceFile=/run/a/maint\n"
                                    "[Peer]\nAdminPasswordHash=/etc/ferry/admin.hash\n"
                                    "Certificate=/etc/c.pem\nKey=/etc/k.pem\n"
                                    "[Database]\nSocket=/run/m.sock\nPort=3307\nRequireTLS=no\n"));
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->appliance.settings_dir, "/srv/a/settings");
    EXPECT_EQ(c->layout.staged_settings_dir, "/srv/a/settings.staged");
    EXPECT_EQ(c->layout.maintenance_file, "/run/a/maint");
    EXPECT_EQ(c->layout.migrated_file, "/srv/a/migrated.conf");
    EXPECT_EQ(c->admin_password_hash, "/etc/ferry/admin.hash");
    EXPECT_EQ(c->certificate, "/etc/c.pem");
    EXPECT_EQ(c->database.socket, "/run/m.sock");
    EXPECT_EQ(c->database.port, 3307);
    EXPECT_FALSE(c->database.require_tls);

    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nAdminPassword=x\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nKey=relative\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nStateDirectory=relative\n")).ok());
    EXPECT_EQ(peer::parse_peer_config({})->state_directory, "/var/lib/ferry-peer");
    EXPECT_EQ(peer::parse_peer_config(ini("[Peer]\nStateDirectory=/srv/p\n"))->state_directory,
              "/srv/p");
    EXPECT_FALSE(peer::parse_peer_config(ini("[Database]\nPort=0\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Appliance]\nMigratedFile=x\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Appliance]\nTypo=/x\n")).ok());
    EXPECT_TRUE(peer::parse_peer_config({}).ok());
}

TEST(Config, AdminHash)
{
    EXPECT_EQ(*peer::resolve_admin_hash("$y$abc"), "$y$abc");
    EXPECT_FALSE(peer::resolve_admin_hash("plain-password").ok());
    EXPECT_FALSE(peer::resolve_admin_hash("").ok());
    EXPECT_FALSE(peer::resolve_admin_hash("/nonexistent/hash").ok());
}

TEST(Database, Statements)
{
    EXPECT_TRUE(peer::is_temporary_account_name("ferry_0123456789abcdef"));
    EXPECT_FALSE(peer::is_temporary_account_name("ferry_admin"));
    EXPECT_FALSE(peer::is_temporary_account_name("ferry_0123456789ABCDEF"));
    EXPECT_FALSE(peer::is_temporary_account_name("root"));
    // MariaDB's PASSWORD('password').
    EXPECT_EQ(peer::native_password_hash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    auto s = peer::create_account_statements("ferry_0123456789abcdef", "192.0.2.2", "*AB",
                                             {"hotspot", "we`ird"});
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s[0], "CREATE USER 'ferry_0123456789abcdef'@'192.0.2.2' IDENTIFIED BY PASSWORD '*AB' "
                    "REQUIRE SSL");
    // Only what the copy needs (issue 14, defect 11): no REPLICATION
    // CLIENT, no LOCK TABLES; routines visible through mysql.proc (defect 0).
    EXPECT_EQ(s[1], "GRANT RELOAD ON *.* TO 'ferry_0123456789abcdef'@'192.0.2.2'");
    EXPECT_EQ(s[2], "GRANT SELECT ON `mysql`.`proc` TO 'ferry_0123456789abcdef'@'192.0.2.2'");
    EXPECT_EQ(s[4], "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `we``ird`.* TO "
                    "'ferry_0123456789abcdef'@'192.0.2.2'");
    // A target that follows the binary log (issue 18) also gets
    // REPLICATION SLAVE, and nothing else more.
    auto r = peer::create_account_statements("ferry_0123456789abcdef", "192.0.2.2", "*AB",
                                             {"hotspot"}, true);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[1],
              "GRANT RELOAD, REPLICATION SLAVE ON *.* TO 'ferry_0123456789abcdef'@'192.0.2.2'");
}
