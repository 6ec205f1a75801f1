#pragma once
// Turns server signals into Prometheus metrics (GET /metrics).
#include "MetricsRegistry.h"

#include <QObject>

namespace koan {

class McpServer;

class ServerMetrics : public QObject
{
    Q_OBJECT
public:
    explicit ServerMetrics(McpServer *server, QObject *parent = nullptr);
    QByteArray render() { return m_registry.render(); }
    MetricsRegistry &registry() { return m_registry; }

private:
    MetricsRegistry m_registry;
};

} // namespace koan
