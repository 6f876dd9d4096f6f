// SPDX-License-Identifier: LGPL-2.1-or-later
// dbus-reader: what a front end sees while ferryd works. Reads ferryd's
// properties on the system bus (DBUS_SYSTEM_BUS_ADDRESS) in a loop, one
// call at a time, and writes one line per call:
//
//     <CLOCK_REALTIME µs at the call> <kind> <latency µs> <ok 1|0> <CLOCK_MONOTONIC µs>
//
// (the monotonic time matches `perf record -k CLOCK_MONOTONIC` traces)
// kinds, in turn: 0 manager Get(State), 1 job Get(Progress), 2 job
// Get(Operations), 3 job GetAll(org.ferry.Migration1.Job), 4 manager
// Get(Job) (the job path is re-read every 50 calls; before a job exists
// only kinds 0 and 4 are made).
//
//     dbus-reader OUT_FILE [INTERVAL_MS]   (default 20 ms between calls)
//
// Ends on SIGTERM/SIGINT, flushing OUT_FILE.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static long long now_us(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static const char* kName = "org.ferry.Migration1";
static const char* kManager = "/org/ferry/Migration1";

static int call(sd_bus* bus, const char* path, const char* method, const char* iface, const char* prop,
                sd_bus_message** reply)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r;
    if (prop)
        r = sd_bus_call_method(bus, kName, path, "org.freedesktop.DBus.Properties", method, &err, reply, "ss",
                               iface, prop);
    else
        r = sd_bus_call_method(bus, kName, path, "org.freedesktop.DBus.Properties", method, &err, reply, "s",
                               iface);
    sd_bus_error_free(&err);
    return r;
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dbus-reader OUT_FILE [INTERVAL_MS]\n");
        return 2;
    }
    const long interval_ms = argc > 2 ? atol(argv[2]) : 20;
    FILE* out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    sd_bus* bus = NULL;
    int r = sd_bus_open_system(&bus);
    if (r < 0) {
        fprintf(stderr, "dbus-reader: cannot connect to the system bus: %s\n", strerror(-r));
        return 1;
    }
    char job[256] = "/";
    unsigned long n = 0;
    while (!stop) {
        int kind;
        if (n % 50 == 0)
            kind = 4;
        else if (strcmp(job, "/") == 0)
            kind = 0;
        else
            kind = (int)(n % 4);
        const long long t_real = now_us(CLOCK_REALTIME);
        const long long t0 = now_us(CLOCK_MONOTONIC);
        sd_bus_message* reply = NULL;
        switch (kind) {
        case 0: r = call(bus, kManager, "Get", "org.ferry.Migration1", "State", &reply); break;
        case 1: r = call(bus, job, "Get", "org.ferry.Migration1.Job", "Progress", &reply); break;
        case 2: r = call(bus, job, "Get", "org.ferry.Migration1.Job", "Operations", &reply); break;
        case 3: r = call(bus, job, "GetAll", "org.ferry.Migration1.Job", NULL, &reply); break;
        default: r = call(bus, kManager, "Get", "org.ferry.Migration1", "Job", &reply); break;
        }
        const long long lat = now_us(CLOCK_MONOTONIC) - t0;
        if (r >= 0 && kind == 4) {
            const char* p = NULL;
            if (sd_bus_message_enter_container(reply, 'v', "o") >= 0 &&
                sd_bus_message_read(reply, "o", &p) >= 0 && p)
                snprintf(job, sizeof job, "%s", p);
        }
        sd_bus_message_unref(reply);
        fprintf(out, "%lld %d %lld %d %lld\n", t_real, kind, lat, r >= 0 ? 1 : 0, t0);
        ++n;
        struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
        while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        }
    }
    fclose(out);
    sd_bus_unref(bus);
    return 0;
}
