#include "password.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "errors.hpp"
#include "i18n.hpp"

namespace ferryctl {
namespace {

// One page: room for kMaxLength bytes, "\r\n" and one byte to detect overflow.
constexpr std::size_t kPage = 4096;
static_assert(Secret::kMaxLength + 3 <= kPage);

// The terminal state to restore from a signal handler (async-signal-safe:
// only tcsetattr, signal and raise).
int g_tty_fd = -1;
struct termios g_saved_termios {};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_old_actions[std::size(kSignals)];

extern "C" void restore_tty_and_reraise(int sig)
{
    if (g_tty_fd >= 0)
        tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
    signal(sig, SIG_DFL);
    raise(sig);
}

void install_restore_handlers()
{
    struct sigaction sa {};
    sa.sa_handler = restore_tty_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
        sigaction(kSignals[i], &sa, &g_old_actions[i]);
}

void remove_restore_handlers()
{
    for (std::size_t i = 0; i < std::size(kSignals); ++i)
        sigaction(kSignals[i], &g_old_actions[i], nullptr);
}

Failure too_long()
{
    return Failure("System.Error.E2BIG",
                   cformat(_("The Admin password is longer than %zu bytes."),
                           static_cast<std::size_t>(Secret::kMaxLength)),
                   kExitFailure);
}

// Cuts the buffer at the first newline (and a "\r" before it).
std::size_t first_line_length(const char* buf, std::size_t len)
{
    const void* nl = std::memchr(buf, '\n', len);
    std::size_t n = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buf) : len;
    if (n > 0 && buf[n - 1] == '\r')
        --n;
    return n;
}

} // namespace

Secret::Secret()
{
    void* p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw errno_failure(errno, _("Cannot allocate the password buffer"));
    // Best effort: keep it out of swap and core dumps.
    (void)mlock(p, kPage);
    (void)madvise(p, kPage, MADV_DONTDUMP);
    buf_ = static_cast<char*>(p);
    cap_ = kPage;
}

Secret::~Secret()
{
    if (!buf_)
        return;
    explicit_bzero(buf_, cap_);
    munlock(buf_, cap_);
    munmap(buf_, cap_);
}

Secret::Secret(Secret&& other) noexcept : buf_(other.buf_), cap_(other.cap_), len_(other.len_)
{
    other.buf_ = nullptr;
    other.cap_ = other.len_ = 0;
}

Secret read_password_file(const std::string& path)
{
    int fd = STDIN_FILENO;
    if (path != "-") {
        fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            throw errno_failure(errno,
                                cformat(_("Cannot open the password file '%s'"), path.c_str()));
        struct stat st {};
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            throw errno_failure(EISDIR,
                                cformat(_("Cannot read the password file '%s'"), path.c_str()));
        }
    }
    Secret s;
    // Read until the first newline or EOF; never more than the page.
    std::size_t len = 0;
    const std::size_t limit = Secret::kMaxLength + 3;
    while (len < limit && !std::memchr(s.buf_, '\n', len)) {
        const ssize_t n = read(fd, s.buf_ + len, limit - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            if (fd != STDIN_FILENO)
                close(fd);
            throw errno_failure(err,
                                cformat(_("Cannot read the password from '%s'"), path.c_str()));
        }
        if (n == 0)
            break;
        len += static_cast<std::size_t>(n);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    s.len_ = first_line_length(s.buf_, len);
    // Wipe what followed the password (the newline, a second line).
    explicit_bzero(s.buf_ + s.len_, s.cap_ - s.len_);
    if (s.len_ > Secret::kMaxLength)
        throw too_long();
    return s;
}

Secret read_password_tty(const std::string& prompt)
{
    const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw UsageError(_("No terminal to read the Admin password from; use "
                           "--password-file=PATH (- for stdin)."));
    struct termios old {};
    if (tcgetattr(fd, &old) < 0) {
        close(fd);
        throw UsageError(_("Cannot read a password from this terminal; use --password-file=PATH."));
    }
    (void)!write(fd, prompt.data(), prompt.size());

    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK);
    quiet.c_lflag |= ECHONL | ICANON;
    g_saved_termios = old;
    g_tty_fd = fd;
    install_restore_handlers();
    tcsetattr(fd, TCSAFLUSH, &quiet);

    Secret s;
    std::size_t len = 0;
    bool overflow = false;
    int err = 0;
    for (;;) {
        char c;
        const ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0 || c == '\n')
            break;
        if (len < Secret::kMaxLength + 1)
            s.buf_[len++] = c;
        else
            overflow = true; // keep reading to the end of the line
        c = 0;
    }
    tcsetattr(fd, TCSAFLUSH, &old);
    remove_restore_handlers();
    g_tty_fd = -1;
    close(fd);

    if (err)
        throw errno_failure(err, _("Cannot read the password from the terminal"));
    s.len_ = first_line_length(s.buf_, len);
    if (overflow || s.len_ > Secret::kMaxLength)
        throw too_long();
    return s;
}

void wipe(std::string& s)
{
    explicit_bzero(s.data(), s.size());
    s.clear();
}

} // namespace ferryctl
