#pragma once
// Composition root of the embedded server: options, store, entity registry, dispatcher,
// sessions and transports. Lives on one thread (the server thread); the GUI observes it
// through signals and commands it through queued calls.
#include "config/McpServerOptions.h"
#include "core/McpSession.h"
#include "entities/EntityCatalog.h"
#include "store/AuditTrail.h"
#include "store/StoreWorker.h"

#include <QObject>
#include <memory>

namespace koan {

class AdminController;
class ChangeBus;
class ClusterRegistry;
class EntityPromptProvider;
class EntityResourceProvider;
class AuthAuditLog;
class BearerAuthenticator;
class EntityRegistry;
class EntityStore;
class EntityToolProvider;
class HttpServerBackend;
class HttpSseTransport;
class HttpEdge;
class RpcBridge;
class ServerMetrics;
class SessionManager;
class StreamableHttpTransport;
class TaskManager;

class McpServer : public QObject
{
    Q_OBJECT
public:
    // `catalog`: the entities to serve and their sample data (the composition root's domain).
    McpServer(McpServerOptions options, EntityCatalog catalog, QObject *parent = nullptr);
    ~McpServer() override;

    // Opens the store, applies entity overrides, loads seed data. Errors are startup errors.
    bool initialize(QStringList *errors);
    // Starts listening for HTTP (both HTTP transports share the port). Port 0 picks a free one.
    bool startHttp(QStringList *errors);
    void stopHttp(const QString &reason = QStringLiteral("server_shutdown"));

    const McpServerOptions &options() const { return m_options; }
    RpcBridge *bridge() const { return m_bridge; }
    EntityRegistry *registry() const { return m_registry; }
    EntityStore *store() const { return m_store; }
    // Record, tool-list and setting changes (in-process): what drives list_changed and
    // resources/updated notifications.
    ChangeBus *changes() const { return m_changes.get(); }
    SessionManager *sessions() const { return m_sessions; }
    StreamableHttpTransport *streamable() const { return m_streamable; }
    // The operator's command path (console and admin API); its signals carry the server's events.
    AdminController *admin() const { return m_admin; }
    TaskManager *tasks() const { return m_tasks; }
    // The pool that runs client store calls (null for an in-memory database).
    StoreWorker *storeWorker() const { return m_worker.get(); }
    // PostgreSQL: the registry of the replicas and their sessions (null on SQLite).
    ClusterRegistry *cluster() const { return m_cluster; }
    BearerAuthenticator *authenticator() const { return m_auth; }
    AuthAuditLog *auditLog() const { return m_audit; }

    quint16 httpPort() const { return m_port; }
    QString baseUrl() const; // e.g. http://127.0.0.1:5114 (a wildcard bind address shows as loopback)
    bool isHttpSseEnabled() const;

    static QString defaultDatabasePath();

public slots:
    // The runtime rollback switch (see AdminController::switchHttpSse).
    void setHttpSseEnabled(bool enabled, const WriteContext &who = WriteContext::localOperator());

signals:
    void httpSseEnabledChanged(bool enabled);

private:
    bool loadRequestStateKey(QStringList *errors); // Koan:Mcp:RequestStateKeyFile
    McpServerOptions m_options;
    EntityStore *m_store;
    EntityRegistry *m_registry;
    RpcBridge *m_bridge;
    std::unique_ptr<EntityToolProvider> m_entityTools;
    std::unique_ptr<ChangeBus> m_changes;
    std::unique_ptr<EntityResourceProvider> m_entityResources;
    std::unique_ptr<EntityPromptProvider> m_entityPrompts;
    SessionManager *m_sessions;
    HttpSseTransport *m_httpSse;
    StreamableHttpTransport *m_streamable;
    AuthAuditLog *m_audit;
    BearerAuthenticator *m_auth;
    AdminController *m_admin = nullptr;
    TaskManager *m_tasks = nullptr;
    ClusterRegistry *m_cluster = nullptr;
    ServerMetrics *m_metrics = nullptr;
    HttpEdge *m_http = nullptr;
    HttpServerBackend *m_backend = nullptr;
    quint16 m_port = 0;
    // Client store calls off this thread (see StoreWorker); none for an in-memory database.
    // Last: it stops first, before anything its calls touch.
    std::unique_ptr<StoreWorker> m_worker;
};

} // namespace koan
