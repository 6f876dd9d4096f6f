// Operation 8: the source's certificates (its web identity moves with the
// users). Files are replaced one by one atomically; a re-run rewrites them.
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> update_certificates(StepContext& ctx)
{
    auto answer = ctx.peer.get("/certificates");
    if (!answer)
        return answer.error();
    auto certificates = protocol::Certificates::from_json(*answer);
    if (!certificates)
        return certificates.error();
    if (auto w = ctx.appliance.write_certificates(certificates->files); !w)
        return w.error();
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
