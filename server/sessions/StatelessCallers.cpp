#include "StatelessCallers.h"

#include <QCryptographicHash>

namespace koan {

QByteArray StatelessCallers::identity(const SessionInfo &caller)
{
    // The address without its port: one client reconnecting is still one caller.
    const QString address = caller.remote.left(caller.remote.lastIndexOf(QLatin1Char(':')));
    return QStringList{caller.issuer, caller.subject, caller.clientName, address}.join(QChar(0x1f)).toUtf8();
}

QString StatelessCallers::rowId(const SessionInfo &caller)
{
    return QStringLiteral("caller-")
           + QString::fromLatin1(
               QCryptographicHash::hash(identity(caller), QCryptographicHash::Sha256).toHex().left(32));
}

void StatelessCallers::forget(QHash<QString, SessionInfo>::iterator row)
{
    m_idByIdentity.remove(identity(*row));
}

StatelessCallers::Recorded StatelessCallers::record(const SessionInfo &caller)
{
    Recorded out;
    // The digest is taken once per caller: this runs on every stateless request.
    const QByteArray key = identity(caller);
    QString id = m_idByIdentity.value(key);
    if (id.isEmpty())
        id = m_idByIdentity.insert(key, rowId(caller)).value();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto it = m_rows.find(id);
    if (it == m_rows.end()) {
        if (m_rows.size() >= m_capacity) {
            auto oldest = m_rows.begin();
            for (auto r = m_rows.begin(); r != m_rows.end(); ++r)
                if (r->lastActivity < oldest->lastActivity)
                    oldest = r;
            out.evicted = oldest.key();
            forget(oldest);
            m_rows.erase(oldest);
        }
        SessionInfo row = caller;
        row.id = id;
        row.kind = SessionKind::StatelessCaller;
        row.created = now;
        row.messagesIn = 0;
        it = m_rows.insert(id, row);
        out.isNew = true;
    }
    it->remote = caller.remote; // the latest connection
    it->userAgent = caller.userAgent;
    it->clientVersion = caller.clientVersion;
    it->lastActivity = now;
    ++it->messagesIn;
    out.row = *it;
    return out;
}

QStringList StatelessCallers::dropIdle(const QDateTime &cutoff)
{
    QStringList dropped;
    for (auto it = m_rows.begin(); it != m_rows.end();) {
        if (it->lastActivity < cutoff) {
            dropped << it.key();
            forget(it);
            it = m_rows.erase(it);
        } else {
            ++it;
        }
    }
    return dropped;
}

} // namespace koan
