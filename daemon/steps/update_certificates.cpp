// Operation 8: the source's certificates (its web identity moves with the
// users). Files are replaced one by one atomically; a re-run rewrites them.
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> update_certificates(StepContext& ctx)
{
    auto answer = ctx.peer.get("/certificates");
    if (!answer)
        return answer.error();
    std::map<std::string, std::string> files;
    try {
        files = answer->at("files").get<std::map<std::string, std::string>>();
    } catch (const nlohmann::json::exception&) {
        return core::Error{core::Code::IncompatibleSource,
                           "The source sent malformed certificates.", {}};
    }
    if (auto w = ctx.appliance.write_certificates(files); !w)
        return w.error();
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
