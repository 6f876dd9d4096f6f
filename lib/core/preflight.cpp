#include "core/preflight.hpp"
#include "core/translatable.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ferry::core {

std::string_view verdict_name(Verdict v)
{
    switch (v) {
    case Verdict::Ok: return "ok";
    case Verdict::Warning: return "warning";
    case Verdict::Failure: return "failure";
    }
    return "failure";
}

std::string human_bytes(uint64_t bytes)
{
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = double(bytes) / 1024.0;
    std::size_t u = 0;
    while (v >= 1024.0 && u + 1 < std::size(kUnits)) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[u]);
    return buf;
}

uint64_t required_data_bytes(uint64_t data_bytes)
{
    return data_bytes + uint64_t(std::ceil(double(data_bytes) * kDataMargin)) + kDataFixedBytes;
}

std::optional<std::pair<int, int>> mariadb_major_minor(std::string_view version)
{
    int major = 0, minor = 0;
    const char* p = version.data();
    const char* end = p + version.size();
    auto r = std::from_chars(p, end, major);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.')
        return std::nullopt;
    r = std::from_chars(r.ptr + 1, end, minor);
    if (r.ec != std::errc())
        return std::nullopt;
    return std::pair{major, minor};
}

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep)
{
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : std::string(sep)) + s;
    return out;
}

bool has_role(const FilesystemSpace& fs, std::string_view role)
{
    return std::find(fs.roles.begin(), fs.roles.end(), role) != fs.roles.end();
}

PreflightCheck space_check(const PreflightInput& in)
{
    PreflightCheck c{"space", Verdict::Ok, N_("Free space on this system"), {}};
    if (in.filesystems.empty()) {
        c.verdict = Verdict::Warning;
        c.message = "The free space on this system could not be measured" +
                    (in.space_error.empty() ? std::string(".") : " (" + in.space_error + ").");
        return c;
    }
    std::vector<std::string> parts;
    for (const auto& fs : in.filesystems) {
        uint64_t need = 0;
        std::vector<std::string> what;
        if (has_role(fs, "data")) {
            need += required_data_bytes(in.data_bytes);
            what.push_back("data " + human_bytes(in.data_bytes) + " + 25 % + 128 MiB for InnoDB");
        }
        if (has_role(fs, "logs") && in.copy_logs) {
            need += in.log_bytes;
            what.push_back("logs " + human_bytes(in.log_bytes));
        }
        if (has_role(fs, "settings")) {
            need += 2 * in.settings_bytes; // the source's, and this system's former ones kept
            what.push_back("settings " + human_bytes(2 * in.settings_bytes));
        }
        if (has_role(fs, "certificates")) {
            need += kCertificateBytes;
            what.push_back("certificates 1 MiB");
        }
        if (has_role(fs, "journal")) {
            need += kJournalBytes;
            what.push_back("job journal 1 MiB");
        }
        // The reserve is MariaDB's room to grow after the copy: on the
        // data's filesystem only.
        const uint64_t reserve = has_role(fs, "data") ? in.reserve_bytes : 0;
        Verdict v = Verdict::Ok;
        if (fs.free_bytes < need + reserve)
            v = Verdict::Failure;
        else if (fs.free_bytes < need + need / 2 + reserve)
            v = Verdict::Warning; // less than half the need again to spare
        c.verdict = std::max(c.verdict, v);
        std::string s = fs.path + " (" + join(fs.roles, ", ") + "): needs " + human_bytes(need) +
                        " (" + join(what, ", ") + ")";
        if (reserve)
            s += " and keeps " + human_bytes(reserve) + " free";
        s += "; " + human_bytes(fs.free_bytes) + " free";
        if (v == Verdict::Failure)
            s += ": NOT ENOUGH, " + human_bytes(need + reserve - fs.free_bytes) +
                 " missing";
        else if (v == Verdict::Warning)
            s += ": little to spare";
        parts.push_back(s);
    }
    c.message = join(parts, "; ") + ".";
    if (c.verdict == Verdict::Failure)
        c.message += " Free space on this system (or give MariaDB a larger disk) and probe again.";
    return c;
}

PreflightCheck version_check(const PreflightInput& in)
{
    PreflightCheck c{"mariadb-version", Verdict::Ok, N_("MariaDB versions"), {}};
    const auto s = mariadb_major_minor(in.source_version);
    const auto t = mariadb_major_minor(in.target_version);
    const std::string sv = in.source_version.empty() ? "unknown" : in.source_version;
    const std::string tv = in.target_version.empty() ? "unknown" : in.target_version;
    const std::string both = "source " + sv + ", this system " + tv;
    if (!t) {
        c.verdict = Verdict::Failure;
        c.message = both + ": this system's MariaDB does not answer" +
                    (in.target_version_error.empty() ? "" : " (" + in.target_version_error + ")") +
                    "; the data cannot be loaded. Start MariaDB on this system and probe again.";
        return c;
    }
    if (!s) {
        c.verdict = Verdict::Warning;
        c.message = both + ": the source did not name its version (an older ferry-peer, or its "
                           "MariaDB did not answer); the verification method is chosen during the "
                           "copy.";
        return c;
    }
    auto older = [](std::pair<int, int> a, std::pair<int, int> b) { return a < b; };
    if (older(*s, {10, 3}) || older(*t, {10, 3})) {
        c.verdict = Verdict::Failure;
        c.message = both + ": ferry copies between MariaDB 10.3 and newer only (sequences, system "
                           "versioning and the catalogue it reads). Upgrade the older side first.";
        return c;
    }
    if (older(*t, *s)) {
        c.verdict = Verdict::Warning;
        c.message = both + ": this system runs an OLDER MariaDB than the source; a definition that "
                           "uses something newer (a collation, a data type) is refused by the "
                           "copy, after the source is already under maintenance. Prefer "
                           "upgrading this system's MariaDB first. Tables are verified by row "
                           "hash (CHECKSUM TABLE differs between versions).";
        return c;
    }
    if (*t != *s && in.high_availability) {
        // The node after the source will replicate FROM this newer server:
        // MariaDB supports older -> newer only; measured working for what
        // the appliance writes (containers-mixed-ha), but not promised.
        const std::string sv_short = std::to_string(s->first) + "." + std::to_string(s->second);
        c.verdict = Verdict::Warning;
        c.message = both + ": after the migration the ring's node after the source, likely on "
                           "MariaDB " + sv_short + " like the source, replicates from this newer "
                           "server, a direction MariaDB does not promise to support. ferry has "
                           "tested it for the appliance's own writes; until every node runs the "
                           "newer version, use nothing that MariaDB " + sv_short +
                    " lacks (new data types, functions or syntax) and replace the remaining "
                    "older nodes soon. Tables are verified by row count and a row hash "
                    "(CHECKSUM TABLE differs between versions).";
        return c;
    }
    if (*t != *s)
        c.message = both + ": tables are verified by row count and a row hash computed on both "
                           "sides (CHECKSUM TABLE's result differs between versions).";
    else
        c.message = both + ": tables are verified by row count and CHECKSUM TABLE (a row hash "
                           "for tables with generated columns).";
    return c;
}

PreflightCheck protocol_check(const PreflightInput& in)
{
    PreflightCheck c{"peer-protocol", Verdict::Ok, N_("Peer protocol"), {}};
    if (in.peer_protocol != in.expected_protocol) {
        c.verdict = Verdict::Failure;
        c.message = "The source's ferry-peer speaks protocol " + std::to_string(in.peer_protocol) +
                    ", this system " + std::to_string(in.expected_protocol) +
                    ". Update ferry on both systems to the same version.";
    } else {
        c.message = "The source's ferry-peer speaks protocol " + std::to_string(in.peer_protocol) +
                    ", as this system does.";
    }
    return c;
}

std::string seconds_text(int64_t usec)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", double(usec) / 1e6);
    return buf;
}

PreflightCheck clock_check(const PreflightInput& in)
{
    PreflightCheck c{"clock", Verdict::Ok, N_("Clock difference"), {}};
    if (!in.clock_offset_usec) {
        c.verdict = Verdict::Warning;
        c.message = "The source's clock was not measured (its ferry-peer does not report its "
                    "time). Check that both systems use NTP.";
        return c;
    }
    const int64_t off = *in.clock_offset_usec;
    // Only what is certainly there counts: the answer was stamped somewhere
    // within the round trip.
    const int64_t sure = std::max<int64_t>(0, std::llabs(off) - in.clock_uncertainty_usec);
    const std::string what = "The source's clock is " + seconds_text(std::llabs(off)) +
                             (off >= 0 ? " ahead of" : " behind") + " this system's (± " +
                             seconds_text(in.clock_uncertainty_usec) + ")";
    if (sure > kClockFailUsec) {
        c.verdict = Verdict::Failure;
        c.message = what + ": more than 5 minutes. The source judges the job's token by its clock "
                           "and certificates' validity depends on it. Set both clocks right "
                           "(NTP), then probe again.";
    } else if (sure > kClockOkUsec) {
        c.verdict = Verdict::Warning;
        c.message = what + ": the times in the report and the two journals will not line up. "
                           "Enable NTP on both systems.";
    } else {
        c.message = what + ".";
    }
    return c;
}

PreflightCheck ring_check(const PreflightInput& in)
{
    PreflightCheck c{"ring", Verdict::Ok, N_("Replication ring"), {}};
    const auto& r = in.ring;
    const std::string size = r.members ? " (ring of " + std::to_string(r.members) + " nodes)" : "";
    if (!r.error.empty()) {
        c.verdict = Verdict::Failure;
        c.message = "The source's MariaDB did not report its replication (" + r.error +
                    "). Check MariaDB on the source.";
    } else if (!r.replica_configured) {
        c.verdict = Verdict::Failure;
        c.message = "The source replicates from no node" + size +
                    ": it is not a working ring node. Repair the ring first.";
    } else if (!r.io_running || !r.sql_running) {
        c.verdict = Verdict::Failure;
        c.message = std::string("The source's replica is stopped (IO ") +
                    (r.io_running ? "running" : "stopped") + ", SQL " +
                    (r.sql_running ? "running" : "stopped") + ")" +
                    (r.last_error.empty() ? "" : ": " + r.last_error) + size +
                    ". Run START SLAVE on the source and probe again.";
    } else if (r.downstream == 0) {
        c.verdict = Verdict::Failure;
        c.message = "No node reads the source's binary log" + size +
                    ": the node after the source in the ring is not replicating. Check SHOW SLAVE "
                    "STATUS there.";
    } else if (r.seconds_behind && *r.seconds_behind > kRingLagWarnSeconds) {
        c.verdict = Verdict::Warning;
        c.message = "The source replicates " + std::to_string(*r.seconds_behind) +
                    " s behind its upstream node" + size +
                    ": operation 3 waits for the ring to drain and may fail. Wait for the lag to "
                    "fall.";
    } else {
        c.message = "The source replicates from its upstream node (" +
                    (r.seconds_behind ? std::to_string(*r.seconds_behind) + " s behind"
                                      : std::string("lag not reported")) +
                    ") and " + std::to_string(r.downstream) + " node(s) read its binary log" +
                    size + ". Only the source's neighbours are seen from here.";
    }
    return c;
}

PreflightCheck services_check(const PreflightInput& in)
{
    PreflightCheck c{"services", Verdict::Ok, N_("This system's services"), {}};
    if (in.services.empty()) {
        c.message = "No services to restart are configured (Services= in ferry.conf).";
        return c;
    }
    std::vector<std::string> missing, unknown, present;
    for (const auto& s : in.services) {
        if (!s.present)
            unknown.push_back(s.unit + (s.detail.empty() ? "" : " (" + s.detail + ")"));
        else if (!*s.present)
            missing.push_back(s.unit + (s.detail.empty() ? "" : " (" + s.detail + ")"));
        else
            present.push_back(s.unit);
    }
    if (!missing.empty()) {
        c.verdict = Verdict::Failure;
        c.message = "Not installed on this system: " + join(missing, ", ") +
                    ". Operation 9 restarts them after the source has been changed: install them, "
                    "or remove them from Services= in ferry.conf, then probe again.";
    } else if (!unknown.empty()) {
        c.verdict = Verdict::Warning;
        c.message = "systemd could not be asked about " + join(unknown, ", ") + ".";
    } else {
        c.message = "Installed: " + join(present, ", ") + ".";
    }
    return c;
}

PreflightCheck definitions_check(const PreflightInput& in)
{
    PreflightCheck c{"definitions", Verdict::Ok, N_("Object definitions"), {}};
    const DefinitionTrial& t = *in.definitions;
    const std::string server =
        "this system's MariaDB" + (in.target_version.empty() ? "" : " " + in.target_version);
    if (!t.ran) {
        c.verdict = Verdict::Warning;
        c.message = "The source's tables, routines, triggers and events could not be tried on " +
                    server + " (" + t.error +
                    "); one it cannot create would fail the job in copy-data, after the source "
                    "went into maintenance.";
        return c;
    }
    if (!t.refused.empty()) {
        std::vector<std::string> named;
        for (const auto& r : t.refused)
            named.push_back(object_label(r.kind, r.schema, r.name) + " (" + r.error + ")");
        c.verdict = Verdict::Failure;
        c.message = std::to_string(t.refused.size()) + " of the source's " +
                    std::to_string(t.tried) + " definitions cannot be created on " + server +
                    ": " + join(named, "; ") +
                    ". Change them on the source (quote a word the newer server reserves, use a "
                    "storage engine this system has) or remove them, then probe again.";
        return c;
    }
    c.message = server + " created each of the source's " + std::to_string(t.tried) +
                " tables, sequences, routines, triggers and events in a scratch schema, removed "
                "again (views are stored quoted and not tried).";
    if (!t.not_tried.empty()) {
        c.verdict = Verdict::Warning;
        c.message += " Not tried: " + join(t.not_tried, ", ") + ".";
    }
    return c;
}

} // namespace

std::vector<PreflightCheck> evaluate_preflight(const PreflightInput& in)
{
    std::vector<PreflightCheck> out;
    out.push_back(space_check(in));
    out.push_back(version_check(in));
    out.push_back(protocol_check(in));
    out.push_back(clock_check(in));
    if (in.high_availability)
        out.push_back(ring_check(in));
    out.push_back(services_check(in));
    if (in.definitions)
        out.push_back(definitions_check(in));
    return out;
}

std::optional<Error> preflight_refusal(const std::vector<PreflightCheck>& checks)
{
    std::string failed;
    for (const auto& c : checks)
        if (c.verdict == Verdict::Failure)
            failed += (failed.empty() ? "" : " ") + c.title + ": " + c.message;
    if (failed.empty())
        return std::nullopt;
    return Error{Code::PreflightFailed, "A pre-flight check failed; nothing was changed. " + failed,
                 "Remove the cause, then Probe again (or Plan, to see the checks)."};
}

} // namespace ferry::core
