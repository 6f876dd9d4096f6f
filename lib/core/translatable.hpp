// ferryd speaks English, as systemd's daemons do: a D-Bus reply has no
// caller's language. Its fixed sentences that a front end shows as they are
// (an option's reason, a pre-flight check's title, an operation's
// condition and detail in the plan) are marked N_() so that tools/update-po puts
// them into the "ferry" catalog; ferryctl and the Cockpit page look the
// English sentence up there and show the translation (po/README.md). A
// sentence with values in it is not marked: it stays English.
#pragma once

#ifndef N_
#define N_(s) s
#endif
