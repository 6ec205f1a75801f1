#include "LoadGenerator.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <algorithm>
#include <unistd.h>

namespace bench {

qint64 readRssKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return 0;
}

qint64 readCpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime + stime
}

QJsonObject Result::toJson() const
{
    return QJsonObject{
        {QStringLiteral("sessionsRequested"), sessionsRequested},
        {QStringLiteral("sessionsOpen"), sessionsOpen},
        {QStringLiteral("rejected503"), rejected503},
        {QStringLiteral("connectErrors"), connectErrors},
        {QStringLiteral("connectSeconds"), connectSeconds},
        {QStringLiteral("calls"), double(calls)},
        {QStringLiteral("answered"), double(answered)},
        {QStringLiteral("errors"), double(errors)},
        {QStringLiteral("callsPerSecond"), achievedRate},
        {QStringLiteral("p50Ms"), p50},
        {QStringLiteral("p95Ms"), p95},
        {QStringLiteral("p99Ms"), p99},
        {QStringLiteral("maxMs"), max},
        {QStringLiteral("rssBeforeKb"), double(rssBeforeKb)},
        {QStringLiteral("rssIdleKb"), double(rssIdleKb)},
        {QStringLiteral("rssAfterKb"), double(rssAfterKb)},
        {QStringLiteral("rssPerSessionKb"), sessionsOpen ? double(rssIdleKb - rssBeforeKb) / sessionsOpen : 0.0},
        {QStringLiteral("serverCpuPercent"), serverCpuPercent}};
}

LoadGenerator::LoadGenerator(Options options, QObject *parent) : QObject(parent), m_o(std::move(options))
{
    m_ticker.setInterval(1);
    connect(&m_ticker, &QTimer::timeout, this, &LoadGenerator::tick);
}

LoadGenerator::~LoadGenerator()
{
    // Sockets emit disconnected() while being destroyed: detach first so no handler runs on
    // half-destroyed connection state.
    for (auto &pc : m_pool)
        pc->socket->disconnect(this);
    for (auto &s : m_sessions)
        if (s->stream)
            s->stream->disconnect(this);
}

QByteArray LoadGenerator::rpc(const QByteArray &id, const QString &method, const QJsonObject &params) const
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), method}};
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), QString::fromLatin1(id));
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray LoadGenerator::extractId(const QByteArray &json, bool *isError)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    *isError = o.contains(QLatin1String("error"))
               || o.value(QLatin1String("result")).toObject().value(QLatin1String("isError")).toBool();
    return o.value(QLatin1String("id")).toString().toLatin1();
}

void LoadGenerator::start()
{
    m_clock.start();
    m_result.sessionsRequested = m_o.sessions;
    if (m_o.serverPid)
        m_result.rssBeforeKb = readRssKb(m_o.serverPid);
    for (int i = 0; i < m_o.postConnections; ++i) {
        auto pc = std::make_unique<PostConnection>();
        PostConnection *p = pc.get();
        pc->socket = std::make_unique<QTcpSocket>();
        p->reader.onHead = [p](int status, const QList<QPair<QByteArray, QByteArray>> &h) {
            p->status = status;
            p->headers = h;
        };
        p->reader.onBody = [p](const QByteArray &b) { p->body += b; };
        p->reader.onComplete = [this, p] {
            auto done = std::move(p->done);
            const int status = p->status;
            const auto headers = p->headers;
            const QByteArray body = p->body;
            p->busy = false;
            p->body.clear();
            if (done)
                done(status, headers, body);
            pump();
        };
        connect(p->socket.get(), &QTcpSocket::readyRead, this, [p] { p->reader.feed(p->socket->readAll()); });
        connect(p->socket.get(), &QTcpSocket::connected, this, [this] { pump(); });
        connect(p->socket.get(), &QTcpSocket::disconnected, this, [this, p] {
            if (p->busy && p->done) {
                ++m_result.errors;
                p->done(0, {}, {});
            }
            p->busy = false;
            p->done = nullptr;
            p->reader = ResponseReader();
            p->reader.onHead = [p](int status, const QList<QPair<QByteArray, QByteArray>> &h) {
                p->status = status;
                p->headers = h;
            };
            p->reader.onBody = [p](const QByteArray &b) { p->body += b; };
        });
        m_pool.push_back(std::move(pc));
    }
    for (int i = 0; i < m_o.sessions; ++i) {
        auto s = std::make_unique<Session>();
        s->index = i;
        m_sessions.push_back(std::move(s));
    }
    openNextSessions();
}

void LoadGenerator::openNextSessions()
{
    while (m_connecting < m_o.connectConcurrency && m_nextSession < m_o.sessions) {
        Session &s = *m_sessions.at(m_nextSession++);
        ++m_connecting;
        if (m_o.transport == QLatin1String("sse"))
            openLegacy(s);
        else if (isModern())
            openListen(s);
        else
            openStreamable(s);
    }
    if (m_settled == m_o.sessions && !m_loading)
        beginLoad();
}

void LoadGenerator::sessionReady(Session &s)
{
    if (s.ready || s.failed)
        return;
    s.ready = true;
    ++m_result.sessionsOpen;
    --m_connecting;
    ++m_settled;
    openNextSessions();
}

void LoadGenerator::sessionFailed(Session &s, bool rejected)
{
    if (s.ready || s.failed)
        return;
    s.failed = true;
    rejected ? ++m_result.rejected503 : ++m_result.connectErrors;
    --m_connecting;
    ++m_settled;
    openNextSessions();
}

void LoadGenerator::openLegacy(Session &s)
{
    s.stream = std::make_unique<QTcpSocket>();
    Session *sp = &s;
    s.reader.onHead = [this, sp](int status, const QList<QPair<QByteArray, QByteArray>> &) {
        if (status != 200)
            sessionFailed(*sp, status == 503);
    };
    s.reader.onBody = [sp](const QByteArray &b) { sp->sse.feed(b); };
    s.sse.onEvent = [this, sp](const SseEvent &e) { onLegacyEvent(*sp, e); };
    connect(s.stream.get(), &QTcpSocket::connected, this, [this, sp] {
        sp->stream->write("GET " + m_o.ssePath.toLatin1() + " HTTP/1.1\r\nHost: " + m_o.host.toLatin1() + ':'
                          + QByteArray::number(m_o.port) + "\r\nAccept: text/event-stream\r\n\r\n");
    });
    connect(s.stream.get(), &QTcpSocket::readyRead, this, [sp] { sp->reader.feed(sp->stream->readAll()); });
    connect(s.stream.get(), &QTcpSocket::errorOccurred, this, [this, sp] { sessionFailed(*sp, false); });
    s.stream->connectToHost(m_o.host, m_o.port);
}

void LoadGenerator::onLegacyEvent(Session &s, const SseEvent &e)
{
    if (e.event == "endpoint") {
        s.postPath = e.data.trimmed();
        const QByteArray init = rpc("init-" + QByteArray::number(s.index), QStringLiteral("initialize"),
                                    QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2024-11-05")},
                                                {QStringLiteral("capabilities"), QJsonObject{}},
                                                {QStringLiteral("clientInfo"),
                                                 QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-bench")},
                                                             {QStringLiteral("version"), QStringLiteral("1")}}}});
        post(Request{s.postPath, "Content-Type: application/json\r\n", init, nullptr});
        return;
    }
    if (e.event != "message" && !e.event.isEmpty())
        return;
    bool isError = false;
    const QByteArray id = extractId(e.data, &isError);
    if (id.startsWith("init-")) {
        Session *sp = &s;
        post(Request{s.postPath, "Content-Type: application/json\r\n",
                     rpc({}, QStringLiteral("notifications/initialized"), {}),
                     [this, sp](int, const auto &, const QByteArray &) { sessionReady(*sp); }});
        return;
    }
    answered(id, isError);
}

void LoadGenerator::openStreamable(Session &s)
{
    Session *sp = &s;
    const QByteArray init = rpc(
        "init", QStringLiteral("initialize"),
        QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                    {QStringLiteral("capabilities"), QJsonObject{}},
                    {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-bench")},
                                                               {QStringLiteral("version"), QStringLiteral("1")}}}});
    post(Request{
        m_o.mcpPath.toLatin1(), "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
        init, [this, sp](int status, const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &) {
            for (const auto &h : headers)
                if (h.first == "mcp-session-id")
                    sp->sessionId = h.second;
            if (status != 200 || sp->sessionId.isEmpty())
                return sessionFailed(*sp, status == 503);
            const QByteArray sessionHeaders
                = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                  "MCP-Protocol-Version: 2025-06-18\r\nMcp-Session-Id: "
                  + sp->sessionId + "\r\n";
            post(Request{
                m_o.mcpPath.toLatin1(), sessionHeaders, rpc({}, QStringLiteral("notifications/initialized"), {}),
                [this, sp](int, const auto &, const QByteArray &) {
                    if (!m_o.streamableGet)
                        return sessionReady(*sp);
                    sp->stream = std::make_unique<QTcpSocket>();
                    sp->reader.onHead = [this, sp](int st, const auto &) {
                        st == 200 ? sessionReady(*sp) : sessionFailed(*sp, st == 503);
                    };
                    connect(sp->stream.get(), &QTcpSocket::connected, this, [this, sp] {
                        sp->stream->write(
                            "GET " + m_o.mcpPath.toLatin1() + " HTTP/1.1\r\nHost: " + m_o.host.toLatin1()
                            + "\r\nAccept: text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\nMcp-Session-Id: "
                            + sp->sessionId + "\r\n\r\n");
                    });
                    connect(sp->stream.get(), &QTcpSocket::readyRead, this,
                            [sp] { sp->reader.feed(sp->stream->readAll()); });
                    connect(sp->stream.get(), &QTcpSocket::errorOccurred, this,
                            [this, sp] { sessionFailed(*sp, false); });
                    sp->stream->connectToHost(m_o.host, m_o.port);
                }});
        }});
}

QByteArray LoadGenerator::modernHeaders(const QString &method, const QString &name) const
{
    QByteArray h = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                   "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: "
                   + method.toLatin1() + "\r\n";
    if (!name.isEmpty())
        h += "Mcp-Name: " + name.toLatin1() + "\r\n";
    return h;
}

QJsonObject LoadGenerator::withModernMeta(QJsonObject params) const
{
    params.insert(QStringLiteral("_meta"),
                  QJsonObject{{QStringLiteral("io.modelcontextprotocol/protocolVersion"), QStringLiteral("2026-07-28")},
                              {QStringLiteral("io.modelcontextprotocol/clientCapabilities"), QJsonObject{}},
                              {QStringLiteral("io.modelcontextprotocol/clientInfo"),
                               QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-bench")},
                                           {QStringLiteral("version"), QStringLiteral("1")}}}});
    return params;
}

void LoadGenerator::openListen(Session &s)
{
    // One long-lived subscriptions/listen stream on its own connection; ready at the 200 head.
    Session *sp = &s;
    const QByteArray body = rpc(
        "listen-" + QByteArray::number(s.index), QStringLiteral("subscriptions/listen"),
        withModernMeta({{QStringLiteral("notifications"), QJsonObject{{QStringLiteral("toolsListChanged"), true}}}}));
    s.stream = std::make_unique<QTcpSocket>();
    s.reader.onHead = [this, sp](int status, const QList<QPair<QByteArray, QByteArray>> &) {
        status == 200 ? sessionReady(*sp) : sessionFailed(*sp, status == 503);
    };
    connect(s.stream.get(), &QTcpSocket::connected, this, [this, sp, body] {
        sp->stream->write("POST " + m_o.mcpPath.toLatin1() + " HTTP/1.1\r\nHost: " + m_o.host.toLatin1() + ':'
                          + QByteArray::number(m_o.port) + "\r\n"
                          + modernHeaders(QStringLiteral("subscriptions/listen"), {})
                          + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    });
    connect(s.stream.get(), &QTcpSocket::readyRead, this, [sp] { sp->reader.feed(sp->stream->readAll()); });
    connect(s.stream.get(), &QTcpSocket::errorOccurred, this, [this, sp] { sessionFailed(*sp, false); });
    s.stream->connectToHost(m_o.host, m_o.port);
}

void LoadGenerator::post(Request request)
{
    m_queue.push_back(std::move(request));
    pump();
}

void LoadGenerator::pump()
{
    for (auto &pc : m_pool) {
        if (m_queue.empty())
            return;
        if (pc->busy)
            continue;
        if (pc->socket->state() == QAbstractSocket::UnconnectedState) {
            pc->socket->connectToHost(m_o.host, m_o.port);
            continue;
        }
        if (pc->socket->state() != QAbstractSocket::ConnectedState)
            continue;
        Request r = std::move(m_queue.front());
        m_queue.pop_front();
        pc->busy = true;
        pc->done = std::move(r.done);
        pc->socket->write("POST " + r.path + " HTTP/1.1\r\nHost: " + m_o.host.toLatin1() + ':'
                          + QByteArray::number(m_o.port) + "\r\n" + r.headers
                          + "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n\r\n" + r.body);
    }
}

void LoadGenerator::beginLoad()
{
    m_loading = true;
    m_result.connectSeconds = m_clock.nsecsElapsed() / 1e9;
    if (m_o.serverPid) {
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < 500)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        m_result.rssIdleKb = readRssKb(m_o.serverPid);
        m_cpuStart = readCpuTicks(m_o.serverPid);
    }
    m_loadStartNs = m_clock.nsecsElapsed();
    m_ticker.start();
}

void LoadGenerator::tick()
{
    const double elapsed = (m_clock.nsecsElapsed() - m_loadStartNs) / 1e9;
    if (!m_draining) {
        if (elapsed >= m_o.duration) {
            m_draining = true;
        } else if (canCall() && m_o.concurrency > 0) {
            while (m_inflight.size() < m_o.concurrency)
                sendCall();
        } else if (canCall()) {
            const qint64 due = qint64(elapsed * m_o.rate);
            while (m_sent < due)
                sendCall();
        }
    }
    if (m_draining && (m_inflight.isEmpty() || elapsed >= m_o.duration + 5))
        finish();
}

void LoadGenerator::sendCall()
{
    // Round-robin over open sessions spreads calls evenly; modern calls need none.
    Session *s = nullptr;
    for (size_t n = 0; n < m_sessions.size() && !s && !isModern(); ++n) {
        Session *c = m_sessions.at(m_rr++ % m_sessions.size()).get();
        if (c->ready)
            s = c;
    }
    if (!s && !isModern())
        return;
    ++m_sent;
    ++m_result.calls;
    const QByteArray id = "c" + QByteArray::number(m_nextId++);
    QJsonObject params;
    if (m_o.method == QLatin1String("tools/call"))
        params = QJsonObject{{QStringLiteral("name"), m_o.tool}, {QStringLiteral("arguments"), m_o.arguments}};
    const bool toolCall = m_o.method == QLatin1String("tools/call");
    const QByteArray body = rpc(id, m_o.method, isModern() ? withModernMeta(params) : params);
    m_inflight.insert(id, m_clock.nsecsElapsed());
    if (m_o.transport == QLatin1String("sse")) {
        post(Request{s->postPath, "Content-Type: application/json\r\n", body,
                     [this, id](int status, const auto &, const QByteArray &) {
                         if (status != 202 && m_inflight.remove(id))
                             ++m_result.errors;
                     }});
        return;
    }
    const QByteArray headers = isModern() ? modernHeaders(m_o.method, toolCall ? m_o.tool : QString())
                                          : "Content-Type: application/json\r\nAccept: application/json, "
                                            "text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\n"
                                            "Mcp-Session-Id: "
                                                + s->sessionId + "\r\n";
    post(Request{m_o.mcpPath.toLatin1(), headers, body,
                 [this, id](int status, const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &b) {
                     if (status != 200) {
                         if (m_inflight.remove(id))
                             ++m_result.errors;
                         return;
                     }
                     bool sse = false;
                     for (const auto &h : headers)
                         sse = sse || (h.first == "content-type" && h.second.startsWith("text/event-stream"));
                     if (!sse) {
                         bool isError = false;
                         answered(extractId(b, &isError), isError);
                         return;
                     }
                     SseParser parser;
                     parser.onEvent = [this](const SseEvent &e) {
                         bool isError = false;
                         const QByteArray rid = extractId(e.data, &isError);
                         if (!rid.isEmpty())
                             answered(rid, isError);
                     };
                     parser.feed(b);
                 }});
}

void LoadGenerator::answered(const QByteArray &id, bool error)
{
    const auto it = m_inflight.find(id);
    if (it == m_inflight.end())
        return;
    m_lastAnswerNs = m_clock.nsecsElapsed();
    m_latencies.push_back((m_lastAnswerNs - *it) / 1e6);
    m_inflight.erase(it);
    ++m_result.answered;
    if (error)
        ++m_result.errors;
}

void LoadGenerator::finish()
{
    m_ticker.stop();
    const double seconds = (m_clock.nsecsElapsed() - m_loadStartNs) / 1e9;
    m_result.errors += m_inflight.size(); // never answered
    // Throughput over the time it really took to answer: a backlog drained after the load
    // window counts against the rate.
    const double answeringSeconds = qMax(m_o.duration, (m_lastAnswerNs - m_loadStartNs) / 1e9);
    m_result.achievedRate = m_result.answered / qMax(0.001, qMin(seconds, answeringSeconds));
    std::sort(m_latencies.begin(), m_latencies.end());
    const auto pct = [this](double p) {
        return m_latencies.empty() ? 0.0
                                   : m_latencies.at(std::min(m_latencies.size() - 1, size_t(p * m_latencies.size())));
    };
    m_result.p50 = pct(0.50);
    m_result.p95 = pct(0.95);
    m_result.p99 = pct(0.99);
    m_result.max = m_latencies.empty() ? 0 : m_latencies.back();
    if (m_o.serverPid) {
        m_result.rssAfterKb = readRssKb(m_o.serverPid);
        m_result.serverCpuPercent
            = 100.0 * (readCpuTicks(m_o.serverPid) - m_cpuStart) / sysconf(_SC_CLK_TCK) / qMax(0.001, seconds);
    }
    emit finished();
}

} // namespace bench
