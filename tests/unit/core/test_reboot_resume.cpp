// core::decide_reboot: where the reboot operation of a Swap goes on when it
// (re)starts, from its checkpoint, the boot it runs in and whether this
// system's new settings are still held back (issue 14: a power cut of the
// target after copy-settings must not bring it up with the source's
// address, and the resumed job must still reach the swapped reboot).
#include <gtest/gtest.h>

#include "core/reboot_resume.hpp"

using ferry::core::decide_reboot;
using ferry::core::reboot_checkpoint_from_json;
using ferry::core::RebootCheckpoint;
using ferry::core::RebootPhase;

namespace {

RebootCheckpoint requested_in(const std::string& boot)
{
    RebootCheckpoint c;
    c.requested = true;
    c.boot_id = boot;
    return c;
}

} // namespace

TEST(RebootResume, FirstRunAsksEveryoneInThisBoot)
{
    const auto d = decide_reboot(reboot_checkpoint_from_json(nlohmann::json::object()), "B1", true);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_TRUE(d.next.requested);
    EXPECT_EQ(d.next.boot_id, "B1");
    EXPECT_FALSE(d.next.asking_source);
    EXPECT_FALSE(d.next.source_asked);
    EXPECT_FALSE(d.next.logind_asked);
}

TEST(RebootResume, SameBootGoesOnFromTheCheckpoint)
{
    // ferryd killed after logind said yes: nobody is asked again.
    auto c = requested_in("B1");
    c.asking_source = c.source_asked = c.logind_asked = true;
    auto d = decide_reboot(c, "B1", false);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_TRUE(d.next.source_asked);
    EXPECT_TRUE(d.next.logind_asked);
    // Killed while the source was being asked: still "maybe asked".
    c.source_asked = c.logind_asked = false;
    d = decide_reboot(c, "B1", true);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_TRUE(d.next.asking_source);
    EXPECT_FALSE(d.next.source_asked);
}

TEST(RebootResume, TheRequestedBootWaitsForTheSource)
{
    auto c = requested_in("B1");
    c.asking_source = c.source_asked = c.logind_asked = true;
    EXPECT_EQ(decide_reboot(c, "B2", false).phase, RebootPhase::WaitForSource);
    // The settings were handed over and the source said yes, but the cut
    // came before the journal recorded it: still the swapped boot.
    c.source_asked = c.logind_asked = false;
    EXPECT_EQ(decide_reboot(c, "B2", false).phase, RebootPhase::WaitForSource);
}

TEST(RebootResume, APowerCutBeforeTheHandOverAsksAgain)
{
    // The journal says "rebooting", but this system came up with its own
    // settings (still held): not the reboot the operation asked for.
    auto c = requested_in("B1");
    c.asking_source = true;
    auto d = decide_reboot(c, "B2", true);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_EQ(d.next.boot_id, "B2");
    EXPECT_TRUE(d.next.asking_source); // a silent source may be rebooting
    EXPECT_FALSE(d.next.source_asked);
    // The source's yes holds across boots, logind's does not.
    c.source_asked = c.logind_asked = true;
    d = decide_reboot(c, "B2", true);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_TRUE(d.next.source_asked);
    EXPECT_FALSE(d.next.logind_asked);
}

TEST(RebootResume, NothingRequestedYetIsAFreshRequestInAnyBoot)
{
    // A power cut before the operation's first journal write.
    const auto d = decide_reboot(RebootCheckpoint{}, "B7", true);
    EXPECT_EQ(d.phase, RebootPhase::Request);
    EXPECT_EQ(d.next.boot_id, "B7");
    EXPECT_FALSE(d.next.asking_source);
}

TEST(RebootResume, CheckpointOfWrongTypesReadsAsNotSet)
{
    const auto c = reboot_checkpoint_from_json(
        nlohmann::json{{"requested", "yes"}, {"boot_id", 5}, {"source_asked", 1}});
    EXPECT_FALSE(c.requested);
    EXPECT_TRUE(c.boot_id.empty());
    EXPECT_FALSE(c.source_asked);
    EXPECT_FALSE(reboot_checkpoint_from_json(nlohmann::json()).requested);
    const auto round = reboot_checkpoint_from_json(to_json(requested_in("B3")));
    EXPECT_TRUE(round.requested);
    EXPECT_EQ(round.boot_id, "B3");
}
