#pragma once
// A real McpServer listening on a free loopback port, in the test's thread.
#include "McpServer.h"
#include "sessions/SessionManager.h"

#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace koan::test {

struct ServerFixture {
    explicit ServerFixture(McpServerOptions o = {}, const QString &fixturePack = {})
    {
        o.port = 0;
        if (o.databasePath.isEmpty())
            o.databasePath = dir.filePath("http.sqlite");
        if (o.auth.devIssuerKeyFile.isEmpty())
            o.auth.devIssuerKeyFile = dir.filePath("dev-issuer.pem");
        server = std::make_unique<McpServer>(o);
        if (!fixturePack.isEmpty())
            server->loadFixturePack(fixturePack);
        QStringList errors;
        ok = server->initialize(&errors) && server->startHttp(&errors);
        problems = errors.join('\n');
        port = server->httpPort();
    }
    SessionManager *sessions() const { return server->sessions(); }

    QTemporaryDir dir;
    std::unique_ptr<McpServer> server;
    quint16 port = 0;
    bool ok = false;
    QString problems;
};

} // namespace koan::test
