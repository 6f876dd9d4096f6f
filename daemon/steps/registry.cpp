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
    case OperationId::PreCopyData: return pre_copy_data;
    case OperationId::CopySettings: return copy_settings;
    case OperationId::SourceMaintenance: return source_maintenance;
    case OperationId::CopyData: return copy_data;
    case OperationId::ModifySource: return modify_source;
    case OperationId::Reboot: return reboot_systems;
    case OperationId::UpdateCertificates: return update_certificates;
    case OperationId::RestartServices: return restart_services;
    case OperationId::CopySyslog: return copy_syslog;
    case OperationId::Final: return final_operations;
    case OperationId::DeactivateReplica: return deactivate_replica;
    case OperationId::CopyDataActivateReplica: return copy_data_activate_replica;
    }
    // Not implemented in this build: Start refuses a plan that needs it
    // (unsupported_operation), so no job gets half-way and stops there.
    return nullptr;
}

std::optional<core::Error> unsupported_operation(const std::vector<core::PlannedOperation>& plan)
{
    for (const auto& op : plan)
        if (op.runs && !step_for(op.id))
            return core::Error{core::Code::OptionUnavailable,
                               "This version of ferry cannot run the operation '" + op.title +
                                   "', which these options need.",
                               "Migrate a standalone source, or install a ferry build with "
                               "high-availability support."};
    return std::nullopt;
}

} // namespace ferry::steps
