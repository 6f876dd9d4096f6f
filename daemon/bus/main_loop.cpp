#include "bus/main_loop.hpp"

#include <csignal>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <poll.h>

namespace ferry::bus {
namespace {

void check(int r, const char* what)
{
    if (r < 0)
        throw std::runtime_error(std::string(what) + ": " + std::to_string(-r));
}

} // namespace

MainLoop::MainLoop()
{
    check(sd_event_default(&event_), "sd_event_default");
    check(sd_event_set_watchdog(event_, true), "sd_event_set_watchdog");
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    check(sigprocmask(SIG_BLOCK, &ss, nullptr) < 0 ? -errno : 0, "sigprocmask");
    check(sd_event_add_signal(event_, nullptr, SIGTERM, &MainLoop::on_signal, this), "SIGTERM");
    check(sd_event_add_signal(event_, nullptr, SIGINT, &MainLoop::on_signal, this), "SIGINT");
    wake_fd_ = local::Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_fd_)
        throw std::runtime_error("eventfd");
    check(sd_event_add_io(event_, nullptr, wake_fd_.get(), EPOLLIN, &MainLoop::on_posted, this),
          "eventfd source");
}

MainLoop::~MainLoop()
{
    sd_event_source_disable_unref(bus_io_);
    sd_event_source_disable_unref(bus_time_);
    sd_event_unref(event_);
}

void MainLoop::attach(sdbus::IConnection& connection)
{
    connection_ = &connection;
    const auto pd = connection.getEventLoopPollData();
    check(sd_event_add_io(event_, &bus_io_, pd.fd, 0, &MainLoop::on_bus_io, this), "bus io");
    check(sd_event_source_set_prepare(bus_io_, &MainLoop::on_bus_prepare), "bus prepare");
    check(sd_event_add_time(event_, &bus_time_, CLOCK_MONOTONIC, UINT64_MAX, 0,
                            &MainLoop::on_bus_time, this),
          "bus timer");
    check(sd_event_source_set_enabled(bus_time_, SD_EVENT_OFF), "bus timer");
}

void MainLoop::dispatch_bus()
{
    // Bounded: a flood of messages must not starve the watchdog or the
    // posted work; the prepare hook brings us back here at once.
    for (int i = 0; i < 64 && connection_->processPendingRequest(); ++i) {
    }
}

int MainLoop::on_bus_prepare(sd_event_source*, void* userdata)
{
    auto* self = static_cast<MainLoop*>(userdata);
    const auto pd = self->connection_->getEventLoopPollData();
    // Events: what sd-bus wants (POLLIN, POLLOUT when a write is queued).
    uint32_t ev = 0;
    if (pd.events & POLLIN)
        ev |= EPOLLIN;
    if (pd.events & POLLOUT)
        ev |= EPOLLOUT;
    sd_event_source_set_io_events(self->bus_io_, ev);
    if (pd.timeout_usec == UINT64_MAX) {
        sd_event_source_set_enabled(self->bus_time_, SD_EVENT_OFF);
    } else {
        sd_event_source_set_time(self->bus_time_, pd.timeout_usec);
        sd_event_source_set_enabled(self->bus_time_, SD_EVENT_ONESHOT);
    }
    return 0;
}

int MainLoop::on_bus_io(sd_event_source*, int, uint32_t, void* userdata)
{
    static_cast<MainLoop*>(userdata)->dispatch_bus();
    return 0;
}

int MainLoop::on_bus_time(sd_event_source*, uint64_t, void* userdata)
{
    static_cast<MainLoop*>(userdata)->dispatch_bus();
    return 0;
}

void MainLoop::post(std::function<void()> task)
{
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(task));
    }
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

int MainLoop::on_posted(sd_event_source*, int fd, uint32_t, void* userdata)
{
    auto* self = static_cast<MainLoop*>(userdata);
    uint64_t n;
    [[maybe_unused]] auto r = ::read(fd, &n, sizeof n);
    std::deque<std::function<void()>> tasks;
    {
        std::lock_guard lock(self->mutex_);
        tasks.swap(self->posted_);
    }
    for (auto& t : tasks)
        t();
    return 0;
}

int MainLoop::on_signal(sd_event_source* s, const struct signalfd_siginfo*, void*)
{
    return sd_event_exit(sd_event_source_get_event(s), 0);
}

int MainLoop::run() { return sd_event_loop(event_); }

void MainLoop::quit(int code) { sd_event_exit(event_, code); }

} // namespace ferry::bus
