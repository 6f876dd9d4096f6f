// core/preflight: the verdicts and sentences of the pre-flight checks
// (issue 17), with measurements handed in as values.
#include <gtest/gtest.h>

#include "core/preflight.hpp"

using namespace ferry::core;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;

PreflightInput healthy()
{
    PreflightInput in;
    in.data_bytes = 2 * GiB;
    in.log_bytes = 500 * MiB;
    in.settings_bytes = 200000;
    in.copy_logs = true;
    in.filesystems = {
        {1, 100 * GiB, {"data", "logs", "certificates", "settings", "journal"}, "/var"}};
    in.reserve_bytes = 256 * MiB;
    in.source_version = "10.11.6-MariaDB-0+deb12u1";
    in.target_version = "10.11.6-MariaDB-0+deb12u1";
    in.peer_protocol = in.expected_protocol = 3;
    in.clock_offset_usec = 200'000;
    in.clock_uncertainty_usec = 1'000;
    in.services = {{"hotspot-portal.service", true, "enabled"}};
    return in;
}

const PreflightCheck& find(const std::vector<PreflightCheck>& v, const std::string& id)
{
    for (const auto& c : v)
        if (c.id == id)
            return c;
    throw std::runtime_error("no check " + id);
}

} // namespace

TEST(Preflight, HealthyStandaloneIsAllOkAndHasNoRingCheck)
{
    const auto checks = evaluate_preflight(healthy());
    ASSERT_EQ(checks.size(), 5u);
    for (const auto& c : checks) {
        EXPECT_EQ(c.verdict, Verdict::Ok) << c.id << ": " << c.message;
        EXPECT_FALSE(c.message.empty());
        EXPECT_NE(c.id, "ring");
    }
    EXPECT_FALSE(preflight_refusal(checks));
}

TEST(Preflight, DataNeedsMarginOfTwentyFivePercentAndFixedPart)
{
    EXPECT_EQ(required_data_bytes(0), kDataFixedBytes);
    EXPECT_EQ(required_data_bytes(4 * GiB), 5 * GiB + kDataFixedBytes);
}

TEST(Preflight, NoRoomForDataFailsWithSizesAndRefusesStart)
{
    auto in = healthy();
    // 2 GiB of data need 2.5 GiB + 128 MiB, and 256 MiB stay free.
    in.filesystems = {{1, 2 * GiB, {"data"}, "/var/lib/mysql"},
                      {2, 100 * GiB, {"logs", "certificates", "settings", "journal"}, "/var/log"}};
    const auto checks = evaluate_preflight(in);
    const auto& space = find(checks, "space");
    EXPECT_EQ(space.verdict, Verdict::Failure);
    EXPECT_NE(space.message.find("/var/lib/mysql (data): needs 2.6 GiB"), std::string::npos)
        << space.message;
    EXPECT_NE(space.message.find("keeps 256 MiB free; 2.0 GiB free: NOT ENOUGH, 896 MiB missing"),
              std::string::npos)
        << space.message;
    const auto refusal = preflight_refusal(checks);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code, Code::PreflightFailed);
    EXPECT_EQ(code_name(refusal->code), "PreflightFailed");
    EXPECT_NE(refusal->message.find("nothing was changed"), std::string::npos);
    EXPECT_NE(refusal->message.find("NOT ENOUGH"), std::string::npos);
}

TEST(Preflight, ReserveCountsOnTheDataFilesystemOnly)
{
    auto in = healthy();
    // A small log filesystem with room for the logs: the reserve (for
    // MariaDB's growth) does not apply to it.
    in.filesystems = {{1, 100 * GiB, {"data"}, "/var/lib/mysql"},
                      {2, 800 * MiB, {"logs"}, "/var/log/hotspot"}};
    EXPECT_EQ(find(evaluate_preflight(in), "space").verdict, Verdict::Ok);
    in.filesystems[1].free_bytes = 600 * MiB; // room, but less than half again to spare
    EXPECT_EQ(find(evaluate_preflight(in), "space").verdict, Verdict::Warning);
    in.filesystems[1].free_bytes = 400 * MiB;
    EXPECT_EQ(find(evaluate_preflight(in), "space").verdict, Verdict::Failure);
    in.copy_logs = false; // the logs are not copied: nothing needed there
    EXPECT_EQ(find(evaluate_preflight(in), "space").verdict, Verdict::Ok);
}

TEST(Preflight, SharedFilesystemAddsTheNeeds)
{
    auto in = healthy();
    // Each alone would fit in 3.2 GiB; data + logs + reserve together do not.
    in.filesystems = {{1, 3200 * MiB, {"data", "logs"}, "/"}};
    EXPECT_EQ(find(evaluate_preflight(in), "space").verdict, Verdict::Failure);
}

TEST(Preflight, UnmeasuredSpaceIsAWarning)
{
    auto in = healthy();
    in.filesystems.clear();
    in.space_error = "MariaDB's data directory is not known";
    const auto checks = evaluate_preflight(in); // kept: `find` returns a reference into it
    const auto& c = find(checks, "space");
    EXPECT_EQ(c.verdict, Verdict::Warning);
    EXPECT_NE(c.message.find("not known"), std::string::npos);
}

TEST(Preflight, MariaDbVersions)
{
    auto in = healthy();
    EXPECT_NE(find(evaluate_preflight(in), "mariadb-version").message.find("CHECKSUM TABLE"),
              std::string::npos);
    in.source_version = "10.5.23-MariaDB-0+deb11u1"; // Debian 11 source, Debian 12 target
    auto c = find(evaluate_preflight(in), "mariadb-version");
    EXPECT_EQ(c.verdict, Verdict::Ok);
    EXPECT_NE(c.message.find("row hash"), std::string::npos);
    in.source_version = "11.4.2-MariaDB"; // newer source than target
    EXPECT_EQ(find(evaluate_preflight(in), "mariadb-version").verdict, Verdict::Warning);
    in.source_version = "10.1.48-MariaDB";
    EXPECT_EQ(find(evaluate_preflight(in), "mariadb-version").verdict, Verdict::Failure);
    in.source_version = ""; // an older ferry-peer
    EXPECT_EQ(find(evaluate_preflight(in), "mariadb-version").verdict, Verdict::Warning);
    in.target_version = "";
    in.target_version_error = "Can't connect to local server";
    c = find(evaluate_preflight(in), "mariadb-version");
    EXPECT_EQ(c.verdict, Verdict::Failure);
    EXPECT_NE(c.message.find("Can't connect"), std::string::npos);
    EXPECT_EQ(mariadb_major_minor("10.11.6-MariaDB"), (std::pair{10, 11}));
    EXPECT_FALSE(mariadb_major_minor("garbage"));
}

TEST(Preflight, PeerProtocol)
{
    auto in = healthy();
    in.peer_protocol = 2;
    EXPECT_EQ(find(evaluate_preflight(in), "peer-protocol").verdict, Verdict::Failure);
}

TEST(Preflight, ClockThresholdsCountOnlyWhatIsCertain)
{
    auto in = healthy();
    in.clock_offset_usec = 4'000'000;
    EXPECT_EQ(find(evaluate_preflight(in), "clock").verdict, Verdict::Ok);
    in.clock_offset_usec = -30'000'000;
    auto c = find(evaluate_preflight(in), "clock");
    EXPECT_EQ(c.verdict, Verdict::Warning);
    EXPECT_NE(c.message.find("30.0 s behind"), std::string::npos) << c.message;
    in.clock_offset_usec = 301'000'000;
    EXPECT_EQ(find(evaluate_preflight(in), "clock").verdict, Verdict::Failure);
    in.clock_uncertainty_usec = 2'000'000; // could be 299 s: not certainly beyond
    EXPECT_EQ(find(evaluate_preflight(in), "clock").verdict, Verdict::Warning);
    in.clock_offset_usec.reset();
    EXPECT_EQ(find(evaluate_preflight(in), "clock").verdict, Verdict::Warning);
}

TEST(Preflight, RingHealth)
{
    auto in = healthy();
    in.high_availability = true;
    in.ring = {true, true, true, "", 0, 1, 3, ""};
    auto checks = evaluate_preflight(in);
    EXPECT_EQ(checks.size(), 6u);
    EXPECT_EQ(find(checks, "ring").verdict, Verdict::Ok);
    EXPECT_NE(find(checks, "ring").message.find("ring of 3 nodes"), std::string::npos);
    in.ring.seconds_behind = 60;
    EXPECT_EQ(find(evaluate_preflight(in), "ring").verdict, Verdict::Warning);
    in.ring.sql_running = false;
    in.ring.last_error = "Duplicate entry '7' for key 'PRIMARY'";
    auto c = find(evaluate_preflight(in), "ring");
    EXPECT_EQ(c.verdict, Verdict::Failure);
    EXPECT_NE(c.message.find("Duplicate entry"), std::string::npos);
    in.ring = {true, true, true, "", 0, 0, 3, ""};
    EXPECT_EQ(find(evaluate_preflight(in), "ring").verdict, Verdict::Failure); // nobody downstream
    in.ring = {false, false, false, "", std::nullopt, 1, 3, ""};
    EXPECT_EQ(find(evaluate_preflight(in), "ring").verdict, Verdict::Failure);
}

TEST(Preflight, Services)
{
    auto in = healthy();
    in.services = {{"a.service", true, "enabled"}, {"b.service", false, "no unit file"}};
    auto c = find(evaluate_preflight(in), "services");
    EXPECT_EQ(c.verdict, Verdict::Failure);
    EXPECT_NE(c.message.find("b.service (no unit file)"), std::string::npos);
    in.services = {{"a.service", std::nullopt, "no system bus"}};
    EXPECT_EQ(find(evaluate_preflight(in), "services").verdict, Verdict::Warning);
    in.services.clear();
    EXPECT_EQ(find(evaluate_preflight(in), "services").verdict, Verdict::Ok);
}

TEST(Preflight, AnHaSourceOnAnOlderMariaDbWarnsThatTheRingWillReplicateFromNewerToOlder)
{
    auto in = healthy();
    in.high_availability = true;
    in.source_version = "10.5.23-MariaDB-0+deb11u1";
    auto c = find(evaluate_preflight(in), "mariadb-version");
    EXPECT_EQ(c.verdict, Verdict::Warning);
    EXPECT_NE(c.message.find("likely on MariaDB 10.5 like the source, replicates from this newer "
                             "server"),
              std::string::npos)
        << c.message;
    EXPECT_NE(c.message.find("use nothing that MariaDB 10.5 lacks"), std::string::npos);
    // Standalone: nothing replicates afterwards; the same versions in HA: ok.
    in.high_availability = false;
    EXPECT_EQ(find(evaluate_preflight(in), "mariadb-version").verdict, Verdict::Ok);
    in.high_availability = true;
    in.source_version = in.target_version;
    EXPECT_EQ(find(evaluate_preflight(in), "mariadb-version").verdict, Verdict::Ok);
}

TEST(Preflight, HumanBytes)
{
    EXPECT_EQ(human_bytes(512), "512 B");
    EXPECT_EQ(human_bytes(1536), "1.5 KiB");
    EXPECT_EQ(human_bytes(300 * MiB), "300 MiB");
    EXPECT_EQ(human_bytes(3 * GiB / 2), "1.5 GiB");
}
