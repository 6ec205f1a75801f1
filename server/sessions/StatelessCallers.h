#pragma once
// Recent 2026-07-28 callers, one row per issuer, subject, client and address. The stateless era
// opens no session, so this is what the console can show of who is calling: last seen and how
// many requests. Bounded (the least recently seen row makes room); idle rows are dropped.
#include "SessionInfo.h"

#include <QHash>
#include <QStringList>

namespace koan {

class StatelessCallers
{
public:
    explicit StatelessCallers(int capacity = 1000) : m_capacity(qMax(1, capacity)) { }

    struct Recorded {
        SessionInfo row;
        bool isNew = false;
        QString evicted; // the row dropped to make room, if any
    };
    // One request by `caller` (identity fields set; kind, id and counters are this class's).
    Recorded record(const SessionInfo &caller);
    // Drops the rows not seen since `cutoff`; returns their ids.
    QStringList dropIdle(const QDateTime &cutoff);
    QList<SessionInfo> snapshot() const { return m_rows.values(); }
    bool contains(const QString &id) const { return m_rows.contains(id); }
    int size() const { return int(m_rows.size()); }

    // The row id of a caller: "caller-" and 32 hex digits of a digest of its identity, so the same
    // caller keeps its row and the id reveals nothing of the token.
    static QString rowId(const SessionInfo &caller);

private:
    static QByteArray identity(const SessionInfo &caller); // issuer, subject, client, address
    void forget(QHash<QString, SessionInfo>::iterator row);

    int m_capacity;
    QHash<QString, SessionInfo> m_rows;
    QHash<QByteArray, QString> m_idByIdentity; // the rows' ids by identity
};

} // namespace koan
