// koan-mcp: GUI console by default, --headless for servers, --stdio for local agents.
#include "AttachCommand.h"
#include "AuditCommands.h"
#include "StoreCommands.h"
#include "Cli.h"
#include "logging/LogSink.h"
#include "SignalWatcher.h"
#include "McpServer.h"
#include "ServerHost.h"
#include "config/OptionsLoader.h"
#include "core/RpcBridge.h"
#include "fixtures/FixturePacks.h"
#include "s12/S12MedTrials.h"
#include "security/BearerAuthenticator.h"
#include "security/DevTokenIssuer.h"
#include "transport/StdioTransport.h"
#include "MainWindow.h"
#include "Translations.h"
#include "admin/AdminController.h"
#include "console/InProcessConsoleLink.h"
#include "sessions/SessionManager.h"

#include <QApplication>
#include <QDir>
#include <QLocale>
#include <QStandardPaths>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <cstdio>
#include <memory>

Q_LOGGING_CATEGORY(lcApp, "koan.app")

namespace {
bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

// Fatal errors follow --log-format: one JSON line (level "fatal", "problems") or plain text.
int fail(const QString &title, const QStringList &problems)
{
    koan::LogSink::fatal(title, problems);
    return 2;
}

int issueDevToken(const koan::McpServerOptions &options, const koan::CliCommand::TokenRequest &request)
{
    if (!options.effectiveDevIssuer())
        return fail(QStringLiteral("the dev token issuer is disabled"),
                    {QStringLiteral(
                         "it only runs in Development with Koan:Mcp:Auth:EnableDevIssuer not false (environment: %1)")
                         .arg(options.environment)});
    koan::DevTokenIssuer issuer;
    QString error;
    if (!issuer.loadOrCreate(options.auth.devIssuerKeyFile, &error))
        return fail(QStringLiteral("cannot load the dev issuer key"), {error});
    // The same resource URI the server accepts (wildcard bind addresses map to loopback).
    const QString audience = request.audience.isEmpty() ? options.resourceUri(options.port) : request.audience;
    fprintf(stdout, "%s\n", issuer.issue(request.subject, request.scopes, request.ttlSeconds, audience).constData());
    return 0;
}
// The commands that need the configuration but no running server.
std::optional<int> runOfflineCommand(const koan::CliCommand &cmd, const koan::McpServerOptions &options)
{
    switch (cmd.mode) {
    case koan::CliCommand::PrintConfig:
        fputs(QJsonDocument(options.toJson()).toJson().constData(), stdout);
        return 0;
    case koan::CliCommand::Token:
        return issueDevToken(options, cmd.token);
    case koan::CliCommand::StoreCopy:
        return koan::StoreCommands::copy(cmd.store.from, cmd.store.to);
    case koan::CliCommand::AuditVerify:
    case koan::CliCommand::AuditExport: {
        // DatabaseUrl (PostgreSQL) wins over DatabasePath, as for the server.
        const QString db = !options.databaseUrl.isEmpty()   ? options.databaseUrl
                           : options.databasePath.isEmpty() ? koan::McpServer::defaultDatabasePath()
                                                            : options.databasePath;
        return cmd.mode == koan::CliCommand::AuditVerify
                   ? koan::AuditCommands::verify(db)
                   : koan::AuditCommands::exportTrail(db, cmd.audit.since, cmd.audit.format);
    }
    default:
        return std::nullopt;
    }
}

void logStartup(const koan::McpServerOptions &options, const QStringList &layers)
{
    qCInfo(lcApp).noquote() << "environment" << options.environment << "| settings from"
                            << layers.join(QStringLiteral(", "));
    if (options.effectiveRequireAuthentication())
        qCInfo(lcApp).noquote()
            << QStringLiteral("AUTHENTICATION REQUIRED for HTTP callers (%1)").arg(options.environment);
    else
        qCWarning(lcApp).noquote()
            << QStringLiteral("AUTHENTICATION OFF: anonymous HTTP callers are accepted (%1)").arg(options.environment);
}

// STDIO for a local agent: the local owner, or the principal of KOAN_MCP_STDIO_TOKEN.
int runStdio(koan::ServerHost &host, const koan::McpServerOptions &options, QCoreApplication *app)
{
    if (!options.enableStdioTransport)
        return fail(QStringLiteral("STDIO is disabled"), {QStringLiteral("Koan:Mcp:EnableStdioTransport is false")});
    koan::McpServer *server = host.server();
    std::optional<koan::Principal> principal;
    QString problem;
    QStringList details;
    host.invoke([&] {
        principal = server->authenticator()->stdioPrincipal(qgetenv("KOAN_MCP_STDIO_TOKEN"), &problem, &details);
    });
    if (!principal)
        return fail(problem, details);
    koan::StdioTransport *stdio = nullptr;
    host.invoke([&] {
        stdio = new koan::StdioTransport(server->bridge(), options.maxRequestBodyBytes, server, *principal);
        QObject::connect(stdio, &koan::StdioTransport::finished, app, &QCoreApplication::quit, Qt::QueuedConnection);
        stdio->start();
    });
    // SIGTERM/SIGINT: leave the event loop, then answer the open listen requests before exiting.
    koan::SignalWatcher terminator;
    QObject::connect(&terminator, &koan::SignalWatcher::terminationRequested, app, [](int sig) {
        qCInfo(lcApp).noquote() << "signal" << sig << "received: shutting down";
        QCoreApplication::quit();
    });
    const int rc = app->exec();
    host.invoke([stdio] { stdio->endListens(); });
    return rc;
}

// Only the endpoints that are served: no metrics URL with Metrics:Enabled=false.
QString headlessBanner(const koan::McpServer *server, const koan::McpServerOptions &options)
{
    const QString base = server->baseUrl();
    QString banner = QStringLiteral("koan-mcp %1 headless | MCP (Streamable HTTP): %2 | HTTP+SSE: %3 | health: %4")
                         .arg(QStringLiteral(KOAN_MCP_VERSION), base + options.httpSseRoute,
                              base + options.httpSseRoute + QStringLiteral("/sse"), base + QStringLiteral("/healthz"));
    if (options.operations.metricsEnabled)
        banner += QStringLiteral(" | metrics: %1 (%2)")
                      .arg(base + options.operations.metricsPath, options.effectiveMetricsAccess());
    return banner;
}

// The console window over the server's AdminController, from snapshots taken on the server thread.
struct LocalConsole {
    std::unique_ptr<koan::InProcessConsoleLink> link;
    std::unique_ptr<koan::ui::MainWindow> window;
};
LocalConsole openConsole(koan::ServerHost &host, const QString &userOverrideFile)
{
    koan::McpServer *server = host.server();
    koan::AdminController *admin = nullptr;
    koan::ServerStatus status;
    QList<koan::SessionInfo> sessions;
    QList<koan::EntitySnapshot> entities;
    QList<koan::ToolSnapshot> tools;
    host.invoke([&] {
        admin = server->admin();
        admin->setUserOverrideFile(userOverrideFile);
        status = admin->status();
        sessions = server->sessions()->snapshot();
        entities = admin->entities();
        tools = admin->tools();
    });
    LocalConsole console;
    console.link = std::make_unique<koan::InProcessConsoleLink>(admin);
    console.window = std::make_unique<koan::ui::MainWindow>(console.link.get(), status, sessions, entities, tools);
    console.window->show();
    return console;
}
} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QString help;
    koan::CliCommand cmd = koan::parseCommandLine(arguments, &help);
    if (!help.isEmpty()) {
        fputs(qPrintable(help), stdout);
        return 0;
    }
    koan::LogSink::install(cmd.jsonLogs ? koan::LogSink::Format::Json : koan::LogSink::Format::Plain);
    if (!cmd.errors.isEmpty())
        return fail(QStringLiteral("invalid command line (see --help)"), cmd.errors);
    // Debug chatter (per-session open/close) only when asked for via QT_LOGGING_RULES.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("koan.*.debug=false"));
    const bool attachWindow = cmd.mode == koan::CliCommand::ConsoleAttach && !cmd.attach.check;
    if (attachWindow && !displayAvailable())
        return fail(QStringLiteral("console --attach needs a display"),
                    {QStringLiteral("DISPLAY/WAYLAND_DISPLAY unset; use --check to probe from a terminal")});
    const bool gui = (cmd.mode == koan::CliCommand::Gui && displayAvailable()) || attachWindow;
    // Without a GUI, Qt's plain UNIX event dispatcher: glib's costs grow superlinearly with the
    // number of sockets (measured: 366 ms vs 13 ms to write one event to 10k streams).
    if (!gui && qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    std::unique_ptr<QCoreApplication> app(gui ? new QApplication(argc, argv) : new QCoreApplication(argc, argv));
    QCoreApplication::setOrganizationName(QStringLiteral("Koan"));
    QCoreApplication::setApplicationName(QStringLiteral("koan-mcp"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KOAN_MCP_VERSION));
    if (cmd.mode == koan::CliCommand::Gui && !gui) {
        qCWarning(lcApp) << "no display found (DISPLAY/WAYLAND_DISPLAY unset): running headless";
        cmd.mode = koan::CliCommand::Headless;
    }

    // The console saves entity overrides here; it is also the last file layer when loading.
    if (cmd.sources.userOverrideFile.isEmpty())
        cmd.sources.userOverrideFile = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                                           .filePath(QStringLiteral("appsettings.user.json"));
    if (gui)
        koan::ui::installTranslations(app.get());
    // An attached console runs no server of its own: no configuration, no store.
    if (cmd.mode == koan::CliCommand::ConsoleAttach)
        return koan::AttachCommand::run(cmd.attach);

    QStringList errors, layers;
    const koan::McpServerOptions options = koan::OptionsLoader::load(cmd.sources, &errors, &layers);
    if (!errors.isEmpty())
        return fail(QStringLiteral("configuration error"), errors);
    koan::LogSink::setRedactPatterns(options.logRedactPatterns);
    if (const std::optional<int> rc = runOfflineCommand(cmd, options))
        return *rc;

    // The composition root: the S12 domain, and a test fixture pack only when --fixtures asks for one.
    koan::ServerHost host(options, koan::s12::catalog());
    const auto loadFixtures = [&cmd](koan::McpServer *s) {
        if (!cmd.fixtures.isEmpty())
            koan::fixtures::install(cmd.fixtures, s->bridge(), s);
    };
    if (!host.start(cmd.mode != koan::CliCommand::Stdio, &errors, loadFixtures))
        return fail(QStringLiteral("startup failed"), errors);
    koan::McpServer *server = host.server();
    logStartup(options, layers);

    if (cmd.mode == koan::CliCommand::Stdio)
        return runStdio(host, options, app.get());

    // SIGTERM/SIGINT: leave the event loop; ServerHost then closes every stream with a final
    // event and closes the store before the process exits.
    koan::SignalWatcher terminator;
    QObject::connect(&terminator, &koan::SignalWatcher::terminationRequested, app.get(), [](int sig) {
        qCInfo(lcApp).noquote() << "signal" << sig << "received: shutting down";
        QCoreApplication::quit();
    });
    if (cmd.mode == koan::CliCommand::Headless)
        qCInfo(lcApp).noquote() << headlessBanner(server, options);

    LocalConsole console;
    if (gui)
        console = openConsole(host, cmd.sources.userOverrideFile);
    const int rc = app->exec();
    console.window.reset();
    console.link.reset();
    host.stop();
    qCInfo(lcApp) << "stopped cleanly";
    return rc;
}
