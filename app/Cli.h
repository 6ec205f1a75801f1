#pragma once
// Command-line parsing for koan-mcp: mode selection and settings layered over appsettings.
#include "config/OptionsLoader.h"

#include <QStringList>

namespace koan {

struct CliCommand {
    enum Mode { Gui, Headless, Stdio, PrintConfig, Token, AuditVerify, AuditExport, ConsoleAttach, StoreCopy };
    Mode mode = Gui;
    OptionsSources sources;
    QString fixtures;      // optional fixture pack name (e.g. "conformance")
    bool jsonLogs = false; // --log-format json
    QStringList errors;    // usage errors
    struct TokenRequest {  // `koan-mcp token ...`
        QString subject;
        QStringList scopes;
        qint64 ttlSeconds = 3600;
        QString audience;
    } token;
    struct AuditRequest { // `koan-mcp audit verify|export ...`
        QString since;    // ISO 8601, UTC
        QString format = QStringLiteral("jsonl");
    } audit;
    struct StoreCopyRequest { // `koan-mcp store copy --from PATH.sqlite --to postgresql://...`
        QString from;
        QString to;
    } store;
    struct AttachRequest { // `koan-mcp console --attach URL ...`
        QString url;
        QString tokenFile; // empty: no token (a loopback server without authentication)
        QString caCertFile;
        bool check = false; // connect, print what was found, exit 0 or 1
    } attach;
};

// Parses argv (without QCoreApplication, so the mode can decide which application class to create).
CliCommand parseCommandLine(const QStringList &arguments, QString *helpText);

} // namespace koan
