#include "SessionManager.h"

#include "core/ProtocolEra.h"
#include "logging/LogSink.h"
#include "SessionStream.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMetaMethod>
#include <QLoggingCategory>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcSessions, "koan.sessions")

namespace koan {

namespace {
QString newSessionId()
{
    // 128 bits from the system CSPRNG, hex: visible ASCII as Mcp-Session-Id requires.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}
} // namespace

SessionManager::SessionManager(Limits limits, QObject *parent) : QObject(parent), m_limits(limits)
{
    qRegisterMetaType<koan::SessionInfo>();
    qRegisterMetaType<koan::EndedSession>();
    qRegisterMetaType<QList<koan::EndedSession>>();
    m_heartbeat.setInterval(m_limits.keepAliveIntervalMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &SessionManager::sendHeartbeats);
    m_heartbeat.start();
    m_sweep.setInterval(qBound(50, m_limits.idleTimeoutMs / 4, 1000)); // also catches token expiry within a second
    connect(&m_sweep, &QTimer::timeout, this, &SessionManager::sweepIdle);
    m_sweep.start();
}

SessionPtr SessionManager::open(TransportKind transport, const Principal &principal, const QString &remote,
                                const QString &userAgent, Closer closer)
{
    auto session = std::make_shared<McpSession>(newSessionId(), transport, principal);
    Entry e;
    e.session = session;
    e.closer = std::move(closer);
    e.info.id = session->id;
    e.info.transport = transport;
    e.info.subject = principal.authenticated ? principal.subject : QString();
    e.info.issuer = principal.authenticated ? principal.issuer : QString();
    e.info.remote = remote;
    e.info.userAgent = userAgent;
    e.info.created = session->created;
    e.info.lastActivity = session->created;
    m_entries.insert(session->id, e);
    {
        // Debug level: one line per session would flood the log at 10k sessions (koan.sessions.debug=true shows them).
        const LogSink::SessionScope scope(session->id);
        qCDebug(lcSessions).noquote() << "session" << session->id << "opened via" << transportName(transport) << "from"
                                      << remote;
    }
    m_traffic.sessionOpened(session->id);
    emit sessionOpened(e.info);
    return session;
}

bool SessionManager::isWellFormedId(QStringView id)
{
    if (id.size() < 32 || id.size() > 128)
        return false;
    for (const QChar c : id)
        if (!((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-'
              || c == u'_'))
            return false;
    return true;
}

SessionPtr SessionManager::find(const QString &id) const
{
    const auto it = m_entries.constFind(id);
    return it == m_entries.constEnd() ? nullptr : it->session;
}

void SessionManager::close(const QString &id, const QString &reason)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end()) {
        closeListenRow(id, reason);
        return;
    }
    Entry e = std::move(*it);
    m_entries.erase(it);
    const SessionInfo last = refreshed(e); // before the closer ends its streams
    // Streams still listed were not reported closed yet (their closed() may fire after this).
    for (bool longLived : std::as_const(e.longLived))
        if (longLived)
            --m_longLivedStreams;
    if (e.closer)
        e.closer(id, reason);   // closes streams; their closed() finds no entry any more
    m_traffic.sessionEnded(id); // after the closer: its final `event: end` is recorded too
    {
        const LogSink::SessionScope scope(id);
        qCDebug(lcSessions).noquote() << "session" << id << "closed:" << reason;
    }
    emit sessionClosed(id, reason);
    const EndedSession ended = m_history.record(last, reason); // a copy: a slot may close more
    emit sessionEnded(ended);
}

bool SessionManager::closeListenRow(const QString &id, const QString &reason)
{
    for (auto it = m_listenRows.begin(); it != m_listenRows.end(); ++it)
        if (it->info.id == id) {
            const ListenRow row = std::move(*it);
            const SessionStream *stream = it.key();
            m_listenRows.erase(it); // first: the stream's closed() must not report it again
            if (row.closer)
                row.closer(id, reason); // ends the stream as its transport does (the listen's final result)
            else
                for (const QPointer<SessionStream> &s : QList<QPointer<SessionStream>>(m_detached)) // close() edits it
                    if (s.data() == stream) {
                        s->close();
                        break;
                    }
            emit sessionClosed(id, reason);
            return true;
        }
    return false;
}

void SessionManager::closeAll(const QString &reason)
{
    const QStringList ids = m_entries.keys();
    for (const QString &id : ids)
        close(id, reason);
    QStringList listens;
    for (const ListenRow &row : std::as_const(m_listenRows))
        listens << row.info.id;
    for (const QString &id : std::as_const(listens))
        closeListenRow(id, reason);
}

bool SessionManager::disconnectSession(const QString &sessionId)
{
    if (closeListenRow(sessionId, QStringLiteral("disconnected_by_operator")))
        return true;
    if (!m_entries.contains(sessionId))
        return false;
    close(sessionId, QStringLiteral("disconnected_by_operator"));
    return true;
}

void SessionManager::addStream(const QString &sessionId, SessionStream *stream, bool longLived)
{
    auto it = m_entries.find(sessionId);
    if (it == m_entries.end())
        return;
    it->streams.append(stream);
    it->longLived.append(longLived);
    connect(stream, &SessionStream::closed, this, [this, sessionId, stream] { streamClosed(sessionId, stream); });
    if (longLived) {
        ++m_longLivedStreams;
        emit sessionUpdated(refreshed(*it));
    }
}

QString SessionManager::addDetachedStream(SessionStream *stream, const std::optional<SessionInfo> &listener,
                                          Closer closer)
{
    m_detached.append(stream);
    ++m_longLivedStreams;
    QString id;
    if (listener) {
        SessionInfo row = *listener;
        row.id = id = QStringLiteral("listen-") + newSessionId();
        row.kind = SessionKind::ListenStream;
        row.created = row.lastActivity = QDateTime::currentDateTimeUtc();
        row.messagesIn = 1;
        row.openStreams = 1;
        m_listenRows.insert(stream, ListenRow{row, std::move(closer)});
        emit sessionOpened(row);
    }
    connect(stream, &SessionStream::closed, this, [this, stream](const QString &reason) {
        if (m_detached.removeOne(stream))
            --m_longLivedStreams;
        if (const auto row = m_listenRows.take(stream); !row.info.id.isEmpty())
            emit sessionClosed(row.info.id, reason);
    });
    return id;
}

SessionInfo SessionManager::statelessCaller(const Principal &principal, const QJsonObject &message,
                                            const QString &remote, const QString &userAgent, TransportKind transport)
{
    SessionInfo c;
    c.transport = transport;
    c.subject = principal.authenticated ? principal.subject : QString();
    c.issuer = principal.authenticated ? principal.issuer : QString();
    c.remote = remote;
    c.userAgent = userAgent;
    c.protocolVersion = ModernEra::version();
    const QJsonObject meta = message.value(QLatin1String("params")).toObject().value(QLatin1String("_meta")).toObject();
    const QJsonObject client = meta.value(ModernEra::metaKey("clientInfo")).toObject();
    // Client-chosen text shown to the operator: bounded like any other client field.
    c.clientName = client.value(QLatin1String("name")).toString().left(100);
    c.clientVersion = client.value(QLatin1String("version")).toString().left(50);
    return c;
}

QString SessionManager::recordStatelessRequest(const SessionInfo &caller, const QString &method)
{
    const StatelessCallers::Recorded r = m_callers.record(caller);
    if (!r.evicted.isEmpty())
        emit sessionClosed(r.evicted, QStringLiteral("evicted"));
    if (r.isNew) {
        m_traffic.sessionOpened(r.row.id);
        SessionInfo opened = r.row;
        opened.messagesIn = 0; // the console counts this request through messageReceived
        emit sessionOpened(opened);
    }
    emit messageReceived(r.row.id, method);
    return r.row.id;
}

void SessionManager::streamClosed(const QString &sessionId, SessionStream *stream)
{
    auto it = m_entries.find(sessionId);
    if (it == m_entries.end())
        return;
    const qsizetype i = it->streams.indexOf(stream);
    if (i < 0)
        return;
    const bool longLived = it->longLived.at(i);
    it->streams.removeAt(i);
    it->longLived.removeAt(i);
    if (longLived)
        --m_longLivedStreams;
    // Also for short POST streams: their queued bytes are gone and observers must see that.
    emit sessionUpdated(refreshed(*it));
}

void SessionManager::recordInbound(const QString &sessionId, const QString &method)
{
    auto it = m_entries.find(sessionId);
    if (it == m_entries.end())
        return;
    ++it->info.messagesIn;
    it->info.lastActivity = QDateTime::currentDateTimeUtc();
    emit messageReceived(sessionId, method);
}

void SessionManager::recordOutbound(const QString &sessionId)
{
    auto it = m_entries.find(sessionId);
    if (it == m_entries.end())
        return;
    ++it->info.messagesOut;
    emit messageSent(sessionId);
}

void SessionManager::updateClient(const QString &sessionId)
{
    auto it = m_entries.find(sessionId);
    if (it == m_entries.end())
        return;
    it->info.clientName = it->session->clientInfo.value(QLatin1String("name")).toString();
    it->info.clientVersion = it->session->clientInfo.value(QLatin1String("version")).toString();
    it->info.protocolVersion = it->session->protocolVersion;
    emit sessionUpdated(refreshed(*it));
}

SessionInfo SessionManager::refreshed(const Entry &e) const
{
    SessionInfo info = e.info;
    info.openStreams = 0;
    info.bytesQueued = 0;
    for (int i = 0; i < e.streams.size(); ++i)
        if (const SessionStream *s = e.streams.at(i); s && s->isOpen()) {
            info.openStreams += e.longLived.at(i) ? 1 : 0;
            info.bytesQueued += s->queuedBytes();
        }
    return info;
}

QList<SessionInfo> SessionManager::snapshot() const
{
    QList<SessionInfo> out;
    out.reserve(m_entries.size() + m_callers.size() + m_listenRows.size());
    for (const auto &e : m_entries)
        out.append(refreshed(e));
    out.append(m_callers.snapshot());
    for (auto it = m_listenRows.cbegin(); it != m_listenRows.cend(); ++it) {
        SessionInfo row = it->info;
        row.bytesQueued = it.key()->queuedBytes();
        out.append(row);
    }
    return out;
}

QHash<TransportKind, int> SessionManager::countByTransport() const
{
    QHash<TransportKind, int> counts;
    for (const auto &e : m_entries)
        ++counts[e.info.transport];
    return counts;
}

qint64 SessionManager::queuedBytes() const
{
    qint64 total = 0;
    for (const auto &e : m_entries)
        for (const auto &s : e.streams)
            if (s)
                total += s->queuedBytes();
    return total;
}

SessionInfo SessionManager::info(const QString &sessionId) const
{
    const auto it = m_entries.constFind(sessionId);
    return it == m_entries.constEnd() ? SessionInfo{} : refreshed(*it);
}

void SessionManager::sendHeartbeats()
{
    QElapsedTimer timer;
    timer.start();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool observed = isSignalConnected(QMetaMethod::fromSignal(&SessionManager::heartbeatSent));
    int sent = 0;
    // Copy: a slow reader closed mid-loop mutates the stream lists.
    const QStringList ids = m_entries.keys();
    for (const QString &id : ids) {
        const auto it = m_entries.constFind(id);
        if (it == m_entries.constEnd())
            continue;
        const QList<QPointer<SessionStream>> streams = it->streams;
        bool any = false;
        qint64 queued = 0;
        for (const auto &s : streams)
            if (s && s->sendHeartbeat()) {
                any = true;
                ++sent;
                queued += s->queuedBytes();
            }
        if (any) {
            // Heartbeats are not client activity: only lastHeartbeat moves.
            auto live = m_entries.find(id);
            if (live != m_entries.end())
                live->info.lastHeartbeat = now;
            if (observed)
                emit heartbeatSent(id, now, queued);
        }
    }
    const QList<QPointer<SessionStream>> detached = m_detached;
    for (const auto &s : detached)
        if (s && s->sendHeartbeat()) {
            ++sent;
            if (const auto row = m_listenRows.constFind(s.data()); observed && row != m_listenRows.cend())
                emit heartbeatSent(row->info.id, now, s->queuedBytes());
        }
    emit heartbeatRoundFinished(sent, timer.nsecsElapsed() / 1e6);
}

void SessionManager::sweepIdle()
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addMSecs(-m_limits.idleTimeoutMs);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QStringList idle, expired;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        const qint64 expiry = it->session->principal.expiresAt;
        if (expiry > 0 && now >= expiry)
            expired << it.key();
        else if (it->info.lastActivity < cutoff)
            idle << it.key();
    }
    // A token that expires while its stream is open ends the stream.
    for (const QString &id : std::as_const(expired))
        close(id, QStringLiteral("token_expired"));
    for (const QString &id : std::as_const(idle)) {
        const LogSink::SessionScope scope(id);
        qCDebug(lcSessions).noquote() << "closing session" << id << "after" << m_limits.idleTimeoutMs
                                      << "ms without client activity";
        close(id, QStringLiteral("idle_timeout"));
    }
    // Callers of the stateless era leave nothing to close: their rows just go.
    for (const QString &id : m_callers.dropIdle(cutoff))
        emit sessionClosed(id, QStringLiteral("idle_timeout"));
    // One info line per sweep, not per session.
    if (!idle.isEmpty() || !expired.isEmpty())
        qCInfo(lcSessions).noquote() << "closed" << idle.size() << "idle and" << expired.size()
                                     << "token-expired session(s)";
}

} // namespace koan
