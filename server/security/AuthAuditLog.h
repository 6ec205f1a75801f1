#pragma once
// Every authentication/authorization failure, kept in a bounded ring for the console and
// metrics. Tokens are never recorded: only the reason and, when readable, the claimed subject.
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QObject>

namespace koan {

struct AuthFailure {
    QDateTime time;
    QString remote;
    QString reason;  // missing_token, expired, bad_signature, insufficient_scope, ...
    QString subject; // claimed subject if known
    QString path;
    QString description;
    QString issuer; // claimed issuer if known (a subject is only unique per issuer)
};

class AuthAuditLog : public QObject
{
    Q_OBJECT
public:
    explicit AuthAuditLog(int capacity = 1000, QObject *parent = nullptr);
    void record(AuthFailure failure);
    QList<AuthFailure> recent() const { return m_ring; }
    qint64 total() const { return m_total; }

signals:
    void failureRecorded(const koan::AuthFailure &failure);

private:
    int m_capacity;
    QList<AuthFailure> m_ring;
    qint64 m_total = 0;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::AuthFailure)
