#pragma once
// The operator's command channel into a running server. It lives on the server thread; the
// console calls its slots through queued connections and gets value snapshots and results back
// as signals, so the GUI never touches server internals across threads.
#include "config/McpServerOptions.h"
#include "core/McpSession.h"
#include "entities/EntityDescriptor.h"
#include "sessions/SessionInfo.h"

#include <QJsonObject>
#include <QMetaType>
#include <QObject>

namespace koan {

class McpServer;

struct EntitySnapshot {
    QString entity;         // its name (EntityDescriptor::name)
    EntityOptions options;  // effective options
    EntityOptions defaults; // before overrides
};

struct ToolSnapshot {
    QString name;
    QString entity; // empty for non-entity tools
    QString description;
    QJsonObject inputSchema;
};

struct ServerStatus {
    QString environment;
    bool authenticationRequired = false;
    bool httpSseEnabled = true;
    bool streamableEnabled = true;
    bool stdioEnabled = true;
    QString baseUrl; // empty when HTTP is not listening
    QString route;
    QString bindAddress;
    int maxConnections = 0;
    int keepAliveMs = 0;
};

class AdminController : public QObject
{
    Q_OBJECT
public:
    // `userOverrideFile` receives entity overrides edited in the console (empty: not persisted).
    AdminController(McpServer *server, QString userOverrideFile, QObject *parent = nullptr);

    QList<EntitySnapshot> entities() const;
    QList<ToolSnapshot> tools() const;
    ServerStatus status() const;

public slots:
    void refresh(); // emits entitiesChanged, toolsChanged, statusChanged and sessionsChanged
    void applyEntityOptions(const QString &entity, const koan::EntityOptions &options);
    void resetEntityOptions(const QString &entity);
    // Runs tools/call through the real dispatcher as the local operator.
    void invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments);
    void setHttpSseEnabled(bool enabled);
    void disconnectSession(const QString &sessionId);

signals:
    void entitiesChanged(const QList<koan::EntitySnapshot> &entities);
    void toolsChanged(const QList<koan::ToolSnapshot> &tools);
    void statusChanged(const koan::ServerStatus &status);
    void sessionsChanged(const QList<koan::SessionInfo> &sessions);
    void entityOptionsApplied(const QString &entity, bool ok, const QString &error);
    void toolInvoked(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                     double durationMs);

private:
    bool persist(const QString &entity, QString *error) const;

    McpServer *m_server;
    QString m_userOverrideFile;
    SessionPtr m_operator;
    qint64 m_nextId = 1;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::EntityOptions)
Q_DECLARE_METATYPE(koan::EntitySnapshot)
Q_DECLARE_METATYPE(koan::ToolSnapshot)
Q_DECLARE_METATYPE(koan::ServerStatus)
