#include "StdioTransport.h"

#include "core/ProtocolEra.h"

#include "core/RpcBridge.h"
#include "protocol/JsonRpc.h"
#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUuid>
#include <cerrno>
#include <unistd.h>
#include <utility>

Q_LOGGING_CATEGORY(lcStdio, "koan.stdio")

namespace koan {

void StdinReader::run()
{
    // read(2), not stdio: it returns what the pipe has, and nothing is buffered behind our back.
    const int fd = fileno(m_in);
    QByteArray line;
    qint64 skipped = 0; // bytes of an oversized line so far (none of them kept)
    // Room for the message plus CR LF and a little surrounding whitespace.
    const qint64 keep = m_maxLineBytes + 16;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        QByteArrayView chunk(buf, n);
        while (!chunk.isEmpty()) {
            const qsizetype newline = chunk.indexOf('\n');
            const QByteArrayView part = newline < 0 ? chunk : chunk.first(newline + 1);
            chunk = newline < 0 ? QByteArrayView() : chunk.sliced(newline + 1);
            if (skipped == 0 && line.size() + part.size() <= keep) {
                line.append(part);
            } else {
                skipped += line.size() + part.size();
                line.clear();
            }
            if (newline < 0)
                break;
            if (skipped > 0)
                emit lineTooLong(skipped);
            else
                emit lineRead(line);
            line.clear();
            skipped = 0;
        }
    }
    if (skipped > 0)
        emit lineTooLong(skipped);
    else if (!line.isEmpty())
        emit lineRead(line);
    emit endOfInput();
}

StdioTransport::StdioTransport(RpcBridge *bridge, qint64 maxMessageBytes, QObject *parent, Principal principal,
                               FILE *in, FILE *out)
    : QObject(parent), m_bridge(bridge), m_maxMessageBytes(maxMessageBytes), m_out(out),
      m_reader(new StdinReader(in, maxMessageBytes, this)),
      m_session(std::make_shared<McpSession>(QUuid::createUuid().toString(QUuid::Id128), TransportKind::Stdio,
                                             std::move(principal)))
{
    // List changes and resource updates of the legacy session go to stdout like any message.
    m_session->push = [this](const QJsonObject &m) { write(m); };
    // Queued: the reader thread only reads; all protocol work happens on this object's thread.
    connect(m_reader, &StdinReader::lineRead, this, &StdioTransport::handleLine, Qt::QueuedConnection);
    connect(m_reader, &StdinReader::lineTooLong, this, &StdioTransport::refuseOversized, Qt::QueuedConnection);
    connect(
        m_reader, &StdinReader::endOfInput, this,
        [this] {
            m_eof = true;
            maybeFinish();
        },
        Qt::QueuedConnection);
}

StdioTransport::~StdioTransport()
{
    if (m_reader->isRunning()) {
        // fgets cannot be interrupted portably; the process is ending, so let the thread go.
        m_reader->terminate();
        m_reader->wait(1000);
    }
}

void StdioTransport::start()
{
    m_reader->start();
}

void StdioTransport::handleLine(const QByteArray &raw)
{
    const QByteArray line = raw.trimmed();
    if (line.isEmpty() || m_expired)
        return;
    // A token from the environment (KOAN_MCP_STDIO_TOKEN) expires as it does on HTTP: the
    // request is refused and the session ends.
    const qint64 expiresAt = m_session->principal.expiresAt;
    if (expiresAt > 0 && QDateTime::currentSecsSinceEpoch() >= expiresAt)
        return endExpired(line);
    if (line.size() > m_maxMessageBytes)
        return refuseOversized(line.size());
    // Until an initialize makes the process legacy, a line carrying modern _meta is a stateless
    // 2026-07-28 request (ProtocolEra.h; STDIO has no headers, so rule 3 keeps bare lines legacy).
    if (!m_session->initialized) {
        const jsonrpc::ParseResult parsed = jsonrpc::parse(line);
        if (parsed.ok && selectEra(EraInput{false, parsed.value, std::nullopt}) == ProtocolEra::Modern)
            return handleModern(parsed.value.toObject());
    }
    ++m_pending;
    m_bridge->handle(
        line, m_session, [this](const QJsonObject &m) { write(m); },
        [this](const QJsonValue &reply) {
            if (!reply.isUndefined())
                write(reply);
            --m_pending;
            maybeFinish();
        });
}

void StdioTransport::handleModern(const QJsonObject &message)
{
    // On STDIO the client cancels with notifications/cancelled (there is no stream to close).
    if (message.value(QLatin1String("method")).toString() == QLatin1String("notifications/cancelled")) {
        const QJsonValue requestId
            = message.value(QLatin1String("params")).toObject().value(QLatin1String("requestId"));
        if (CancelFlag flag = m_modernInflight.value(McpSession::idKey(requestId)))
            flag->store(true);
        return;
    }
    const bool request = message.contains(QLatin1String("id")) && message.contains(QLatin1String("method"));
    const QString key = McpSession::idKey(message.value(QLatin1String("id")));
    // A listen subscription lasts as long as the process: it never holds back the end of input.
    const bool listen = message.value(QLatin1String("method")).toString() == QLatin1String("subscriptions/listen");
    ++m_pending;
    auto answered = std::make_shared<bool>(false);
    auto counted = std::make_shared<bool>(true); // still in m_pending
    const CancelFlag flag = m_bridge->handleStateless(
        message, nullptr, m_session->principal, TransportKind::Stdio, [this](const QJsonObject &m) { write(m); },
        [this, key, request, answered, counted](const QJsonValue &reply, int) {
            *answered = true;
            if (request)
                m_modernInflight.remove(key);
            if (!reply.isUndefined())
                write(reply);
            if (std::exchange(*counted, false))
                --m_pending;
            maybeFinish();
        });
    if (request && !*answered)
        m_modernInflight.insert(key, flag);
    if (listen && !*answered) {
        *counted = false;
        --m_pending;
        m_listens.append(flag);
        maybeFinish();
    }
}

void StdioTransport::endListens()
{
    // endListen answers through the request's done above (false: the client cancelled it already).
    for (const CancelFlag &listen : std::exchange(m_listens, {}))
        m_bridge->endListen(listen);
}

void StdioTransport::refuseOversized(qint64 bytes)
{
    if (m_expired)
        return;
    // The id is in the part that was never kept: JSON-RPC answers such a request with id null.
    write(jsonrpc::makeError(
        QJsonValue::Null, jsonrpc::InvalidRequest,
        QStringLiteral("Invalid Request: message of %1 bytes exceeds the %2-byte limit (MaxRequestBodyBytes)")
            .arg(bytes)
            .arg(m_maxMessageBytes)));
}

void StdioTransport::write(const QJsonValue &message)
{
    const QByteArray bytes = json::compact(message) + '\n';
    if (fwrite(bytes.constData(), 1, size_t(bytes.size()), m_out) != size_t(bytes.size()))
        qCWarning(lcStdio) << "stdout write failed; the client went away";
    fflush(m_out);
}

void StdioTransport::endExpired(const QByteArray &line)
{
    constexpr int kTokenExpired = -32001;
    m_expired = true;
    qCWarning(lcStdio) << "the STDIO token has expired: refusing requests and ending the session";
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    const QJsonArray messages = doc.isArray() ? doc.array() : QJsonArray{doc.object()};
    for (const QJsonValue &m : messages) // requests get the error; notifications get nothing
        if (m.toObject().contains(QLatin1String("id")) && m.toObject().contains(QLatin1String("method")))
            write(jsonrpc::makeError(m.toObject().value(QLatin1String("id")), kTokenExpired,
                                     QStringLiteral("token expired")));
    m_eof = true;
    maybeFinish();
}

void StdioTransport::maybeFinish()
{
    if (!m_eof)
        return;
    endListens(); // the client has stopped writing: nothing would ever end them
    if (m_pending == 0)
        emit finished();
}

} // namespace koan
