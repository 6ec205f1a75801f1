// JWT validation against tokens signed by the openssl CLI: every rejection case, and scopes.
#include "support/AuthKit.h"
#include "security/Jwt.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace koan;
using namespace koan::test;

class TestSecurityJwt : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    KeyPair m_rsa, m_ec, m_other;
    JsonWebKeySet m_keys;
    JwtSettings m_settings;
    const QString kAud = QStringLiteral("http://127.0.0.1:5114/mcp");

    JwtResult check(const QByteArray &t) const
    {
        return JwtValidator::validate(t, m_settings, m_keys, QDateTime::currentSecsSinceEpoch());
    }

private slots:
    void initTestCase()
    {
        m_rsa = makeKey(QDir(m_dir.path()), "rsa-1", true);
        m_ec = makeKey(QDir(m_dir.path()), "ec-1", false);
        m_other = makeKey(QDir(m_dir.path()), "rsa-1", true); // same kid, different key
        QVERIFY(m_rsa.publicKey && m_ec.publicKey && m_other.publicKey);
        QString error;
        m_keys = JsonWebKeySet::fromJson(jwks({m_rsa, m_ec}), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_keys.size(), 2);
        m_settings.issuers = {"https://issuer.test"};
        m_settings.audiences = {kAud};
        m_settings.clockSkewSeconds = 30;
    }

    void acceptsRs256AndEs256()
    {
        const JwtResult rs = check(token(m_rsa, claims("alice", "clinical:operations", kAud)));
        QVERIFY2(rs.ok, qPrintable(rs.description));
        QCOMPARE(rs.claims["sub"].toString(), QStringLiteral("alice"));
        const JwtResult es
            = check(token(m_ec, claims("bob", "a b", kAud + "/"))); // trailing slash is the same resource
        QVERIFY2(es.ok, qPrintable(es.description));
        QJsonObject arrayAud = claims("carol", "", "x");
        arrayAud["aud"] = QJsonArray{"https://other", kAud};
        QVERIFY(check(token(m_rsa, arrayAud)).ok);
    }

    void rejections_data()
    {
        QTest::addColumn<QByteArray>("jwt");
        QTest::addColumn<QString>("reason");
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QJsonObject c = claims("alice", "s", kAud);
        QJsonObject expired = c;
        expired["exp"] = double(now - 120);
        QJsonObject future = c;
        future["nbf"] = double(now + 600);
        QJsonObject noExp = c;
        noExp.remove("exp");
        QJsonObject noSub = c;
        noSub.remove("sub");
        const QByteArray good = token(m_rsa, c);
        QByteArray tampered = good;
        tampered[tampered.indexOf('.') + 5] = tampered[tampered.indexOf('.') + 5] == 'A' ? 'B' : 'A';
        const QByteArray claimsPart = good.split('.').at(1);
        // alg=none with an empty signature
        const QByteArray none = b64(R"({"alg":"none","typ":"JWT"})") + '.' + claimsPart + '.';
        // HS256 "signed" with the RSA public key bytes: the classic alg-confusion attack.
        QJsonObject pubJwk = m_rsa.jwk();
        const QByteArray confusion = JwtSigner::signHs256(c, QJsonDocument(pubJwk).toJson(QJsonDocument::Compact));
        QByteArray unknownKid = signWithOpenssl(QJsonObject{{"alg", "RS256"}, {"kid", "rotated-away"}}, c, m_rsa);
        QByteArray rsAsEs = signWithOpenssl(QJsonObject{{"alg", "ES256"}, {"kid", "rsa-1"}}, c, m_rsa);
        QTest::newRow("expired") << token(m_rsa, expired) << "expired";
        QTest::newRow("not yet valid") << token(m_rsa, future) << "not_yet_valid";
        QTest::newRow("missing exp") << token(m_rsa, noExp) << "missing_exp";
        QTest::newRow("missing sub") << token(m_rsa, noSub) << "missing_sub";
        QTest::newRow("wrong issuer") << token(m_rsa, claims("alice", "s", kAud, "https://evil.test"))
                                      << "wrong_issuer";
        QTest::newRow("wrong audience") << token(m_rsa, claims("alice", "s", "https://other.example/mcp"))
                                        << "wrong_audience";
        QTest::newRow("bad signature") << tampered << "bad_signature";
        QTest::newRow("other key same kid") << token(m_other, c) << "bad_signature";
        QTest::newRow("alg none") << none << "alg_not_allowed";
        QTest::newRow("hs256 confusion") << confusion << "alg_not_allowed";
        QTest::newRow("unknown kid") << unknownKid << "unknown_kid";
        QTest::newRow("rsa key as ES256") << rsAsEs << "alg_key_mismatch";
        // Time claims of the wrong type must not be skipped (a string nbf would mean "valid now").
        for (const char *claim : {"exp", "nbf", "iat"}) {
            QJsonObject wrongType = c;
            wrongType[claim] = QString::number(now + 3600);
            QTest::newRow(qPrintable(QStringLiteral("string %1").arg(claim)))
                << token(m_rsa, wrongType) << "invalid_claim";
        }
        QJsonObject nullExp = c;
        nullExp["exp"] = QJsonValue::Null;
        QTest::newRow("null exp") << token(m_rsa, nullExp) << "invalid_claim";
        // RFC 7515 4.1.11: a critical extension we do not understand refuses the token.
        QTest::newRow("crit") << signWithOpenssl(
            QJsonObject{{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", QJsonArray{"exp"}}, {"exp", 1}}, c, m_rsa)
                              << "unsupported_crit";
        QTest::newRow("crit b64") << signWithOpenssl(
            QJsonObject{{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", QJsonArray{"b64"}}, {"b64", false}}, c, m_rsa)
                                  << "unsupported_crit";
        QJsonObject issuedLater = c;
        issuedLater["iat"] = double(now + 600);
        QTest::newRow("iat in the future") << token(m_rsa, issuedLater) << "iat_in_future";
        // Out-of-range NumericDates overflowed the cast to qint64 (undefined behaviour) and skipped the check.
        for (const double v : {1e300, 9.3e18, -1.0, 253402300800.0}) {
            for (const char *claim : {"exp", "nbf", "iat"}) {
                QJsonObject outOfRange = c;
                outOfRange[claim] = v;
                QTest::newRow(qPrintable(QStringLiteral("%1 = %2").arg(claim).arg(v)))
                    << token(m_rsa, outOfRange) << "invalid_claim";
            }
        }
        QTest::newRow("malformed") << QByteArray("abc.def") << "malformed";
        QTest::newRow("garbage parts") << QByteArray("!!.??.**") << "malformed";
    }
    void rejections()
    {
        QFETCH(QByteArray, jwt);
        QFETCH(QString, reason);
        const JwtResult r = check(jwt);
        QVERIFY(!r.ok);
        QCOMPARE(r.reason, reason);
        QVERIFY(!r.description.contains(QString::fromLatin1(jwt))); // never echo the token
    }

    void fractionalAndSkewedTimesAreFine()
    {
        const double now = double(QDateTime::currentSecsSinceEpoch());
        QJsonObject c = claims("alice", "s", kAud);
        c["exp"] = now + 600.5;
        c["iat"] = now + 10; // a clock a little ahead, within the 30 s leeway
        QVERIFY(check(token(m_rsa, c)).ok);
    }

    void clockSkewLeeway()
    {
        QJsonObject c = claims("alice", "s", kAud);
        c["exp"] = double(QDateTime::currentSecsSinceEpoch() - 10); // within the 30 s leeway
        QVERIFY(check(token(m_rsa, c)).ok);
    }

    void hs256OnlyWithConfiguredSecret()
    {
        JwtSettings s = m_settings;
        s.allowedAlgorithms = {"HS256"};
        const QByteArray secret(40, 'k');
        const QByteArray t = JwtSigner::signHs256(claims("svc", "s", kAud), secret);
        QCOMPARE(JwtValidator::validate(t, s, m_keys, QDateTime::currentSecsSinceEpoch()).reason,
                 QStringLiteral("alg_not_allowed"));
        s.hmacSecret = secret;
        QVERIFY(JwtValidator::validate(t, s, m_keys, QDateTime::currentSecsSinceEpoch()).ok);
        s.hmacSecret = QByteArray(40, 'x');
        QCOMPARE(JwtValidator::validate(t, s, m_keys, QDateTime::currentSecsSinceEpoch()).reason,
                 QStringLiteral("bad_signature"));
        // RS256 is not in this pinned list.
        QCOMPARE(
            JwtValidator::validate(token(m_rsa, claims("a", "s", kAud)), s, m_keys, QDateTime::currentSecsSinceEpoch())
                .reason,
            QStringLiteral("alg_not_allowed"));
    }

    void jwksParsing()
    {
        QString error;
        QStringList warnings;
        QJsonArray keys = jwks({m_rsa}).value("keys").toArray();
        keys.append(QJsonObject{{"kty", "oct"}, {"kid", "sym"}, {"k", "c2VjcmV0"}});
        keys.append(QJsonObject{{"kty", "EC"}, {"kid", "p384"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}});
        keys.append(QJsonObject{{"kty", "RSA"}, {"kid", "short"}, {"n", "AQAB"}, {"e", "AQAB"}});
        const JsonWebKeySet set = JsonWebKeySet::fromJson(QJsonObject{{"keys", keys}}, &error, &warnings);
        QCOMPARE(set.size(), 1);
        QCOMPARE(warnings.size(), 3);
        JsonWebKeySet::fromJson(QJsonObject{{"nokeys", 1}}, &error);
        QVERIFY(error.contains("'keys'"));
    }
};

QTEST_GUILESS_MAIN(TestSecurityJwt)
#include "tst_security_jwt.moc"
