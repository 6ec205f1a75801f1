#include "RequestState.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace koan {

namespace {
constexpr auto kB64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray hashOf(const QString &text)
{
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toBase64(kB64);
}
} // namespace

RequestStateBinding RequestStateBinding::of(const Principal &principal, const QString &method,
                                            const QJsonObject &params)
{
    const QString who = principal.authenticated
                            ? QStringLiteral("token\n") + principal.identityKey()
                            : (principal.trustedLocal ? QStringLiteral("local\n") : QStringLiteral("anonymous\n"))
                                  + principal.subject;
    return {who, method, RequestStateSeal::paramsDigest(params)};
}

RequestStateSeal::RequestStateSeal(QByteArray key)
{
    setKey(std::move(key));
}

void RequestStateSeal::setKey(QByteArray key)
{
    m_shared = !key.isEmpty();
    if (key.isEmpty()) {
        key.resize(32);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()), 8);
    }
    m_key = std::move(key);
}

QByteArray RequestStateSeal::paramsDigest(const QJsonObject &params)
{
    QJsonObject p = params;
    p.remove(QStringLiteral("inputResponses"));
    p.remove(QStringLiteral("requestState"));
    p.remove(QStringLiteral("_meta"));
    // QJsonObject keeps its keys sorted: the compact form is canonical.
    return QCryptographicHash::hash(QJsonDocument(p).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256)
        .toBase64(kB64);
}

QByteArray RequestStateSeal::mac(const QByteArray &payload) const
{
    return QMessageAuthenticationCode::hash(payload, m_key, QCryptographicHash::Sha256);
}

QString RequestStateSeal::seal(const RequestStateBinding &binding, const QJsonObject &data, qint64 nowMs) const
{
    const qint64 now = nowMs < 0 ? QDateTime::currentMSecsSinceEpoch() : nowMs;
    // The caller's identity only as a hash: the state is readable by the client.
    const QJsonObject body{{"v", 1},
                           {"p", QString::fromLatin1(hashOf(binding.principal))},
                           {"m", binding.method},
                           {"d", QString::fromLatin1(binding.paramsHash)},
                           {"exp", double(now + m_lifetimeMs)},
                           {"n", QString::number(QRandomGenerator::global()->generate64(), 36)},
                           {"data", data}};
    const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact).toBase64(kB64);
    return QString::fromLatin1(payload + '.' + mac(payload).toBase64(kB64));
}

RequestStateSeal::Opened RequestStateSeal::open(const QString &state, const RequestStateBinding &binding,
                                                qint64 nowMs) const
{
    const auto refuse = [](const char *reason, const QString &message) {
        return Opened{false, {}, QString::fromLatin1(reason), message};
    };
    const QByteArray raw = state.toLatin1();
    const qsizetype dot = raw.indexOf('.');
    if (state.size() != raw.size() || dot <= 0 || raw.indexOf('.', dot + 1) != -1)
        return refuse("malformed", QStringLiteral("requestState is not a state this server issued"));
    const QByteArray payload = raw.left(dot);
    const auto signature
        = QByteArray::fromBase64Encoding(raw.mid(dot + 1), kB64 | QByteArray::AbortOnBase64DecodingErrors);
    // Constant-time comparison: the MAC must not leak byte by byte.
    const QByteArray expected = mac(payload);
    bool same = signature && signature.decoded.size() == expected.size();
    unsigned char diff = 0;
    for (qsizetype i = 0; same && i < expected.size(); ++i)
        diff |= static_cast<unsigned char>(signature.decoded.at(i) ^ expected.at(i));
    if (!same || diff != 0)
        return refuse("tampered", QStringLiteral("requestState failed its integrity check (changed, or issued "
                                                 "under another server key)"));
    const QJsonObject body = QJsonDocument::fromJson(QByteArray::fromBase64(payload, kB64)).object();
    if (body.value("v").toInt() != 1)
        return refuse("malformed", QStringLiteral("requestState has an unknown format"));
    const qint64 now = nowMs < 0 ? QDateTime::currentMSecsSinceEpoch() : nowMs;
    if (qint64(body.value("exp").toDouble()) <= now)
        return refuse("expired", QStringLiteral("requestState has expired; start the request again without it"));
    if (body.value("p").toString() != QString::fromLatin1(hashOf(binding.principal)))
        return refuse("principal", QStringLiteral("requestState was issued to another caller"));
    if (body.value("m").toString() != binding.method)
        return refuse(
            "method",
            QStringLiteral("requestState was issued for %1, not %2").arg(body.value("m").toString(), binding.method));
    if (body.value("d").toString() != QString::fromLatin1(binding.paramsHash))
        return refuse("params", QStringLiteral("requestState was issued for other params (a retry must repeat "
                                               "the original params; only inputResponses and requestState change)"));
    return Opened{true, body.value("data").toObject(), {}, {}};
}

} // namespace koan
