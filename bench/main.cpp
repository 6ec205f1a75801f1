// koan-bench: MCP load generator. See bench/README.md.
#include "LoadGenerator.h"
#include "runtime/EpollEventDispatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <cstdio>
#include <sys/resource.h>

int main(int argc, char *argv[])
{
    // Thousands of sockets: the load generator must not be the one polling them all on each pass.
    qputenv("QT_NO_GLIB", "1");
    if (auto *dispatcher = koan::EpollEventDispatcher::createUnlessDisabled())
        QCoreApplication::setEventDispatcher(dispatcher);
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Opens N MCP sessions and drives calls at a target rate; prints JSON."));
    p.addHelpOption();
    const QList<QCommandLineOption> opts{
        {QStringLiteral("port"), QStringLiteral("Server port."), QStringLiteral("n"), QStringLiteral("5114")},
        {QStringLiteral("transport"),
         QStringLiteral("sse (legacy), streamable (2025 sessions) or modern (2026-07-28, stateless; "
                        "--sessions counts subscriptions/listen streams)."),
         QStringLiteral("t"), QStringLiteral("sse")},
        {QStringLiteral("sse-path"), QStringLiteral("Legacy SSE path."), QStringLiteral("path"),
         QStringLiteral("/mcp/sse")},
        {QStringLiteral("mcp-path"), QStringLiteral("Streamable HTTP path."), QStringLiteral("path"),
         QStringLiteral("/mcp")},
        {QStringLiteral("sessions"), QStringLiteral("Concurrent sessions."), QStringLiteral("n"),
         QStringLiteral("100")},
        {QStringLiteral("rate"), QStringLiteral("Calls per second (0 = idle)."), QStringLiteral("r"),
         QStringLiteral("100")},
        {QStringLiteral("concurrency"),
         QStringLiteral("Closed loop: keep this many calls in flight (overrides --rate)."), QStringLiteral("n"),
         QStringLiteral("0")},
        {QStringLiteral("duration"), QStringLiteral("Seconds of load."), QStringLiteral("s"), QStringLiteral("10")},
        {QStringLiteral("method"), QStringLiteral("tools/call or ping."), QStringLiteral("m"),
         QStringLiteral("tools/call")},
        {QStringLiteral("tool"), QStringLiteral("Tool name."), QStringLiteral("name"),
         QStringLiteral("trial-site.get-by-id")},
        {QStringLiteral("args"), QStringLiteral("Tool arguments (JSON)."), QStringLiteral("json"),
         QStringLiteral("{\"id\":\"site-boston\"}")},
        {QStringLiteral("post-connections"), QStringLiteral("Keep-alive POST connections."), QStringLiteral("n"),
         QStringLiteral("32")},
        {QStringLiteral("connect-concurrency"), QStringLiteral("Sessions being opened at once (burst: = sessions)."),
         QStringLiteral("n"), QStringLiteral("256")},
        {QStringLiteral("no-get-stream"), QStringLiteral("Streamable: do not hold a GET stream per session.")},
        {QStringLiteral("server-pid"), QStringLiteral("Server PID for RSS/CPU sampling."), QStringLiteral("pid"),
         QStringLiteral("0")},
        {QStringLiteral("label"), QStringLiteral("Label copied into the output."), QStringLiteral("text")},
    };
    p.addOptions(opts);
    p.process(app);
    bench::Options o;
    o.port = quint16(p.value(QStringLiteral("port")).toUInt());
    o.transport = p.value(QStringLiteral("transport"));
    o.ssePath = p.value(QStringLiteral("sse-path"));
    o.mcpPath = p.value(QStringLiteral("mcp-path"));
    o.sessions = p.value(QStringLiteral("sessions")).toInt();
    o.rate = p.value(QStringLiteral("rate")).toDouble();
    o.duration = p.value(QStringLiteral("duration")).toDouble();
    o.concurrency = p.value(QStringLiteral("concurrency")).toInt();
    o.method = p.value(QStringLiteral("method"));
    o.tool = p.value(QStringLiteral("tool"));
    o.arguments = QJsonDocument::fromJson(p.value(QStringLiteral("args")).toUtf8()).object();
    o.postConnections = p.value(QStringLiteral("post-connections")).toInt();
    o.connectConcurrency = qMax(1, p.value(QStringLiteral("connect-concurrency")).toInt());
    o.streamableGet = !p.isSet(QStringLiteral("no-get-stream"));
    o.serverPid = p.value(QStringLiteral("server-pid")).toLongLong();
    if (o.transport != QLatin1String("sse") && o.transport != QLatin1String("streamable")
        && o.transport != QLatin1String("modern")) {
        fprintf(stderr, "--transport must be sse, streamable or modern\n");
        return 2;
    }
    bench::LoadGenerator generator(o);
    QObject::connect(&generator, &bench::LoadGenerator::finished, &app, &QCoreApplication::quit);
    generator.start();
    app.exec();
    QJsonObject out = generator.result().toJson();
    out.insert(QStringLiteral("label"), p.value(QStringLiteral("label")));
    out.insert(QStringLiteral("transport"), o.transport);
    out.insert(QStringLiteral("targetRate"), o.rate);
    out.insert(QStringLiteral("concurrency"), o.concurrency);
    fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
    fputc('\n', stdout);
    const bench::Result &r = generator.result();
    // Modern calls need no session; its streams (possibly none) must all have opened.
    const bool opened = o.transport == QLatin1String("modern") ? r.sessionsOpen == o.sessions : r.sessionsOpen > 0;
    return r.errors == 0 && opened ? 0 : 1;
}
