// A polkit text agent for interactive authorization, as systemd's tools
// start one: pkttyagent runs while a call that may ask for authentication
// is in flight. Only when interactive, on a terminal, and not as root
// (ferryd authorizes root without asking polkit).
#pragma once

#include <sys/types.h>

namespace ferryctl {

class PolkitAgent {
  public:
    explicit PolkitAgent(bool interactive);
    ~PolkitAgent();
    PolkitAgent(const PolkitAgent&) = delete;
    PolkitAgent& operator=(const PolkitAgent&) = delete;

  private:
    pid_t pid_ = -1;
};

} // namespace ferryctl
