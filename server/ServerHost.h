#pragma once
// Runs an McpServer on its own thread so a busy GUI can never stall streams and heartbeats.
// Everything server-side (store connection, sockets, timers) is created inside that thread;
// other threads talk to the server through queued signals and invoke().
#include "McpServer.h"

#include <QThread>
#include <functional>

namespace koan {

class ServerHost : public QObject
{
    Q_OBJECT
public:
    ServerHost(McpServerOptions options, EntityCatalog catalog, QObject *parent = nullptr);
    ~ServerHost() override; // stops HTTP (closing streams) and joins the thread

    // Creates the server in the worker thread, runs `setup` on it there (e.g. installs a fixture
    // pack), initializes it and optionally starts HTTP.
    bool start(bool http, QStringList *errors, const std::function<void(McpServer *)> &setup = {});
    void stop();
    McpServer *server() const { return m_server; }

    // Runs `fn` on the server thread and waits for it.
    void invoke(const std::function<void()> &fn) const;

private:
    McpServerOptions m_options;
    EntityCatalog m_catalog;
    QThread m_thread;
    McpServer *m_server = nullptr;
};

} // namespace koan
