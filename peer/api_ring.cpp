// The ring resources of the peer API (docs/peer-api.md "Ring", docs/ha.md):
// deactivating the source's replica (operation 3) and removing / restoring
// the round-robin hosts on the ring's Main node (operations 2 and 11). Both
// are idempotent: their state lives in the peer's state directory, so a
// target that retries after a crash gets the same answer.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/ini.hpp"
#include "system/journal_store.hpp"
#include "peer/api.hpp"
#include "peer/api_request.hpp"

namespace ferry::peer {
namespace {

using json = nlohmann::json;

constexpr auto kDownstreamWait = std::chrono::seconds(30);
constexpr const char* kFreezeFile = "replica-freeze.json";
constexpr const char* kRoundRobinFile = "round-robin.saved";
constexpr const char* kRoundRobinSection = "round_robin";

std::optional<std::string> read_text(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

Response no_state_directory()
{
    return error_response(500, "Internal", "ferry-peer has no state directory.",
                          "Set [Peer] StateDirectory= in ferry.conf (systemd: StateDirectory=).");
}

// The round-robin hosts of a `round_robin` section ([RoundRobin] Hosts=)
// emptied; the rest of the section kept.
core::Expected<std::string> without_hosts(const std::string& text)
{
    auto ini = core::parse_ini(text);
    if (!ini)
        return ini.error();
    (*ini)["RoundRobin"]["Hosts"] = "";
    return core::format_ini(*ini);
}

} // namespace

Response Api::replica_deactivate()
{
    if (state_dir_.empty())
        return no_state_directory();
    const auto file = std::filesystem::path(state_dir_) / kFreezeFile;
    // Done before (the target retries after a crash): the same record.
    if (auto saved = read_text(file)) {
        const json j = json::parse(*saved, nullptr, false);
        if (auto f = core::ReplicaFreeze::from_json(j); f) {
            if (auto r = database_.forget_replica(); !r)
                return error_response(r.error());
            return request::ok(json{{"freeze", f->to_json()}});
        }
        spdlog::warn("{} is malformed; deactivating again.", file.string());
    }
    auto f = database_.deactivate_replica(kDownstreamWait, [&](const core::ReplicaFreeze& freeze) {
        return local::write_file_atomic(file, freeze.to_json().dump() + "\n", 0600);
    });
    if (!f)
        return error_response(f.error());
    return request::ok(json{{"freeze", f->to_json()}});
}

Response Api::round_robin(bool remove)
{
    if (state_dir_.empty())
        return no_state_directory();
    const auto saved_file = std::filesystem::path(state_dir_) / kRoundRobinFile;
    auto sections = appliance_.read_settings();
    if (!sections)
        return error_response(sections.error());
    const auto it = sections->find(kRoundRobinSection);
    const std::string current = it == sections->end() ? std::string() : it->second;
    const auto saved = read_text(saved_file);

    if (remove) {
        if (saved) // removed already: the hosts as they were before
            return request::ok(protocol::RoundRobin{*saved, true}.to_json());
        if (auto w = local::write_file_atomic(saved_file, current, 0600); !w)
            return error_response(w.error());
        auto emptied = without_hosts(current);
        if (!emptied)
            return error_response(emptied.error());
        if (auto w = appliance_.write_settings({{kRoundRobinSection, *emptied}}, false); !w)
            return error_response(w.error());
        spdlog::info("Round-robin hosts removed (saved in {}).", saved_file.string());
        return request::ok(protocol::RoundRobin{current, true}.to_json());
    }
    if (!saved) // restored already, or never removed
        return request::ok(protocol::RoundRobin{current, false}.to_json());
    if (auto w = appliance_.write_settings({{kRoundRobinSection, *saved}}, false); !w)
        return error_response(w.error());
    std::error_code ec;
    std::filesystem::remove(saved_file, ec);
    if (ec)
        return error_response(500, "Internal",
                              "Cannot remove " + saved_file.string() + ": " + ec.message() + ".");
    spdlog::info("Round-robin hosts restored.");
    return request::ok(protocol::RoundRobin{*saved, false}.to_json());
}

} // namespace ferry::peer
