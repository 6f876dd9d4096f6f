// What the peer's unit tests share (peer/tests/test_*.cpp).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appliance/appliance.hpp"
#include "core/ini.hpp"
#include "peer/api.hpp"
#include "peer/auth.hpp"
#include "peer/config.hpp"
#include "peer/database.hpp"
#include "peer/http.hpp"
#include "system/digest.hpp"

namespace ferry::peer_tests {

namespace fs = std::filesystem;

inline core::Ini ini(const std::string& text)
{
    return *core::parse_ini(text);
}

inline std::string read(const fs::path& p)
{
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write(const fs::path& p, const std::string& s)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << s;
}

} // namespace ferry::peer_tests
