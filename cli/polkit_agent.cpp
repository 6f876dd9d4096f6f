#include "polkit_agent.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ferryctl {
namespace {
constexpr int kRegisterTimeoutMs = 5000; // pkttyagent signals registration by closing the fd
}

PolkitAgent::PolkitAgent(bool interactive)
{
    if (!interactive || geteuid() == 0 || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return;
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        // The notify fd must survive exec: a copy without O_CLOEXEC.
        const int notify = fcntl(fds[1], F_DUPFD, 3);
        if (notify < 0)
            _exit(127);
        const std::string fd = std::to_string(notify);
        execlp("pkttyagent", "pkttyagent", "--notify-fd", fd.c_str(), "--fallback",
               static_cast<char*>(nullptr));
        _exit(127); // not installed: the call goes on without an agent
    }
    close(fds[1]);
    pid_ = pid;
    pollfd p{fds[0], POLLIN, 0};
    while (poll(&p, 1, kRegisterTimeoutMs) < 0 && errno == EINTR) {
    }
    close(fds[0]);
}

PolkitAgent::~PolkitAgent()
{
    if (pid_ <= 0)
        return;
    kill(pid_, SIGTERM);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

} // namespace ferryctl
