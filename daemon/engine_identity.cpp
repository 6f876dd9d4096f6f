// The Engine's side of the source's identity: Probe (the pin taken before
// the password is sent, the login, Source Info, valid kProbeValidity) and
// the job's pinned clients of the source and of the ring's Main node built
// from the identity recorded at Start.
#include "engine.hpp"

#include "core/journal_record.hpp"
#include "local/journal_send.hpp"
#include "local/measurements_file.hpp"
#include "local/definition_trial.hpp"
#include "local/probe_measure.hpp"
#include "local/report_files.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "steps/steps.hpp"

namespace ferry {

const core::SourceInfo* Engine::probed() const
{
    if (!source_info_ || Clock::now() - probed_at_ > kProbeValidity)
        return nullptr;
    return &*source_info_;
}

std::optional<core::Error> Engine::check_probe_args(const std::string& address,
                                                    const std::string& password) const
{
    auto addr = core::parse_address(address);
    if (!addr)
        return addr.error();
    if (password.empty())
        return core::Error{core::Code::InvalidArgument, "The Admin password is empty.",
                           "Type the Admin user password of the source system."};
    if (password.size() > kMaxPasswordLength)
        return core::Error{core::Code::InvalidArgument,
                           "The Admin password is longer than " +
                               std::to_string(kMaxPasswordLength) + " bytes.",
                           {}};
    const auto self = appliance_.identity();
    if (!self.address.empty() && core::parse_address(self.address) &&
        core::parse_address(self.address)->text == addr->text)
        return core::Error{core::Code::SameSystem,
                           addr->text + " is the address of this system, not of the source.",
                           "Type the address of the old appliance."};
    if (job_)
        return busy_with_job();
    if (probe_in_flight_)
        return core::Error{core::Code::Busy, "Another Probe is in progress.",
                           "Wait for it to finish."};
    return std::nullopt;
}

std::optional<core::Error> Engine::probe(const std::string& address, std::string password,
                                         std::function<void(core::Expected<core::SourceInfo>)> done,
                                         std::string expected_pin)
{
    if (auto err = check_probe_args(address, password))
        return err;
    const auto addr = core::parse_address(address);
    probe_in_flight_ = true;
    if (worker_.joinable())
        worker_.join();
    const auto timeout = probe_timeout_;
    worker_ = std::thread([this, a = *addr, pw = std::move(password), timeout,
                           done = std::move(done),
                           expected_pin = std::move(expected_pin)]() mutable {
        core::Expected<source::ProbeSession> result = core::Error{core::Code::Internal, "", {}};
        local::TargetMeasure target;
        core::ProbeRates rates;
        // No exception leaves this thread (it would terminate ferryd).
        try {
            result = source_->probe(a, pw, timeout, expected_pin);
            // This system's side of the pre-flight checks, while we are
            // off the loop anyway (a MariaDB query, a systemd call).
            if (result)
                target = local::measure_target(appliance_.config(), journal_.dir().string());
            // What decides the duration, a second or so each (issue 17).
            if (result) {
                source::PeerClient peer(
                    source::PeerEndpoint{a.text, peer_port_, result->info.certificate_sha256},
                    timeout);
                peer.set_token(result->token);
                rates = local::measure_probe_rates(appliance_.config(), peer,
                                                   appliance_.identity().address, target);
                // What this system's MariaDB would refuse, found before
                // anything changes (issue 19).
                target.definitions = local::try_source_definitions(
                    appliance_.config(), peer, appliance_.identity().address);
            }
        } catch (const nlohmann::json::exception& e) {
            result =
                core::Error{core::Code::IncompatibleSource,
                            std::string("The source's answer does not fit (") + e.what() + ").",
                            "Update ferry on both systems to the same version."};
        } catch (const std::exception& e) {
            result = core::Error{core::Code::Internal,
                                 std::string("Probe stopped on an unexpected error: ") + e.what(),
                                 "Try again; report the error if it persists."};
        }
        explicit_bzero(pw.data(), pw.size());
        post_([this, result = std::move(result), target = std::move(target),
               rates = std::move(rates), done = std::move(done)]() mutable {
            probe_in_flight_ = false;
            if (result) {
                target_measure_ = std::move(target);
                probe_rates_ = std::move(rates);
                // The checks with the default options (logs copied).
                result->info.preflight = core::evaluate_preflight(local::preflight_input(
                    target_measure_, result->info, true, appliance_.config()));
                source_info_ = result->info;
                token_ = result->token;
                main_token_ = result->main_token;
                probed_at_ = Clock::now();
                spdlog::info("Probed source {} ({}).", source_info_->address,
                             source_info_->high_availability ? "high availability" : "standalone");
            } else {
                spdlog::warn("Probe failed: {}", result.error().message);
            }
            if (observer_)
                observer_->manager_changed();
            if (result)
                done(core::Expected<core::SourceInfo>(result->info));
            else
                done(core::Expected<core::SourceInfo>(result.error()));
        });
    });
    return std::nullopt;
}

Engine::JobPeers Engine::job_peers(const core::SourceIdentity& src) const
{
    JobPeers p{source::PeerClient(
                   source::PeerEndpoint{src.current_address, peer_port_, src.certificate_sha256},
                   probe_timeout_),
               std::nullopt};
    p.source.set_token(src.token);
    if (!src.main_node.empty()) {
        p.ring_main.emplace(
            source::PeerEndpoint{src.main_node, peer_port_, src.main_certificate_sha256},
            probe_timeout_);
        p.ring_main->set_token(src.main_token);
    }
    return p;
}

} // namespace ferry
