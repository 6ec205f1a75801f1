#pragma once
// `koan-mcp console --attach URL [--token-file F] [--cacert FILE] [--check]`: the console against
// a running headless server over its admin API (RemoteConsoleLink), or with --check a one-shot
// probe for scripts: what it found on stdout and exit 0, or the reason on stderr and exit 1.
#include "Cli.h"

namespace koan {

class AttachCommand
{
public:
    // Needs a QCoreApplication (--check) or a QApplication (the window).
    static int run(const CliCommand::AttachRequest &request);
};

} // namespace koan
