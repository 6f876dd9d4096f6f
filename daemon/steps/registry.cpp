#include "steps/step.hpp"

#include "steps/steps.hpp"

namespace ferry::steps {

core::Error stopped_error()
{
    return core::Error{core::Code::Internal, "ferryd is stopping.", "The job resumes at the next start."};
}

StepFn step_for(core::OperationId id)
{
    using core::OperationId;
    switch (id) {
    case OperationId::CopySettings: return copy_settings;
    case OperationId::SourceMaintenance: return source_maintenance;
    case OperationId::CopyData: return copy_data;
    case OperationId::ModifySource: return modify_source;
    case OperationId::UpdateCertificates: return update_certificates;
    case OperationId::RestartServices: return restart_services;
    case OperationId::CopySyslog: return copy_syslog;
    case OperationId::Final: return final_operations;
    case OperationId::DeactivateReplica:
    case OperationId::Reboot:
    case OperationId::CopyDataActivateReplica: break;
    }
    // The HA ring and the swap reboot come with their own work; until then
    // a job that needs them fails here with a named error, not silently.
    return [id](StepContext&) -> core::Expected<bool> {
        return core::Error{core::Code::IncompatibleSource,
                           "This version of ferry cannot run the operation '" +
                               std::string(core::operation_title(id)) + "' yet.",
                           "Run the migration without Swap Configuration from a standalone source, "
                           "or install a ferry build with high-availability and swap support."};
    };
}

} // namespace ferry::steps
