#pragma once
// Opens N MCP sessions (legacy HTTP+SSE or Streamable HTTP) against one server, drives calls
// at a target rate over a small pool of keep-alive POST connections, and measures
// request->answer latency. Single-threaded, non-blocking sockets: no thread per connection.
// The modern transport (2026-07-28) has no sessions: its calls are stateless, and the N
// "sessions" are subscriptions/listen streams held open while the calls run (N may be 0).
#include "HttpWire.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTcpSocket>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace bench {

struct Options {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 5114;
    QString transport = QStringLiteral("sse"); // sse | streamable | modern
    QString ssePath = QStringLiteral("/mcp/sse");
    QString mcpPath = QStringLiteral("/mcp");
    int sessions = 100;
    double rate = 100;    // calls per second across all sessions (0: idle)
    int concurrency = 0;  // > 0: closed loop, this many calls in flight, rate ignored
    double duration = 10; // seconds of load
    QString method = QStringLiteral("tools/call");
    QString tool = QStringLiteral("trial-site.get-by-id");
    QJsonObject arguments{{QStringLiteral("id"), QStringLiteral("site-boston")}};
    int postConnections = 32;
    int connectConcurrency = 256;
    bool streamableGet = true; // Streamable: hold the session's GET stream open (a "connection")
    qint64 serverPid = 0;      // sampled from /proc for RSS and CPU
};

struct Result {
    int sessionsRequested = 0, sessionsOpen = 0, rejected503 = 0, connectErrors = 0;
    double connectSeconds = 0;
    qint64 calls = 0, answered = 0, errors = 0;
    double achievedRate = 0;
    double p50 = 0, p95 = 0, p99 = 0, max = 0; // ms
    qint64 rssBeforeKb = 0, rssIdleKb = 0, rssAfterKb = 0;
    double serverCpuPercent = 0;
    QJsonObject toJson() const;
};

class LoadGenerator : public QObject
{
    Q_OBJECT
public:
    explicit LoadGenerator(Options options, QObject *parent = nullptr);
    ~LoadGenerator() override;
    void start();
    const Result &result() const { return m_result; }

signals:
    void finished();

private:
    struct Session {
        int index = 0;
        std::unique_ptr<QTcpSocket> stream;
        ResponseReader reader;
        SseParser sse;
        QByteArray postPath;  // legacy endpoint
        QByteArray sessionId; // Streamable Mcp-Session-Id
        bool ready = false;
        bool failed = false;
    };
    struct Request {
        QByteArray path;
        QByteArray headers;
        QByteArray body;
        std::function<void(int status, const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body)>
            done;
    };
    struct PostConnection {
        std::unique_ptr<QTcpSocket> socket;
        ResponseReader reader;
        bool busy = false;
        int status = 0;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        std::function<void(int, const QList<QPair<QByteArray, QByteArray>> &, const QByteArray &)> done;
    };

    void openNextSessions();
    void openLegacy(Session &s);
    void openStreamable(Session &s);
    void openListen(Session &s);
    bool isModern() const { return m_o.transport == QLatin1String("modern"); }
    bool canCall() const { return m_result.sessionsOpen > 0 || isModern(); }
    QByteArray modernHeaders(const QString &method, const QString &name) const;
    QJsonObject withModernMeta(QJsonObject params) const;
    void sessionReady(Session &s);
    void sessionFailed(Session &s, bool rejected);
    void post(Request request);
    void pump();
    void beginLoad();
    void tick();
    void sendCall();
    void answered(const QByteArray &id, bool error);
    void finish();
    QByteArray rpc(const QByteArray &id, const QString &method, const QJsonObject &params) const;
    void onLegacyEvent(Session &s, const SseEvent &e);
    static QByteArray extractId(const QByteArray &json, bool *isError);

    Options m_o;
    Result m_result;
    std::vector<std::unique_ptr<Session>> m_sessions;
    std::vector<std::unique_ptr<PostConnection>> m_pool;
    std::deque<Request> m_queue;
    QHash<QByteArray, qint64> m_inflight; // request id -> send time (ns)
    std::vector<double> m_latencies;
    QElapsedTimer m_clock;
    QTimer m_ticker;
    int m_nextSession = 0, m_connecting = 0, m_settled = 0;
    qint64 m_loadStartNs = 0, m_lastAnswerNs = 0, m_nextId = 1, m_sent = 0, m_cpuStart = 0;
    size_t m_rr = 0;
    bool m_loading = false, m_draining = false;
};

qint64 readRssKb(qint64 pid);
qint64 readCpuTicks(qint64 pid);

} // namespace bench
