// The operations, one file each (steps/<id>.cpp).
#pragma once

#include "steps/step.hpp"

namespace ferry::steps {

core::Expected<bool> copy_settings(StepContext& ctx);
core::Expected<bool> source_maintenance(StepContext& ctx);
core::Expected<bool> copy_data(StepContext& ctx);
core::Expected<bool> modify_source(StepContext& ctx);
core::Expected<bool> reboot_systems(StepContext& ctx);
core::Expected<bool> update_certificates(StepContext& ctx);
core::Expected<bool> restart_services(StepContext& ctx);
core::Expected<bool> copy_syslog(StepContext& ctx);
core::Expected<bool> final_operations(StepContext& ctx);

} // namespace ferry::steps
