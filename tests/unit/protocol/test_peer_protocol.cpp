// The peer protocol's messages (protocol/peer_protocol.hpp): each survives a
// round trip through its JSON; a missing field, a field of another type
// and an integer out of range give IncompatibleSource naming the message
// and the field, without throwing.
#include <gtest/gtest.h>

#include "protocol/peer_protocol.hpp"

using namespace ferry;
using namespace ferry::protocol;

namespace {

Description sample_description()
{
    Description d;
    d.license_guid = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
    d.licensed = true;
    d.maintenance_contract_active = true;
    d.host_name = "hotspot";
    d.domain_name = "example.org";
    d.address = "192.0.2.10";
    d.server_role = "Main";
    d.high_availability = true;
    d.ring_members = {"192.0.2.10", "192.0.2.11"};
    d.dns_advice = {"point hotspot at 192.0.2.11"};
    d.dns_revert_advice = {"point hotspot back"};
    d.main_node = "192.0.2.10";
    Replication r;
    r.replica_configured = true;
    r.master_host = "192.0.2.11";
    r.master_port = 3306;
    r.using_gtid = "Slave_Pos";
    r.io_running = true;
    r.sql_running = true;
    r.downstream = {"192.0.2.12"};
    r.server_id = 7;
    r.gtid_domain_id = 2;
    r.gtid_binlog_pos = "2-7-100";
    r.gtid_current_pos = "2-7-100";
    r.log_bin = true;
    r.log_slave_updates = true;
    r.seconds_behind_master = 3;
    r.binlog_expire_seconds = 0;
    d.replication = r;
    d.replica_account = true;
    d.data_bytes = 1ull << 40;
    d.log_bytes = 12345;
    d.settings_bytes = 678;
    d.databases = {"hotspot", "radius"};
    d.mariadb_version = "10.11.6-MariaDB";
    d.time_usec = 1'700'000'000'000'000;
    return d;
}

void expect_named(const core::Error& e, const std::string& part)
{
    EXPECT_EQ(e.code, core::Code::IncompatibleSource);
    EXPECT_NE(e.message.find(part), std::string::npos) << e.message;
}

} // namespace

TEST(PeerProtocol, DescriptionRoundTrip)
{
    const Description d = sample_description();
    auto back = Description::from_json(d.to_json());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->to_json(), d.to_json());
    EXPECT_EQ(back->replication->seconds_behind_master, 3);
    EXPECT_EQ(back->time_usec, d.time_usec);
    EXPECT_EQ(back->databases, d.databases);
}

TEST(PeerProtocol, DescriptionMissingAndMistypedFieldsAreNamed)
{
    json j = sample_description().to_json();
    j.erase("host_name");
    auto missing = Description::from_json(j);
    ASSERT_FALSE(missing);
    expect_named(missing.error(), "\"host_name\"");
    expect_named(missing.error(), "describe");

    j = sample_description().to_json();
    j["licensed"] = "yes";
    auto mistyped = Description::from_json(j);
    ASSERT_FALSE(mistyped);
    expect_named(mistyped.error(), "\"licensed\" is a string, not a boolean");

    j = sample_description().to_json();
    j["data_bytes"] = -1;
    auto negative = Description::from_json(j);
    ASSERT_FALSE(negative);
    expect_named(negative.error(), "\"data_bytes\"");

    j = sample_description().to_json();
    j["log_bytes"] = 1e30; // a float: no float-to-integer cast
    ASSERT_FALSE(Description::from_json(j));

    j = sample_description().to_json();
    j["replication"]["server_id"] = "7";
    auto nested = Description::from_json(j);
    ASSERT_FALSE(nested);
    expect_named(nested.error(), "\"server_id\"");
}

TEST(PeerProtocol, DescriptionOptionalFieldsMayBeMissing)
{
    json j = sample_description().to_json();
    for (const char* k : {"ring_members", "dns_advice", "dns_revert_advice", "main_node",
                          "replication", "databases", "mariadb_version", "time_usec"})
        j.erase(k);
    auto d = Description::from_json(j);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_FALSE(d->replication);
    EXPECT_FALSE(d->time_usec);
    EXPECT_TRUE(d->mariadb_version.empty());
    // An older peer: no replica account offered, retention not known.
    j.erase("replica_account");
    EXPECT_FALSE(Description::from_json(j)->replica_account);

    // An error instead of the replication facts, and -1 for "no lag known".
    j["replication"] = json{{"error", "cannot connect"}};
    auto e = Description::from_json(j);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->replication->error, "cannot connect");
    j["replication"] = json{{"seconds_behind_master", -1}};
    EXPECT_FALSE(Description::from_json(j)->replication->seconds_behind_master);
    EXPECT_FALSE(Description::from_json(j)->replication->binlog_expire_seconds);
    j["replication"] = json{{"binlog_expire_seconds", 864000}};
    EXPECT_EQ(Description::from_json(j)->replication->binlog_expire_seconds, 864000u);
}

TEST(PeerProtocol, VersionIsChecked)
{
    json j = sample_description().to_json();
    j["protocol"] = kVersion + 1;
    auto d = Description::from_json(j);
    ASSERT_FALSE(d);
    expect_named(d.error(), "another version");

    auto login = LoginAnswer::from_json(json{{"token", "t"}, {"protocol", 2}}, "192.0.2.1");
    ASSERT_FALSE(login);
    expect_named(login.error(), "(2, this system " + std::to_string(kVersion) + ")");
    auto none = LoginAnswer::from_json(json{{"token", "t"}, {"protocol", "3"}}, "192.0.2.1");
    ASSERT_FALSE(none);
    expect_named(none.error(), "(none,");
}

TEST(PeerProtocol, LoginRoundTrip)
{
    LoginAnswer a{"abc", 3600, kVersion};
    auto back = LoginAnswer::from_json(a.to_json(), "192.0.2.1");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->token, "abc");
    EXPECT_EQ(back->expires_in, 3600);
    auto no_token = LoginAnswer::from_json(json{{"protocol", kVersion}}, "192.0.2.1");
    ASSERT_FALSE(no_token);
    expect_named(no_token.error(), "did not return a token");
}

TEST(PeerProtocol, DbAccountRoundTripAndErrors)
{
    DbAccount a{"ferry_0123456789abcdef", "pw", 3307, {"hotspot"}, true, std::string(64, 'a'),
                std::string(40, 'b'),     {}};
    auto back = DbAccount::from_json(a.to_json());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->to_json(), a.to_json());
    EXPECT_EQ(DbAccountRequest{"192.0.2.5"}.to_json(), json({{"target_address", "192.0.2.5"}}));
    EXPECT_EQ((DbAccountRequest{"192.0.2.5", true}.to_json()),
              json({{"target_address", "192.0.2.5"}, {"replica", true}}));
    // The certificate in PEM (issue 18) rides along; an older peer's
    // answer has none.
    a.tls_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    EXPECT_EQ(DbAccount::from_json(a.to_json())->tls_pem, a.tls_pem);
    json old = a.to_json();
    old["tls_certificate"].erase("pem");
    EXPECT_EQ(DbAccount::from_json(old)->tls_pem, "");

    json j = a.to_json();
    j.erase("port");
    EXPECT_EQ(DbAccount::from_json(j)->port, 3306); // the default
    j["port"] = 70000;
    auto big = DbAccount::from_json(j);
    ASSERT_FALSE(big);
    expect_named(big.error(), "\"port\"");
    j = a.to_json();
    j["tls_certificate"]["sha256"] = 5;
    auto cert = DbAccount::from_json(j);
    ASSERT_FALSE(cert);
    expect_named(cert.error(), "\"sha256\"");
    j = a.to_json();
    j["databases"] = json::array({"a", 1});
    ASSERT_FALSE(DbAccount::from_json(j));
}

TEST(PeerProtocol, LogsRoundTripAndErrors)
{
    LogList l{{{"a.log", 10}, {"b.log", 1ull << 50}}};
    auto back = LogList::from_json(l.to_json());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->to_json(), l.to_json());
    auto no_files = LogList::from_json(json::object());
    ASSERT_FALSE(no_files);
    expect_named(no_files.error(), "\"files\"");
    auto bad_entry = LogList::from_json(json{{"files", {{{"name", "a"}, {"size", "1"}}}}});
    ASSERT_FALSE(bad_entry);
    expect_named(bad_entry.error(), "\"size\"");

    LogDigest d{"a.log", 10, "\"1-2\"", std::string(64, 'c')};
    auto dback = LogDigest::from_json(d.to_json());
    ASSERT_TRUE(dback);
    EXPECT_EQ(dback->to_json(), d.to_json());
    json j = d.to_json();
    j.erase("sha256");
    ASSERT_FALSE(LogDigest::from_json(j));
}

TEST(PeerProtocol, SmallAnswersRoundTrip)
{
    EXPECT_EQ(License::from_json(License{"LIC"}.to_json())->license, "LIC");
    EXPECT_FALSE(License::from_json(json{{"license", 1}}));
    EXPECT_EQ(LicenseRelease{"192.0.2.9"}.to_json(), json({{"to", "192.0.2.9"}}));
    Files f{{"network", "[Network]\n"}, {"ntp", ""}};
    EXPECT_EQ(Settings::from_json(Settings{f}.to_json())->sections, f);
    EXPECT_FALSE(Settings::from_json(json{{"sections", {{"network", 1}}}}));
    EXPECT_EQ(Certificates::from_json(Certificates{f}.to_json())->files, f);
    auto rr = RoundRobin::from_json(RoundRobin{"[round_robin]\n", true}.to_json());
    ASSERT_TRUE(rr);
    EXPECT_EQ(rr->section, "[round_robin]\n");
    EXPECT_TRUE(rr->removed);
    auto no_section = RoundRobin::from_json(json{{"removed", true}});
    ASSERT_FALSE(no_section);
    expect_named(no_section.error(), "\"section\"");
    EXPECT_EQ(Lease{60}.to_json(), json({{"expires_in", 60}}));
    // The requests ferryd sends, with the keys ferry-peer reads.
    EXPECT_EQ(Maintenance{false}.to_json(), json({{"on", false}}));
    EXPECT_EQ(StagedSettings{f}.to_json(), json({{"sections", f}}));
    EXPECT_EQ(Migrated({"192.0.2.7", 17, true}).to_json(),
              json({{"to", "192.0.2.7"}, {"at", 17}, {"swap", true}}));
}

TEST(PeerProtocol, NothingThrowsOnAnyShape)
{
    for (const json& j : {json(nullptr), json(1), json("x"), json::array({1, 2}), json::object(),
                          json{{"files", "x"}}, json{{"protocol", 3.5}}}) {
        EXPECT_FALSE(Description::from_json(j));
        EXPECT_FALSE(DbAccount::from_json(j));
        EXPECT_FALSE(LogList::from_json(j));
        EXPECT_FALSE(LogDigest::from_json(j));
        EXPECT_FALSE(License::from_json(j));
        EXPECT_FALSE(Settings::from_json(j));
        EXPECT_FALSE(Certificates::from_json(j));
        EXPECT_FALSE(RoundRobin::from_json(j));
        EXPECT_FALSE(LoginAnswer::from_json(j, "192.0.2.1"));
        (void)ErrorBody::from_json(j);
    }
}

TEST(PeerProtocol, ErrorBodyIsReadLeniently)
{
    ErrorBody e{"RateLimited", "Too many.", "Wait."};
    auto back = ErrorBody::from_json(e.to_json());
    EXPECT_EQ(back.error, "RateLimited");
    EXPECT_EQ(back.remedy, "Wait.");
    EXPECT_FALSE((ErrorBody{"X", "m", ""}.to_json().contains("remedy")));
    auto odd = ErrorBody::from_json(json{{"error", 5}, {"message", std::string(5000, 'm')}});
    EXPECT_EQ(odd.error, "");
    EXPECT_EQ(odd.message.size(), 1024u);
}
