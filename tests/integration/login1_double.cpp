// TEST DOUBLE of systemd-logind's manager interface (org.freedesktop.login1)
// for the one-machine rig. There is no logind here (no systemd as PID 1),
// and a real Reboot() would take the whole test machine down with both
// "appliances" on it, so the rig cannot reboot for real: this double owns
// org.freedesktop.login1 on the rig's private system bus and implements
// only what ferry calls, CanReboot() -> "yes" (or --can-reboot=VALUE) and
// Reboot(b interactive), which reboots nothing: it appends
//   Reboot interactive=<0|1> pid=<caller pid> sender=<unique name>
// to the --record file (--fail: answer Reboot with an AccessDenied error
// instead). The test reads the record to see that both sides (ferryd on the
// target, ferry-peer on the source) asked, then plays the reboot itself
// (tests/integration/migration-swap.sh). The container rig
// (tests/containers) proves the real reboot through the real logind.
#include <cstdio>
#include <fstream>
#include <sdbus-c++/sdbus-c++.h>
#include <string>

int main(int argc, char** argv)
{
    std::string record = "/dev/null";
    std::string can_reboot = "yes";
    bool fail = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--record=", 0) == 0)
            record = a.substr(9);
        else if (a.rfind("--can-reboot=", 0) == 0)
            can_reboot = a.substr(13);
        else if (a == "--fail")
            fail = true;
    }
    auto conn = sdbus::createSystemBusConnection();
    auto obj = sdbus::createObject(*conn, "/org/freedesktop/login1");
    const char* iface = "org.freedesktop.login1.Manager";
    obj->registerMethod("CanReboot")
        .onInterface(iface)
        .withOutputParamNames("result")
        .implementedAs([&] { return can_reboot; });
    obj->registerMethod("Reboot")
        .onInterface(iface)
        .withInputParamNames("interactive")
        .implementedAs([&](bool interactive) {
            const auto msg = obj->getCurrentlyProcessedMessage();
            pid_t pid = 0;
            try {
                pid = msg->getCredsPid();
            } catch (const sdbus::Error&) {
            }
            std::ofstream(record, std::ios::app)
                << "Reboot interactive=" << (interactive ? 1 : 0) << " pid=" << pid
                << " sender=" << msg->getSender() << (fail ? " refused" : "") << "\n";
            if (fail)
                throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied",
                                   "Rebooting is refused by the test double (--fail).");
        });
    obj->finishRegistration();
    conn->requestName("org.freedesktop.login1");
    std::printf("login1 test double ready\n");
    std::fflush(stdout);
    conn->enterEventLoop();
}
