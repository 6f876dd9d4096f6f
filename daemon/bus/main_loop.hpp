// ferryd's main loop: sd-event with the sd-bus connection of sdbus-c++
// attached (sdbus-c++ 1.2 has no attachSdEventLoop, so its poll data is fed
// to sd-event before every iteration), the watchdog (sd_event_set_watchdog
// pings WATCHDOG=1 at half of WatchdogSec from the loop itself, so a hung
// loop is noticed), SIGTERM/SIGINT, and a queue for work posted by worker
// threads so that every bus message is sent from this thread.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <sdbus-c++/IConnection.h>
#include <systemd/sd-event.h>

#include "system/fd.hpp"

namespace ferry::bus {

class MainLoop {
  public:
    MainLoop();
    ~MainLoop();
    MainLoop(const MainLoop&) = delete;
    MainLoop& operator=(const MainLoop&) = delete;

    void attach(sdbus::IConnection& connection);
    // Thread-safe: runs `task` on the loop thread.
    void post(std::function<void()> task);
    int run();
    void quit(int code);

  private:
    static int on_bus_io(sd_event_source*, int, uint32_t, void*);
    static int on_bus_time(sd_event_source*, uint64_t, void*);
    static int on_bus_prepare(sd_event_source*, void*);
    static int on_posted(sd_event_source*, int, uint32_t, void*);
    static int on_signal(sd_event_source*, const struct signalfd_siginfo*, void*);
    void dispatch_bus();

    sd_event* event_ = nullptr;
    sdbus::IConnection* connection_ = nullptr;
    sd_event_source* bus_io_ = nullptr;
    sd_event_source* bus_time_ = nullptr;
    local::Fd wake_fd_;
    std::mutex mutex_;
    std::deque<std::function<void()>> posted_;
};

} // namespace ferry::bus
