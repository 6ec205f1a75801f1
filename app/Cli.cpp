#include "Cli.h"

#include "fixtures/FixturePacks.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>

namespace koan {

namespace {
// QCommandLineParser names the program after argv[0], or "<executable_name>" before a
// QCoreApplication exists (parsing comes first here): always say koan-mcp.
QString withProgramName(QString help, const QString &command = {})
{
    const QString name = command.isEmpty() ? QStringLiteral("koan-mcp") : QStringLiteral("koan-mcp ") + command;
    const qsizetype usage = help.indexOf(QLatin1String("Usage: "));
    if (usage >= 0) {
        const qsizetype from = usage + 7, to = help.indexOf(QLatin1Char(' '), from);
        help.replace(from, (to < 0 ? help.size() : to) - from, name);
    }
    return help;
}

// The subcommands, listed by `koan-mcp --help`.
const char kSubcommands[] = "\nSubcommands:\n"
                            "  token    Issue a development bearer token (Development only):\n"
                            "           koan-mcp token --sub NAME --scope \"a b\" --ttl 1h   (koan-mcp token --help)\n"
                            "  console  Open the console against a running --headless server over its admin API:\n"
                            "           koan-mcp console --attach https://host:port [--token-file F] [--cacert FILE] "
                            "[--check]   (koan-mcp console --help)\n"
                            "  audit    Check or export the audit trail of a store file:\n"
                            "           koan-mcp audit verify [--db PATH]\n"
                            "           koan-mcp audit export --since 2026-12-01T00:00:00Z --format jsonl|csv [--db "
                            "PATH]   (koan-mcp audit --help)\n"
                            "  store    Move a SQLite store into an empty PostgreSQL database, verified:\n"
                            "           koan-mcp store copy --from PATH.sqlite --to postgresql://user:pass@host/db\n";

// "90", "90s", "15m", "1h", "2d" -> seconds
qint64 parseTtl(const QString &text)
{
    static const QList<QPair<QChar, qint64>> units{
        {QLatin1Char('s'), 1}, {QLatin1Char('m'), 60}, {QLatin1Char('h'), 3600}, {QLatin1Char('d'), 86400}};
    qint64 factor = 1;
    QString number = text.trimmed();
    for (const auto &[unit, f] : units)
        if (number.endsWith(unit)) {
            factor = f;
            number.chop(1);
        }
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    return ok && n > 0 ? n * factor : -1;
}

CliCommand parseTokenCommand(QStringList arguments, QString *helpText)
{
    arguments.removeAt(1); // "token"
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Issue a development bearer token signed by the local dev issuer "
                                               "(Development only). Prints the JWT on stdout."));
    p.addHelpOption();
    const QCommandLineOption sub(QStringLiteral("sub"), QStringLiteral("Subject (user id)."),
                                 QStringLiteral("subject"));
    const QCommandLineOption scope(QStringLiteral("scope"), QStringLiteral("Space-separated scopes (repeatable)."),
                                   QStringLiteral("scopes"));
    const QCommandLineOption ttl(QStringLiteral("ttl"), QStringLiteral("Lifetime: 90s, 15m, 1h, 2d (default 1h)."),
                                 QStringLiteral("ttl"), QStringLiteral("1h"));
    const QCommandLineOption aud(QStringLiteral("aud"),
                                 QStringLiteral("Audience (default: Auth:Audience or this server's /mcp URL)."),
                                 QStringLiteral("uri"));
    const QCommandLineOption configDir(QStringLiteral("config-dir"),
                                       QStringLiteral("Directory with appsettings*.json."), QStringLiteral("dir"));
    const QCommandLineOption environment(QStringLiteral("environment"), QStringLiteral("Environment name."),
                                         QStringLiteral("name"));
    const QCommandLineOption set(QStringLiteral("set"), QStringLiteral("Setting override Key=Value (repeatable)."),
                                 QStringLiteral("key=value"));
    p.addOptions({sub, scope, ttl, aud, configDir, environment, set});
    CliCommand cmd;
    cmd.mode = CliCommand::Token;
    if (!p.parse(arguments)) {
        cmd.errors << p.errorText();
        return cmd;
    }
    if (p.isSet(QStringLiteral("help"))) {
        *helpText = withProgramName(p.helpText(), QStringLiteral("token"));
        return cmd;
    }
    cmd.token.subject = p.value(sub);
    if (cmd.token.subject.isEmpty())
        cmd.errors << QStringLiteral("--sub is required");
    for (const QString &s : p.values(scope))
        cmd.token.scopes += s.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    cmd.token.ttlSeconds = parseTtl(p.value(ttl));
    if (cmd.token.ttlSeconds <= 0)
        cmd.errors << QStringLiteral("--ttl %1: use a positive duration like 90s, 15m, 1h or 2d").arg(p.value(ttl));
    cmd.token.audience = p.value(aud);
    cmd.sources.configDir
        = p.value(configDir).isEmpty() ? cmd.sources.env.value(QStringLiteral("KOAN_CONFIG_DIR")) : p.value(configDir);
    cmd.sources.environment = p.value(environment);
    for (const QString &kv : p.values(set)) {
        const qsizetype eq = kv.indexOf(QLatin1Char('='));
        if (eq > 0)
            cmd.sources.cli.append({kv.left(eq).trimmed(), kv.mid(eq + 1)});
        else
            cmd.errors << QStringLiteral("--set %1: expected Key=Value").arg(kv);
    }
    return cmd;
}
} // namespace

CliCommand parseAuditCommand(QStringList arguments, QString *helpText)
{
    arguments.removeAt(1); // "audit"
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("verify: recompute every hash and chain link of the audit trail; exit 1 naming each edited, "
                       "removed or reordered row.\n"
                       "export: write the trail from --since on to stdout (JSON Lines or CSV)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("verify or export"));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("SQLite file (default: Koan:Mcp:DatabasePath)."),
                                QStringLiteral("path"));
    const QCommandLineOption databaseUrl(
        QStringLiteral("database-url"),
        QStringLiteral("PostgreSQL store, postgresql://user:password@host:port/database (Koan:Mcp:DatabaseUrl)."),
        QStringLiteral("url"));
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("export: first instant, ISO 8601 (e.g. 2026-12-01T00:00:00Z)."),
                                   QStringLiteral("time"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("export: jsonl (default) or csv."),
                                    QStringLiteral("format"), QStringLiteral("jsonl"));
    const QCommandLineOption configDir(QStringLiteral("config-dir"),
                                       QStringLiteral("Directory with appsettings*.json."), QStringLiteral("dir"));
    const QCommandLineOption environment(QStringLiteral("environment"), QStringLiteral("Environment name."),
                                         QStringLiteral("name"));
    p.addOptions({db, databaseUrl, since, format, configDir, environment});
    CliCommand cmd;
    if (!p.parse(arguments)) {
        cmd.errors << p.errorText();
        return cmd;
    }
    if (p.isSet(QStringLiteral("help"))) {
        *helpText = withProgramName(p.helpText(), QStringLiteral("audit"));
        return cmd;
    }
    const QString action = p.positionalArguments().value(0);
    if (action == QLatin1String("verify"))
        cmd.mode = CliCommand::AuditVerify;
    else if (action == QLatin1String("export"))
        cmd.mode = CliCommand::AuditExport;
    else
        cmd.errors << QStringLiteral("koan-mcp audit: expected verify or export, got '%1'").arg(action);
    if (cmd.mode == CliCommand::AuditExport) {
        const QDateTime t = QDateTime::fromString(p.value(since), Qt::ISODateWithMs);
        if (!p.isSet(since) || !t.isValid())
            cmd.errors << QStringLiteral("--since: an ISO 8601 time is required, e.g. 2026-12-01T00:00:00Z");
        else // rows store UTC with microseconds: compare in the same form
            cmd.audit.since = t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QStringLiteral("000Z");
        cmd.audit.format = p.value(format);
        if (cmd.audit.format != QLatin1String("jsonl") && cmd.audit.format != QLatin1String("csv"))
            cmd.errors << QStringLiteral("--format: jsonl or csv, got '%1'").arg(cmd.audit.format);
    }
    cmd.sources.configDir
        = p.value(configDir).isEmpty() ? cmd.sources.env.value(QStringLiteral("KOAN_CONFIG_DIR")) : p.value(configDir);
    cmd.sources.environment = p.value(environment);
    if (p.isSet(db))
        cmd.sources.cli.append({QStringLiteral("DatabasePath"), p.value(db)});
    if (p.isSet(databaseUrl))
        cmd.sources.cli.append({QStringLiteral("DatabaseUrl"), p.value(databaseUrl)});
    return cmd;
}

CliCommand parseStoreCommand(QStringList arguments, QString *helpText)
{
    arguments.removeAt(1); // "store"
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("copy: move a SQLite store (records, versions, idempotency keys, tasks, the audit trail) into "
                       "an empty PostgreSQL database in one transaction, then verify it (row counts, audit chain)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("copy"));
    const QCommandLineOption from(QStringLiteral("from"), QStringLiteral("The SQLite file to copy."),
                                  QStringLiteral("path"));
    const QCommandLineOption to(
        QStringLiteral("to"), QStringLiteral("The empty PostgreSQL database: postgresql://user:password@host:port/db."),
        QStringLiteral("url"));
    p.addOptions({from, to});
    CliCommand cmd;
    cmd.mode = CliCommand::StoreCopy;
    if (!p.parse(arguments)) {
        cmd.errors << p.errorText();
        return cmd;
    }
    if (p.isSet(QStringLiteral("help"))) {
        *helpText = withProgramName(p.helpText(), QStringLiteral("store"));
        return cmd;
    }
    if (p.positionalArguments() != QStringList{QStringLiteral("copy")})
        cmd.errors << QStringLiteral("koan-mcp store: expected copy, got '%1'")
                          .arg(p.positionalArguments().join(QLatin1Char(' ')));
    cmd.store.from = p.value(from);
    cmd.store.to = p.value(to);
    if (cmd.store.from.isEmpty() || cmd.store.to.isEmpty())
        cmd.errors << QStringLiteral("koan-mcp store copy: --from PATH.sqlite and --to postgresql://... are required");
    return cmd;
}

CliCommand parseConsoleCommand(QStringList arguments, QString *helpText)
{
    arguments.removeAt(1); // "console"
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Open the console against a running koan-mcp --headless server over its admin API (scope koan:admin).\n"
        "TLS is verified; plain http:// only for a loopback server. Without --token-file no token is sent,\n"
        "which only a loopback server with authentication off accepts."));
    p.addHelpOption();
    const QCommandLineOption attach(QStringLiteral("attach"),
                                    QStringLiteral("The server's base URL, e.g. https://host:5114."),
                                    QStringLiteral("url"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       QStringLiteral("File holding the bearer token (scope koan:admin)."),
                                       QStringLiteral("file"));
    const QCommandLineOption cacert(QStringLiteral("cacert"),
                                    QStringLiteral("PEM file of the CA (or certificate) to trust beside the system's."),
                                    QStringLiteral("file"));
    const QCommandLineOption check(QStringLiteral("check"),
                                   QStringLiteral("Connect, print the server, version, sessions and the event stream's "
                                                  "first event, then exit 0 (or 1 with the reason)."));
    p.addOptions({attach, tokenFile, cacert, check});
    CliCommand cmd;
    cmd.mode = CliCommand::ConsoleAttach;
    if (!p.parse(arguments)) {
        cmd.errors << p.errorText();
        return cmd;
    }
    if (p.isSet(QStringLiteral("help"))) {
        *helpText = withProgramName(p.helpText(), QStringLiteral("console"));
        return cmd;
    }
    cmd.attach.url = p.value(attach);
    if (cmd.attach.url.isEmpty())
        cmd.errors << QStringLiteral(
            "console: --attach URL is required (the local console: koan-mcp without a mode flag)");
    cmd.attach.tokenFile = p.value(tokenFile);
    cmd.attach.caCertFile = p.value(cacert);
    cmd.attach.check = p.isSet(check);
    if (!p.positionalArguments().isEmpty())
        cmd.errors << QStringLiteral("unexpected argument(s): %1").arg(p.positionalArguments().join(QLatin1Char(' ')));
    return cmd;
}

CliCommand parseCommandLine(const QStringList &arguments, QString *helpText)
{
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("console"))
        return parseConsoleCommand(arguments, helpText);
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("token"))
        return parseTokenCommand(arguments, helpText);
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("audit"))
        return parseAuditCommand(arguments, helpText);
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("store"))
        return parseStoreCommand(arguments, helpText);
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Koan MCP console: an MCP server for the S12.MedTrials sample with an admin GUI.\n"
                       "Without a mode flag the GUI opens (headless when no display is available)."));
    p.addHelpOption();
    p.addVersionOption();
    const QCommandLineOption stdio(QStringLiteral("stdio"),
                                   QStringLiteral("Serve MCP over stdin/stdout (logs on stderr)."));
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run the server without the GUI."));
    const QCommandLineOption printConfig(QStringLiteral("print-config"),
                                         QStringLiteral("Print the effective settings as JSON and exit."));
    const QCommandLineOption configDir(
        QStringLiteral("config-dir"),
        QStringLiteral("Directory with appsettings*.json (default: KOAN_CONFIG_DIR or the current directory)."),
        QStringLiteral("dir"));
    const QCommandLineOption environment(QStringLiteral("environment"),
                                         QStringLiteral("Environment name (default: KOAN_ENVIRONMENT or Development)."),
                                         QStringLiteral("name"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("HTTP port (Koan:Mcp:Port)."),
                                  QStringLiteral("n"));
    const QCommandLineOption bind(QStringLiteral("bind"), QStringLiteral("Bind address (Koan:Mcp:BindAddress)."),
                                  QStringLiteral("addr"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("SQLite file, or :memory: (Koan:Mcp:DatabasePath)."),
                                QStringLiteral("path"));
    const QCommandLineOption databaseUrl(
        QStringLiteral("database-url"),
        QStringLiteral("PostgreSQL store instead of SQLite: postgresql://user:password@host:port/database "
                       "(Koan:Mcp:DatabaseUrl)."),
        QStringLiteral("url"));
    const QCommandLineOption set(
        QStringLiteral("set"),
        QStringLiteral(
            "Any setting under Koan:Mcp, e.g. --set EntityOverrides:TrialSite:AllowMutations=false (repeatable)."),
        QStringLiteral("key=value"));
    const QCommandLineOption fixtures(QStringLiteral("fixtures"),
                                      QStringLiteral("Load a test fixture pack (conformance) beside the S12 tools."),
                                      QStringLiteral("pack"));
    const QCommandLineOption logFormat(QStringLiteral("log-format"),
                                       QStringLiteral("Log format on stderr: plain (default) or json."),
                                       QStringLiteral("format"), QStringLiteral("plain"));
    p.addOptions(
        {stdio, headless, printConfig, configDir, environment, port, bind, db, databaseUrl, set, fixtures, logFormat});

    CliCommand cmd;
    if (!p.parse(arguments)) {
        cmd.errors << p.errorText();
        return cmd;
    }
    if (p.isSet(QStringLiteral("help")) || p.isSet(QStringLiteral("version"))) {
        *helpText = p.isSet(QStringLiteral("help"))
                        ? withProgramName(p.helpText()) + QLatin1String(kSubcommands)
                        : QStringLiteral("koan-mcp %1\n").arg(QStringLiteral(KOAN_MCP_VERSION));
        return cmd;
    }
    if (int(p.isSet(stdio)) + int(p.isSet(headless)) + int(p.isSet(printConfig)) > 1)
        cmd.errors << QStringLiteral("--stdio, --headless and --print-config are mutually exclusive");
    if (p.isSet(stdio))
        cmd.mode = CliCommand::Stdio;
    else if (p.isSet(headless))
        cmd.mode = CliCommand::Headless;
    else if (p.isSet(printConfig))
        cmd.mode = CliCommand::PrintConfig;

    QString dir = p.value(configDir);
    if (dir.isEmpty())
        dir = cmd.sources.env.value(QStringLiteral("KOAN_CONFIG_DIR"));
    cmd.sources.configDir = dir;
    cmd.sources.environment = p.value(environment);
    if (p.isSet(port))
        cmd.sources.cli.append({QStringLiteral("Port"), p.value(port)});
    if (p.isSet(bind))
        cmd.sources.cli.append({QStringLiteral("BindAddress"), p.value(bind)});
    if (p.isSet(db))
        cmd.sources.cli.append({QStringLiteral("DatabasePath"), p.value(db)});
    if (p.isSet(databaseUrl))
        cmd.sources.cli.append({QStringLiteral("DatabaseUrl"), p.value(databaseUrl)});
    for (const QString &kv : p.values(set)) {
        const qsizetype eq = kv.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            cmd.errors << QStringLiteral("--set %1: expected Key=Value").arg(kv);
            continue;
        }
        QString key = kv.left(eq).trimmed();
        if (key.startsWith(QLatin1String("Koan:Mcp:"), Qt::CaseInsensitive))
            key = key.mid(9);
        cmd.sources.cli.append({key, kv.mid(eq + 1)});
    }
    cmd.fixtures = p.value(fixtures);
    if (p.value(logFormat) != QLatin1String("plain") && p.value(logFormat) != QLatin1String("json"))
        cmd.errors << QStringLiteral("--log-format %1: use plain or json").arg(p.value(logFormat));
    cmd.jsonLogs = p.value(logFormat) == QLatin1String("json");
    if (!cmd.fixtures.isEmpty() && !koan::fixtures::available().contains(cmd.fixtures))
        cmd.errors << QStringLiteral("--fixtures %1: unknown pack (available: %2)")
                          .arg(cmd.fixtures, koan::fixtures::available().join(QLatin1String(", ")));
    if (!p.positionalArguments().isEmpty())
        cmd.errors << QStringLiteral("unexpected argument(s): %1").arg(p.positionalArguments().join(QLatin1Char(' ')));
    return cmd;
}

} // namespace koan
