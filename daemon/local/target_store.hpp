// What the target writes into this appliance during a migration: settings
// sections, certificates, the license. Each write is atomic per file, so
// an interrupted operation re-run from the start converges.
#pragma once

#include <map>
#include <string>

#include "core/config.hpp"
#include "core/expected.hpp"
#include "core/settings.hpp"

namespace ferry::local {

// All sections NAME.conf of the settings directory.
core::Expected<core::Sections> read_settings(const core::ApplianceConfig& config);

// Makes the settings directory hold exactly `sections` (files of sections
// not in the map are removed). Names are checked before anything is written.
core::Expected<bool> write_settings(const core::ApplianceConfig& config,
                                    const core::Sections& sections);

// Writes each PEM file (plain file names only) into the certificate directory.
core::Expected<bool> write_certificates(const core::ApplianceConfig& config,
                                        const std::map<std::string, std::string>& files);

core::Expected<bool> write_license(const core::ApplianceConfig& config, const std::string& content);

// A plain file name: no '/', not "." or "..", no NUL, at most 255 bytes.
bool is_plain_file_name(const std::string& name);

} // namespace ferry::local
