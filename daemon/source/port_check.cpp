#include "source/port_check.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "system/fd.hpp"

namespace ferry::source {
namespace {

struct Probe {
    core::PortCheck result;
    local::Fd fd;
    bool pending = false;
};

int64_t now_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void start_connect(Probe& p, const core::Address& a)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (a.ipv6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(p.result.port);
        inet_pton(AF_INET6, a.text.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(p.result.port);
        inet_pton(AF_INET, a.text.c_str(), &s4->sin_addr);
        len = sizeof *s4;
    }
    p.fd = local::Fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!p.fd) {
        p.result.detail = std::strerror(errno);
        return;
    }
    if (::connect(p.fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) {
        p.result.open = true;
    } else if (errno == EINPROGRESS) {
        p.pending = true;
    } else {
        p.result.detail = std::strerror(errno);
    }
}

} // namespace

std::vector<core::PortCheck> check_ports(const core::Address& address,
                                         std::chrono::milliseconds timeout)
{
    Probe probes[3];
    const std::pair<uint16_t, const char*> ports[3] = {{80, "HTTP"}, {443, "HTTPS"}, {3306, "MariaDB"}};
    for (int i = 0; i < 3; ++i) {
        probes[i].result.port = ports[i].first;
        probes[i].result.service = ports[i].second;
        start_connect(probes[i], address);
    }

    const int64_t deadline = now_ms() + timeout.count();
    for (;;) {
        pollfd pfds[3];
        int map[3];
        nfds_t n = 0;
        for (int i = 0; i < 3; ++i)
            if (probes[i].pending) {
                pfds[n] = pollfd{probes[i].fd.get(), POLLOUT, 0};
                map[n++] = i;
            }
        const int64_t left = deadline - now_ms();
        if (n == 0 || left <= 0)
            break;
        const int r = ::poll(pfds, n, static_cast<int>(left));
        if (r < 0 && errno != EINTR)
            break;
        for (nfds_t k = 0; r > 0 && k < n; ++k) {
            if (!pfds[k].revents)
                continue;
            Probe& p = probes[map[k]];
            int err = 0;
            socklen_t elen = sizeof err;
            getsockopt(p.fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
            p.pending = false;
            p.result.open = err == 0;
            if (err)
                p.result.detail = std::strerror(err);
        }
    }

    std::vector<core::PortCheck> out;
    for (auto& p : probes) {
        if (p.pending)
            p.result.detail = "no answer within " + std::to_string(timeout.count() / 1000.0).substr(0, 4) + " s";
        for (auto& c : p.result.detail)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.push_back(p.result);
    }
    return out;
}

} // namespace ferry::source
