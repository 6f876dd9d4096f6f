// Everything ferryctl prints: JSON (--json), hostnamectl's two-column
// "Key: value" table, column tables, value formatting and errors.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"

namespace ferryctl {

enum class JsonMode { Off, Short, Pretty };

// Prints `j` on stdout: one line (short) or indented (pretty).
void print_json(const nlohmann::json& j, JsonMode mode);

// Right-aligned "Key:" labels, values in one column; rows with an empty
// value are left out; a value with newlines continues under itself.
class KeyValueTable {
  public:
    void add(std::string key, std::string value);
    void print() const;

  private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

// Columns with a header line; columns marked right-aligned hold numbers.
class Table {
  public:
    struct Column {
        std::string header;
        bool right = false;
    };
    explicit Table(std::vector<Column> columns);
    void add(std::vector<std::string> cells);
    void print() const;
    bool empty() const { return rows_.empty(); }

  private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

std::string format_bytes(uint64_t bytes);         // "12.3 MiB"
std::string format_duration(uint64_t seconds);    // "1 h 5 min", "3 min 20 s", "45 s"
std::string format_timestamp(uint64_t usec);      // "Thu 2026-01-01 00:00:01 UTC", "" for 0
std::string format_clock(uint64_t usec);          // "00:00:01" (local time)
std::string format_percent(double fraction);      // "45%"
std::string yes_no(bool b);

bool stdout_is_tty();

// "Could not <action>: <message>" and a "Hint:" line on stderr, or
// {"Error":{"Name":..,"Message":..}} on stdout in JSON mode.
void print_failure(const Failure& f, std::string_view action, JsonMode mode);

} // namespace ferryctl
