#pragma once
// Turns server signals into Prometheus metrics (GET /metrics).
#include "MetricsRegistry.h"
#include "transport/TransportState.h"

#include <QObject>
#include <functional>

namespace koan {

class AuthAuditLog;
class RpcBridge;
class SessionManager;

class ServerMetrics : public QObject
{
    Q_OBJECT
public:
    // What the metrics observe; nothing else of the server.
    struct Sources {
        SessionManager *sessions = nullptr;
        RpcBridge *bridge = nullptr;
        AuthAuditLog *authLog = nullptr;
        std::function<TransportState()> transports;
    };
    explicit ServerMetrics(Sources sources, QObject *parent = nullptr);
    QByteArray render() { return m_registry.render(); }
    MetricsRegistry &registry() { return m_registry; }

public slots:
    void countRateLimited();
    void countHttpsViolation(bool redirected);

private:
    MetricsRegistry m_registry;
};

} // namespace koan
