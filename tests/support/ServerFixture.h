#pragma once
// A real McpServer (the S12 catalog) listening on a free loopback port, in the test's thread.
#include "McpServer.h"
#include "s12/S12MedTrials.h"
#include "sessions/SessionManager.h"

#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <memory>

namespace koan::test {

struct ServerFixture {
    // `setup` runs before initialize(), e.g. to install a fixture pack (koanmcp_fixtures).
    explicit ServerFixture(McpServerOptions o = {}, const std::function<void(McpServer &)> &setup = {})
    {
        o.port = 0;
        if (o.databasePath.isEmpty())
            o.databasePath = dir.filePath("http.sqlite");
        if (o.auth.devIssuerKeyFile.isEmpty())
            o.auth.devIssuerKeyFile = dir.filePath("dev-issuer.pem");
        server = std::make_unique<McpServer>(o, s12::catalog());
        if (setup)
            setup(*server);
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
