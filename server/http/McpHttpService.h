#pragma once
// Routes HTTP requests to the MCP transports and the operational endpoints, applying the
// Host/Origin (DNS rebinding) and CORS policy on every route.
#include "HttpRequest.h"
#include "OriginPolicy.h"
#include "core/Principal.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

namespace koan {

class HttpResponder;
class McpServer;

class McpHttpService : public QObject
{
    Q_OBJECT
public:
    explicit McpHttpService(McpServer *server, QObject *parent = nullptr);
    void handle(const HttpRequest &request, HttpResponder *responder);

    QJsonObject capabilities(const Principal &caller, const QString &baseUrl) const;
    QJsonObject readiness(bool *ready) const;

private:
    McpServer *m_server;
    OriginPolicy m_origins;
    QElapsedTimer m_uptime;
};

} // namespace koan
