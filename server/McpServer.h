#pragma once
// Composition root of the embedded server: options, store, entity registry, dispatcher and
// transports. Lives on one thread (the server thread); the GUI talks to it through signals.
#include "config/McpServerOptions.h"
#include "core/McpSession.h"

#include <QObject>
#include <memory>

namespace koan {

class EntityRegistry;
class EntityStore;
class EntityToolProvider;
class RpcBridge;

class McpServer : public QObject
{
    Q_OBJECT
public:
    explicit McpServer(McpServerOptions options, QObject *parent = nullptr);
    ~McpServer() override;

    // Opens the store, applies entity overrides, loads seed data. Errors are startup errors.
    bool initialize(QStringList *errors);

    const McpServerOptions &options() const { return m_options; }
    RpcBridge *bridge() const { return m_bridge; }
    EntityRegistry *registry() const { return m_registry; }
    EntityStore *store() const { return m_store; }

    static QString defaultDatabasePath();

private:
    McpServerOptions m_options;
    EntityStore *m_store;
    EntityRegistry *m_registry;
    RpcBridge *m_bridge;
    std::unique_ptr<EntityToolProvider> m_entityTools;
};

} // namespace koan
