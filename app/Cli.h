#pragma once
// Command-line parsing for koan-mcp: mode selection and settings layered over appsettings.
#include "config/OptionsLoader.h"

#include <QStringList>

namespace koan {

struct CliCommand {
    enum Mode { Gui, Headless, Stdio, PrintConfig };
    Mode mode = Gui;
    OptionsSources sources;
    QString fixtures;          // optional fixture pack name (e.g. "conformance")
    QStringList errors;        // usage errors
};

// Parses argv (without QCoreApplication, so the mode can decide which application class to create).
CliCommand parseCommandLine(const QStringList &arguments, QString *helpText);

} // namespace koan
