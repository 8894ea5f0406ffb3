// Log lines for the journal: when stderr is the journal's stream (JOURNAL_STREAM names its device and
// inode, as systemd sets it for a service), the daemons' lines carry no timestamp (the journal adds
// its own) and start with a `<N>` syslog priority (sd-daemon(3)) that journald turns into the
// entry's priority: `<6>[collector] listening on ...`. Otherwise the usual spdlog lines.
#pragma once

#include <spdlog/sinks/sink.h>

namespace slamon::systemd {

// Whether stderr is the stream JOURNAL_STREAM ("DEVICE:INODE") names.
bool stderr_is_journal();

// Gives `sink` the journal's line format when stderr_is_journal(); otherwise leaves it as it is.
// Returns whether it did.
bool use_journal_format_if_journal(spdlog::sinks::sink& sink);

// The journal's line format, unconditionally: `<N>[LOGGER] MESSAGE`, N from the level (trace and
// debug 7, info 6, warn 4, error 3, critical 2).
void use_journal_format(spdlog::sinks::sink& sink);

}  // namespace slamon::systemd
