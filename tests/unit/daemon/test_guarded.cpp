// bus/guarded.hpp: whatever a handler body throws becomes an error reply
// to the caller, never an exception into sd-bus (which would end ferryd).
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "bus/guarded.hpp"

using ferry::bus::answer_guarded;

namespace {

// Stands in for sdbus::Result<...>: records what the handler answered.
struct FakeResult {
    std::optional<std::string> error_name, error_message;
    bool throw_on_reply = false;
    void returnError(const sdbus::Error& e)
    {
        if (throw_on_reply)
            throw sdbus::Error("org.freedesktop.DBus.Error.Disconnected", "gone");
        error_name = e.getName();
        error_message = e.getMessage();
    }
};

TEST(Guarded, BodyThatReturnsNormallyIsUntouched)
{
    FakeResult r;
    bool ran = false;
    answer_guarded(r, "test", [&] { ran = true; });
    EXPECT_TRUE(ran);
    EXPECT_FALSE(r.error_name);
}

TEST(Guarded, SdbusErrorIsPassedThroughAsIs)
{
    FakeResult r;
    answer_guarded(r, "test", [] {
        throw sdbus::Error("org.freedesktop.DBus.Error.UnknownObject",
                           "The job x no longer exists.");
    });
    EXPECT_EQ(r.error_name, "org.freedesktop.DBus.Error.UnknownObject");
}

TEST(Guarded, StdExceptionsBecomeInternalWithoutTheirText)
{
    for (auto thrower : std::vector<std::function<void()>>{
             [] { throw std::runtime_error("secret-ish detail"); },
             [] { auto j = nlohmann::json::parse("{broken"); },
             [] {
                 throw std::filesystem::filesystem_error("x",
                                                         std::make_error_code(std::errc::io_error));
             },
             [] { throw std::bad_alloc(); },
             [] { throw 42; },
         }) {
        FakeResult r;
        answer_guarded(r, "test", thrower);
        ASSERT_TRUE(r.error_name);
        EXPECT_EQ(*r.error_name, "org.ferry.Migration1.Error.Internal");
        EXPECT_EQ(r.error_message->find("secret-ish"), std::string::npos);
    }
}

TEST(Guarded, AFailingReplyDoesNotEscape)
{
    FakeResult r;
    r.throw_on_reply = true;
    EXPECT_NO_THROW(answer_guarded(r, "test", [] { throw std::runtime_error("x"); }));
}

} // namespace
