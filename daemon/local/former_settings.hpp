// This system's own settings as they were before a job first wrote any
// (former-settings.json in the state directory): saved once by
// copy-settings, so a re-run computes the same result from them, staged
// on the source by modify-source with Swap, and removed when a job is
// acknowledged or a new one starts. The one place that names, writes and
// reads the file.
#pragma once

#include <filesystem>
#include <functional>

#include "core/expected.hpp"
#include "core/settings.hpp"

namespace ferry::local {

std::filesystem::path former_settings_path(const std::filesystem::path& state_dir);

// Saves what `read_mine` gives unless a copy is there already (then it is
// not called): a resumed job keeps the first, taken before anything was
// written.
core::Expected<bool>
save_former_settings_once(const std::filesystem::path& state_dir,
                          const std::function<core::Expected<core::Sections>()>& read_mine);

// The saved copy, an object of section texts. Internal when it is missing
// or not a JSON object ("...were not saved before the copy.") or holds
// anything but texts ("...are malformed.").
core::Expected<core::Sections> read_former_settings(const std::filesystem::path& state_dir);

void remove_former_settings(const std::filesystem::path& state_dir);

} // namespace ferry::local
