// local/former_settings: the one owner of former-settings.json.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "local/former_settings.hpp"

using namespace ferry;
namespace fs = std::filesystem;

namespace {

struct FormerSettings : ::testing::Test {
    fs::path dir;
    void SetUp() override
    {
        char tmpl[] = "/tmp/ferry-former-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    void write(const std::string& text) { std::ofstream(local::former_settings_path(dir)) << text; }
};

} // namespace

TEST_F(FormerSettings, SavedOnceThenRead)
{
    const core::Sections mine{{"network", "HostName=hs-new\n"}, {"basic", "A=1\n"}};
    int reads = 0;
    auto read_mine = [&]() -> core::Expected<core::Sections> {
        ++reads;
        return mine;
    };
    ASSERT_TRUE(local::save_former_settings_once(dir, read_mine));
    EXPECT_EQ(local::former_settings_path(dir), dir / "former-settings.json");
    // A resumed job keeps the first copy and does not read again.
    ASSERT_TRUE(local::save_former_settings_once(dir, [&]() -> core::Expected<core::Sections> {
        ++reads;
        return core::Sections{{"basic", "changed"}};
    }));
    EXPECT_EQ(reads, 1);
    auto back = local::read_former_settings(dir);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, mine);
    local::remove_former_settings(dir);
    EXPECT_FALSE(fs::exists(local::former_settings_path(dir)));
    local::remove_former_settings(dir); // nothing there: no error
}

TEST_F(FormerSettings, ReadErrorsAreNamed)
{
    auto missing = local::read_former_settings(dir);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::Code::Internal);
    EXPECT_EQ(missing.error().message,
              "This system's former settings were not saved before the copy.");
    write("[1, 2]");
    EXPECT_EQ(local::read_former_settings(dir).error().message,
              "This system's former settings were not saved before the copy.");
    write(R"({"basic": 5})");
    EXPECT_EQ(local::read_former_settings(dir).error().message,
              "This system's saved former settings are malformed.");
}

TEST_F(FormerSettings, AReadErrorSavesNothing)
{
    auto saved = local::save_former_settings_once(dir, []() -> core::Expected<core::Sections> {
        return core::Error{core::Code::Internal, "cannot read", {}};
    });
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error().message, "cannot read");
    EXPECT_FALSE(fs::exists(local::former_settings_path(dir)));
}
