#pragma once
// Raw HTTP/1.1 over QTcpSocket for tests: full control of headers (Host, Origin) and of
// disconnects; parses Content-Length and chunked bodies and Server-Sent Events incrementally.
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>
#include <memory>

namespace koan::test {

struct SseEvent {
    QByteArray event, id, data;
};

struct HttpResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool complete = false;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    // SSE events in the body (for POST responses answered as a stream).
    QList<SseEvent> events() const;
};

inline QList<SseEvent> parseSse(const QByteArray &text, QByteArray *rest = nullptr,
                                QList<QByteArray> *comments = nullptr)
{
    QList<SseEvent> out;
    QByteArray buf = text;
    SseEvent cur;
    bool any = false;
    qsizetype consumed = 0, pos = 0;
    while (true) {
        const qsizetype nl = buf.indexOf('\n', pos);
        if (nl < 0)
            break;
        QByteArray line = buf.mid(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty()) {
            if (any) {
                if (cur.data.endsWith('\n'))
                    cur.data.chop(1);
                out.append(cur);
            }
            cur = {};
            any = false;
            consumed = pos;
        } else if (line.startsWith(':')) {
            if (comments)
                comments->append(line.mid(1).trimmed());
            consumed = pos;
        } else {
            any = true;
            if (line.startsWith("data:"))
                cur.data += line.mid(line.startsWith("data: ") ? 6 : 5) + '\n';
            else if (line.startsWith("event:"))
                cur.event = line.mid(6).trimmed();
            else if (line.startsWith("id:"))
                cur.id = line.mid(3).trimmed();
            else if (line.startsWith("retry:"))
                cur.event = cur.event.isEmpty() ? QByteArray() : cur.event;
        }
    }
    if (rest)
        *rest = buf.mid(consumed);
    return out;
}

inline QList<SseEvent> HttpResponse::events() const
{
    return parseSse(body);
}

// One connection; requests are sent one at a time. For streams, body() grows as data arrives.
class HttpClient
{
public:
    explicit HttpClient(quint16 port, bool tls = false) : m_port(port)
    {
        if (tls) {
            auto *ssl = new QSslSocket;
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
            m_socket.reset(ssl);
        } else {
            m_socket = std::make_unique<QTcpSocket>();
        }
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(), [this] {
            m_raw += m_socket->readAll();
            parse();
        });
    }
    QTcpSocket *socket() const { return m_socket.get(); }

    bool connect()
    {
        if (m_socket->state() == QAbstractSocket::ConnectedState)
            return true;
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.get())) {
            // Not waitForEncrypted(): the server may run in this thread and must keep handshaking.
            ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
            return QTest::qWaitFor([ssl] { return ssl->isEncrypted(); }, 5000);
        }
        m_socket->connectToHost(QHostAddress::LocalHost, m_port);
        return m_socket->waitForConnected(5000);
    }

    // Sends a request; returns immediately. Use wait() / waitFor...() for the answer.
    void send(const QByteArray &method, const QByteArray &path,
              const QList<QPair<QByteArray, QByteArray>> &headers = {}, const QByteArray &body = {})
    {
        // The server said it closes after its last answer (e.g. an early 413): start afresh.
        if (m_response.complete && m_response.header("Connection").compare("close", Qt::CaseInsensitive) == 0)
            m_socket->abort();
        if (!connect())
            return;
        m_response = HttpResponse{};
        m_headDone = false;
        QByteArray req = method + ' ' + path + " HTTP/1.1\r\n";
        bool hasHost = false;
        for (const auto &h : headers) {
            hasHost = hasHost || h.first.compare("Host", Qt::CaseInsensitive) == 0;
            req += h.first + ": " + h.second + "\r\n";
        }
        if (!hasHost)
            req += "Host: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
        if (!body.isEmpty() || method == "POST" || method == "PUT")
            req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        m_socket->write(req + "\r\n" + body);
    }
    HttpResponse request(const QByteArray &method, const QByteArray &path,
                         const QList<QPair<QByteArray, QByteArray>> &headers = {}, const QByteArray &body = {},
                         int timeoutMs = 5000)
    {
        send(method, path, headers, body);
        waitComplete(timeoutMs);
        return m_response;
    }
    bool waitHead(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return m_headDone || closed(); }, timeoutMs) && m_headDone;
    }
    bool waitComplete(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return m_response.complete || closed(); }, timeoutMs) && m_response.complete;
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return closed(); }, timeoutMs);
    }
    bool closed() const { return m_socket->state() == QAbstractSocket::UnconnectedState; }

    // SSE on a stream response.
    QList<SseEvent> events() const { return parseSse(m_response.body); }
    QList<QByteArray> comments() const
    {
        QList<QByteArray> c;
        parseSse(m_response.body, nullptr, &c);
        return c;
    }
    bool waitEvent(const QByteArray &name, int timeoutMs = 5000, SseEvent *out = nullptr)
    {
        return QTest::qWaitFor(
            [&] {
                for (const SseEvent &e : events())
                    if (e.event == name || (name.isEmpty() && e.event.isEmpty())) {
                        if (out)
                            *out = e;
                        return true;
                    }
                return false;
            },
            timeoutMs);
    }
    // The JSON-RPC message with this id among the stream's events.
    QJsonObject waitMessage(const QJsonValue &id, int timeoutMs = 5000)
    {
        QJsonObject found;
        (void)QTest::qWaitFor(
            [&] { // an empty result tells the caller it timed out
                for (const SseEvent &e : events()) {
                    const QJsonObject o = QJsonDocument::fromJson(e.data).object();
                    if (o.contains("id") && o.value("id") == id) {
                        found = o;
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return found;
    }
    const HttpResponse &response() const { return m_response; }

private:
    void parse()
    {
        while (true) {
            if (!m_headDone) {
                const qsizetype end = m_raw.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const QList<QByteArray> lines = m_raw.left(end).split('\n');
                m_raw.remove(0, end + 4);
                m_response.status = lines.value(0).split(' ').value(1).toInt();
                m_chunked = false;
                m_length = -1;
                for (int i = 1; i < lines.size(); ++i) {
                    const QByteArray l = lines.at(i).trimmed();
                    const qsizetype c = l.indexOf(':');
                    if (c <= 0)
                        continue;
                    const QByteArray k = l.left(c).trimmed(), v = l.mid(c + 1).trimmed();
                    m_response.headers.append({k, v});
                    if (k.compare("Content-Length", Qt::CaseInsensitive) == 0)
                        m_length = v.toLongLong();
                    if (k.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0 && v.contains("chunked"))
                        m_chunked = true;
                }
                m_headDone = true;
                if (!m_chunked && m_length <= 0) {
                    m_response.complete = m_length == 0;
                    if (m_length == 0)
                        return;
                }
            }
            if (m_chunked) {
                const qsizetype nl = m_raw.indexOf("\r\n");
                if (nl < 0)
                    return;
                const qint64 size = m_raw.left(nl).toLongLong(nullptr, 16);
                if (m_raw.size() < nl + 2 + size + 2)
                    return;
                m_response.body += m_raw.mid(nl + 2, size);
                m_raw.remove(0, nl + 2 + size + 2);
                if (size == 0) {
                    m_response.complete = true;
                    return;
                }
            } else if (m_length > 0) {
                const qint64 take = qMin<qint64>(m_length - m_response.body.size(), m_raw.size());
                m_response.body += m_raw.left(take);
                m_raw.remove(0, take);
                if (m_response.body.size() == m_length)
                    m_response.complete = true;
                return;
            } else {
                m_response.body += m_raw; // close-delimited
                m_raw.clear();
                return;
            }
        }
    }

    quint16 m_port;
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_raw;
    HttpResponse m_response;
    bool m_headDone = false, m_chunked = false;
    qint64 m_length = -1;
};

inline QByteArray rpc(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o{{"jsonrpc", "2.0"}, {"method", method}};
    if (!id.isUndefined())
        o.insert("id", id);
    if (!params.isEmpty())
        o.insert("params", params);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

inline QJsonObject initParams(const QString &version = QStringLiteral("2025-06-18"))
{
    return {{"protocolVersion", version},
            {"capabilities", QJsonObject{}},
            {"clientInfo", QJsonObject{{"name", "http-test"}, {"version", "1"}}}};
}

// Headers of a plain JSON POST (a legacy client's message to its endpoint, an admin API call).
inline QList<QPair<QByteArray, QByteArray>> jsonHeaders()
{
    return {{"Content-Type", "application/json"}};
}

// Headers of a Streamable HTTP POST: in session `sid` if given, with a bearer token if given.
inline QList<QPair<QByteArray, QByteArray>> streamableHeaders(const QByteArray &sid = {}, const QByteArray &token = {})
{
    QList<QPair<QByteArray, QByteArray>> h{{"Content-Type", "application/json"},
                                           {"Accept", "application/json, text/event-stream"}};
    if (!sid.isEmpty())
        h.append({"Mcp-Session-Id", sid});
    if (!token.isEmpty())
        h.append({"Authorization", "Bearer " + token});
    return h;
}

// The JSON-RPC answer (the message with an id) of a Streamable POST, whether sent as JSON or as SSE.
inline QJsonObject rpcAnswer(const HttpResponse &r)
{
    for (const SseEvent &e : r.events())
        if (const QJsonObject o = QJsonDocument::fromJson(e.data).object(); o.contains("id"))
            return o;
    return r.json();
}

} // namespace koan::test
