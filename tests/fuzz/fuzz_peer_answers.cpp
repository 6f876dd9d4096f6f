// ferryd's side of the peer API: what it makes of the answers of the
// source's ferry-peer (or of anyone on the path before Probe has pinned
// the source's key): the status and body of an answer (answer_json,
// peer_error), the /login answer, the /describe answer (Source Info), the
// freeze of /replica/deactivate and the GTID lists in it, and the ring
// statements built from that freeze.
//
// Input: two bytes choosing the HTTP status, then the body. Properties:
// nothing throws (ferryd's threads would die: an answer from the network
// must end in a named error); a freeze that is accepted gives statements
// that quote what came from the network.
#include "check.hpp"
#include "core/ring.hpp"
#include "source/peer_client.hpp"
#include "source/source_client.hpp"

using namespace ferry;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    fuzz::Fields in(data, size);
    static const long kStatus[] = {200, 201, 202, 204, 206, 400, 401, 404, 409, 413, 416, 429, 500};
    const unsigned s = in.byte();
    const long status =
        s < 0xf0 ? kStatus[s % std::size(kStatus)] : static_cast<long>(in.byte()) * 3;
    const std::string body = in.rest();

    auto answer = source::answer_json(status, body, "192.0.2.1");
    if (!answer) {
        FUZZ_CHECK(!answer.error().message.empty());
        return 0;
    }
    FUZZ_CHECK(status >= 200 && status < 300);
    const json& j = *answer;
    (void)source::peer_error(status, j);

    if (auto token = source::token_from_login(j, "192.0.2.1"); token)
        FUZZ_CHECK(j.is_object());

    if (auto info = source::source_info_from_describe(j); info)
        FUZZ_CHECK(info->server_role == "Main" || info->server_role == "Additional");
    else
        FUZZ_CHECK(info.error().code == core::Code::IncompatibleSource);

    const json* f = &j;
    if (j.is_object())
        if (auto it = j.find("freeze"); it != j.end())
            f = &*it;
    auto freeze = core::ReplicaFreeze::from_json(*f);
    if (!freeze) {
        FUZZ_CHECK(freeze.error().code == core::Code::IncompatibleSource);
        return 0;
    }
    auto again = core::ReplicaFreeze::from_json(freeze->to_json());
    FUZZ_CHECK(again.ok() && again->to_json() == freeze->to_json());
    auto statements = core::ring_join_statements(*freeze, core::RingAccount{"repl", "pw'\\"}, 5);
    if (statements)
        for (const auto& st : *statements)
            FUZZ_CHECK(st.find('\n') == std::string::npos && st.find(';') == std::string::npos);
    return 0;
}
