// The operation list of the brief (§1 step 6) for all 16 combinations of
// HA x swap x license x logs. The expectations are written out from the
// brief, not derived from the code under test.
#include <gtest/gtest.h>

#include <set>

#include "core/options.hpp"
#include "core/plan.hpp"

using namespace ferry::core;

namespace {

const std::vector<std::string> kAllIds = {"pre-copy-data",
                                          "copy-settings",
                                          "source-maintenance",
                                          "deactivate-replica",
                                          "copy-data",
                                          "modify-source",
                                          "reboot",
                                          "copy-data-activate-replica",
                                          "update-certificates",
                                          "restart-services",
                                          "copy-syslog",
                                          "final"};

std::vector<std::string> expected_running(bool ha, bool swap, bool logs)
{
    // Brief §1 step 6, condition by condition.
    std::vector<std::string> ids = {"copy-settings", "source-maintenance"};
    if (ha)
        ids.push_back("deactivate-replica");
    if (!ha)
        ids.push_back("copy-data");
    ids.push_back("modify-source");
    if (swap)
        ids.push_back("reboot");
    if (ha)
        ids.push_back("copy-data-activate-replica");
    ids.insert(ids.end(), {"update-certificates", "restart-services"});
    if (logs)
        ids.push_back("copy-syslog");
    ids.push_back("final");
    return ids;
}

struct Combo {
    bool ha, swap, license, logs;
};

std::string name(const Combo& c)
{
    return std::string(c.ha ? "HA" : "standalone") + (c.swap ? "+swap" : "") +
           (c.license ? "+license" : "") + (c.logs ? "+logs" : "");
}

} // namespace

TEST(Plan, AllSixteenCombinations)
{
    int checked = 0, refused = 0;
    for (int bits = 0; bits < 16; ++bits) {
        const Combo c{bool(bits & 1), bool(bits & 2), bool(bits & 4), bool(bits & 8)};
        SCOPED_TRACE(name(c));
        // The source has a license under an active contract; the target none,
        // so MigrateLicense is allowed and only HA's forced swap can refuse.
        SourceFacts src{c.ha, true, true};
        RequestedOptions req{c.swap, c.license, c.logs};
        auto opts = resolve_options(req, &src, TargetFacts{false});
        if (c.ha && !c.swap) {
            ASSERT_FALSE(opts.ok());
            EXPECT_EQ(opts.error().code, Code::OptionUnavailable);
            EXPECT_NE(opts.error().message.find("high availability"), std::string::npos);
            ++refused;
            continue;
        }
        ASSERT_TRUE(opts.ok()) << opts.error().message;
        EXPECT_EQ(*opts, (Options{c.swap, c.license, c.logs}));

        PlanInput in{*opts, c.ha, 1000000000, 50000000, 4096, {}, {}};
        auto plan = build_plan(in);
        ASSERT_EQ(plan.size(), 12u);
        std::vector<std::string> ids, running;
        for (const auto& op : plan) {
            ids.push_back(op.key);
            if (op.runs)
                running.push_back(op.key);
            else {
                EXPECT_EQ(op.bytes, 0u) << op.key;
                EXPECT_EQ(op.estimated_seconds, 0u) << op.key;
            }
            EXPECT_FALSE(op.title.empty());
            EXPECT_FALSE(op.condition.empty());
        }
        EXPECT_EQ(ids, kAllIds);
        EXPECT_EQ(running, expected_running(c.ha, c.swap, c.logs));

        const auto& final_op = plan.back();
        EXPECT_EQ(final_op.detail.find("license") != std::string::npos, c.license);
        EXPECT_EQ(final_op.detail.find("round-robin") != std::string::npos, c.ha);
        EXPECT_EQ(plan[static_cast<int>(OperationId::SourceMaintenance)].detail.find(
                      "round-robin") != std::string::npos,
                  c.ha);
        ++checked;
    }
    EXPECT_EQ(checked, 12);
    EXPECT_EQ(refused, 4);
}

TEST(Plan, HaWithSwapOmittedIsForcedOn)
{
    SourceFacts src{true, true, true};
    auto opts = resolve_options(RequestedOptions{}, &src, TargetFacts{});
    ASSERT_TRUE(opts.ok());
    EXPECT_TRUE(opts->swap);
    auto plan = build_plan(PlanInput{*opts, true, 10, 10, 10, {}, {}});
    EXPECT_TRUE(plan[static_cast<int>(OperationId::Reboot)].runs);
}

TEST(Plan, BytesAndEstimatesFollowTheSizes)
{
    RateAssumptions r;
    r.data_bytes_per_second = 10e6;
    r.log_bytes_per_second = 50e6;
    r.step_seconds = 2;
    PlanInput in{Options{false, false, true}, false, 100000000, 100000000, 0,
                 {{}, {}, r, false, {}, {}},  {}};
    auto plan = build_plan(in);
    const auto& data = plan[static_cast<int>(OperationId::CopyData)];
    EXPECT_EQ(data.bytes, 100000000u);
    EXPECT_EQ(data.estimated_seconds, 2u + 10u);
    const auto& logs = plan[static_cast<int>(OperationId::CopySyslog)];
    EXPECT_EQ(logs.estimated_seconds, 2u + 2u);
    EXPECT_EQ(plan_total_seconds(plan), 2u + 2 + 12 + 2 + 2 + 20 + 4 + 2);
}

TEST(Plan, KeysRoundTrip)
{
    for (auto id : all_operations()) {
        auto back = operation_from_key(operation_key(id));
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, id);
    }
    EXPECT_FALSE(operation_from_key("copy-everything"));
}
