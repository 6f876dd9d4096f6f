// The source's Admin password for probe: read from the terminal with echo
// off (termios) or from a file / stdin, never from the command line. It
// lives only in a locked page that is wiped when the Secret goes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ferryctl {

class Secret {
  public:
    static constexpr std::size_t kMaxLength = 1024; // ferryd refuses longer passwords

    Secret();
    ~Secret();
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&&) = delete;

    std::string_view view() const { return {buf_, len_}; }
    bool empty() const { return len_ == 0; }

  private:
    friend Secret read_password_file(const std::string& path);
    friend Secret read_password_tty(const std::string& prompt);

    char* buf_ = nullptr;
    std::size_t cap_ = 0;
    std::size_t len_ = 0;
};

// The first line of PATH ("-" for stdin); a trailing "\r\n" or "\n" is not
// part of the password. Failure on I/O errors or a line over kMaxLength.
Secret read_password_file(const std::string& path);

// Prompts on /dev/tty and reads one line with echo off; the terminal is
// restored on return and on SIGINT/SIGTERM/SIGHUP/SIGQUIT. Throws
// UsageError when there is no terminal.
Secret read_password_tty(const std::string& prompt);

// Overwrites a std::string's characters (for the copy handed to sdbus-c++).
void wipe(std::string& s);

} // namespace ferryctl
