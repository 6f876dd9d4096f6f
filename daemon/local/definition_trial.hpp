// The source's definitions tried on this system's MariaDB at Probe
// (core/definition_trial.hpp says what and why): read from the source
// with the temporary account, created in one scratch schema per migrated
// schema, the scratch schemas dropped again.
#pragma once

#include <string>

#include "core/config.hpp"
#include "core/definition_trial.hpp"
#include "source/peer_client.hpp"

namespace ferry::local {

// Blocking, on the Probe's worker; `peer` pinned and logged in. Never
// throws: what could not be done is in the result (ran = false, error).
core::DefinitionTrial try_source_definitions(const core::ApplianceConfig& config,
                                             source::PeerClient& peer,
                                             const std::string& self_address);

} // namespace ferry::local
