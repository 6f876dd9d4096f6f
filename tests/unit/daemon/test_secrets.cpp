// Issue 14: what may appear in an error a client can read (defect 4) and
// the certificate fingerprint Probe accepts (defect 8).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/certificate_pin.hpp"
#include "local/part_file.hpp"
#include "mariadb/mariadb_conn.hpp"

using namespace ferry;

TEST(MariaDbErrors, NameTheStatementNotItsText)
{
    EXPECT_EQ(
        source::statement_label("CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'pw-secret'"),
        "statement CREATE USER");
    EXPECT_EQ(
        source::statement_label("CHANGE MASTER TO MASTER_HOST='a', MASTER_PASSWORD='pw-secret'"),
        "statement CHANGE MASTER");
    EXPECT_EQ(source::statement_label("  set global gtid_slave_pos = '0-1-2'"),
              "statement SET GLOBAL");
    EXPECT_EQ(source::statement_label("SELECT 1"), "statement SELECT");
    EXPECT_EQ(source::statement_label("DROP USER 'pw-secret'@'x'"), "statement DROP USER");
    EXPECT_EQ(source::statement_label("INSERT INTO `db`.`t` VALUES ('x')"),
              "statement INSERT INTO");
    EXPECT_EQ(source::statement_label("ALTER USER'pw'"),
              "statement ALTER"); // a quote ends the words
    EXPECT_EQ(source::statement_label(""), "statement");

    const auto parse = source::redact_server_message(
        "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB "
        "server "
        "version for the right syntax to use near 'pw-secret', MASTER_CONNECT_RETRY=1' at line 1");
    EXPECT_EQ(parse.find("pw-secret"), std::string::npos) << parse;
    EXPECT_NE(parse.find("statement text omitted"), std::string::npos);
    EXPECT_EQ(source::redact_server_message(
                  "Your password does not satisfy the current policy requirements"),
              "Your password does not satisfy the current policy requirements");

    // The whole error as the job's Error property would carry it.
    const auto e = source::mariadb_error(
        1064, "... near 'IDENTIFIED BY 'pw-secret'' at line 1", "the target", "unix:/x",
        source::statement_label("CREATE USER 'r' IDENTIFIED BY 'pw-secret'"));
    EXPECT_EQ(e.message.find("pw-secret"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("statement CREATE USER"), std::string::npos) << e.message;
}

// A full disk is named as such with its remedy, in every form MariaDB
// reports it (faults-disk-full met error 1005 with errno 135 when the disk
// filled before CREATE TABLE).
TEST(MariaDbError, AFullDiskHasTheRemedyInEveryForm)
{
    const std::vector<std::pair<unsigned, std::string>> full = {
        {1114, "The table 'radacct' is full"},
        {1021, "Disk full (/var/lib/mysql/x); waiting for someone to free some space..."},
        {1005, "Can't create table `hotspot`.`nas` (errno: 135 \"No more room in record file\")"},
        {1005, "Can't create table `hotspot`.`nas` (errno: 28 \"No space left on device\")"},
        {3, "Error writing file './hotspot/nas.frm' (Errcode: 28 \"No space left on device\")"},
    };
    for (const auto& [n, m] : full) {
        const auto e = source::mariadb_error(n, m, "target", "unix:/x", "statement CREATE TABLE");
        EXPECT_NE(e.remedy.find("Free space on the disk of the target MariaDB"), std::string::npos)
            << n << " " << m;
    }
    const auto other = source::mariadb_error(
        1005, "Can't create table `hotspot`.`nas` (errno: 150 \"Foreign key constraint is incorrectly formed\")",
        "target", "unix:/x", "statement CREATE TABLE");
    EXPECT_EQ(other.remedy.find("Free space"), std::string::npos) << other.remedy;
}

// MariaDB's error number travels with the error (server_error), in every
// class of it, so that no caller reads it back out of the message.
TEST(MariaDbError, CarriesTheServerErrorNumber)
{
    for (unsigned n : {1205u, 1286u, 1045u, 1114u, 2013u, 2026u}) {
        const auto e = source::mariadb_error(n, "some words", "target", "unix:/x", "statement X");
        EXPECT_EQ(e.server_error, n) << e.message;
    }
    const core::Error ours{core::Code::Internal, "not MariaDB's", {}};
    EXPECT_EQ(ours.server_error, 0u);
}

TEST(CertificatePin, BothFormsAndRefusals)
{
    const std::string b64 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg";
    auto curl = core::parse_certificate_pin("sha256//" + b64 + "=");
    ASSERT_TRUE(curl);
    EXPECT_EQ(*curl, "sha256//" + b64 + "=");
    auto ssh = core::parse_certificate_pin("SHA256:" + b64);
    ASSERT_TRUE(ssh);
    EXPECT_EQ(*ssh, *curl);
    EXPECT_EQ(core::pin_for_display(*curl), "SHA256:" + b64);
    for (const std::string& bad : std::vector<std::string>{
             std::string(""), "SHA256:", "sha256//", "MD5:" + b64, "SHA256:" + b64 + "A",
             "SHA256:" + b64.substr(1), "SHA256:" + b64.substr(0, 42) + "!",
             "SHA256:" + b64.substr(0, 42) + "B", "sha256:" + b64}) {
        auto p = core::parse_certificate_pin(bad);
        ASSERT_FALSE(p) << bad;
        EXPECT_EQ(p.error().code, core::Code::InvalidArgument);
    }
}

// Defect 6: a log name from the source is hostile input.
TEST(PeerFileNames, OnlyPlainNames)
{
    for (const char* good : {"traffic.log", "traffic.log.1", "a", "x.ferry-part.gz"})
        EXPECT_TRUE(local::is_safe_peer_file_name(good)) << good;
    for (const std::string& bad :
         std::vector<std::string>{std::string(""), ".", "..", "../../etc/x", "a/b", "/etc/shadow",
                                  ".hidden", "x.ferry-part", "x.ferry-pre", "a\nb", "a\x7f",
                                  std::string("a\0b", 3), std::string(245, 'a')})
        EXPECT_FALSE(local::is_safe_peer_file_name(bad)) << bad;
    EXPECT_TRUE(local::is_safe_peer_file_name(std::string(244, 'a')));
}

namespace {

struct TempDir {
    std::string path;
    TempDir()
    {
        char t[] = "/tmp/ferry-part-test.XXXXXX";
        path = ::mkdtemp(t);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& f)
{
    std::ifstream in(f);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

// Defect 6: a planted symlink, FIFO or hard link in place of a part file is
// removed, never followed or opened for writing; ours is resumed.
TEST(PartFile, PlantedObjectsAreReplacedNotFollowed)
{
    TempDir d;
    const std::string victim = d.path + "/victim";
    std::ofstream(victim) << "keep me";
    auto dir = local::open_directory(d.path);
    ASSERT_TRUE(dir);

    ASSERT_EQ(::symlink(victim.c_str(), (d.path + "/a.ferry-part").c_str()), 0);
    ASSERT_EQ(::mkfifo((d.path + "/b.ferry-part").c_str(), 0600), 0);
    ASSERT_EQ(::link(victim.c_str(), (d.path + "/c.ferry-part").c_str()), 0);
    const struct {
        const char* name;
        const char* found;
    } cases[] = {{"a.ferry-part", "a symbolic link"},
                 {"b.ferry-part", "a FIFO"},
                 {"c.ferry-part", "a hard link"}};
    for (const auto& c : cases) {
        auto p =
            local::open_part_file(dir->get(), c.name, d.path); // returns at once, also for the FIFO
        ASSERT_TRUE(p) << c.name << ": " << p.error().message;
        EXPECT_EQ(p->found, c.found);
        EXPECT_EQ(p->size, 0u);
        ASSERT_EQ(::write(p->fd.get(), "new", 3), 3);
        struct stat st {};
        ASSERT_EQ(::lstat((d.path + "/" + c.name).c_str(), &st), 0);
        EXPECT_TRUE(S_ISREG(st.st_mode) && st.st_nlink == 1) << c.name;
    }
    EXPECT_EQ(slurp(victim), "keep me");

    // Ours from an earlier run: kept with its size.
    auto again = local::open_part_file(dir->get(), "a.ferry-part", d.path);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->found, "");
    EXPECT_EQ(again->size, 3u);

    // A directory in its place is not removed: a named error.
    ASSERT_EQ(::mkdir((d.path + "/d.ferry-part").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((d.path + "/d.ferry-part/x").c_str(), 0700), 0);
    auto dirpart = local::open_part_file(dir->get(), "d.ferry-part", d.path);
    ASSERT_FALSE(dirpart);
    EXPECT_NE(dirpart.error().message.find("is a directory"), std::string::npos);

    // The directory itself must not be a symlink.
    ASSERT_EQ(::symlink(d.path.c_str(), (d.path + "/link").c_str()), 0);
    EXPECT_FALSE(local::open_directory(d.path + "/link"));
}
