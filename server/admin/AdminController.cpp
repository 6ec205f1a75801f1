#include "AdminController.h"

#include "McpServer.h"
#include "config/OptionsLoader.h"
#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "sessions/SessionManager.h"
#include "store/EntityStore.h"
#include "transport/StreamableHttpTransport.h"

#include <QDir>
#include <QLoggingCategory>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QUuid>

Q_LOGGING_CATEGORY(lcAdmin, "koan.admin")

namespace koan {

AdminController::AdminController(McpServer *server, QString userOverrideFile, QObject *parent)
    : QObject(parent), m_server(server), m_userOverrideFile(std::move(userOverrideFile)),
      m_operator(
          std::make_shared<McpSession>(QStringLiteral("operator-") + QUuid::createUuid().toString(QUuid::Id128).left(8),
                                       TransportKind::Operator, Principal::localOwner()))
{
    qRegisterMetaType<koan::EntityOptions>();
    qRegisterMetaType<koan::EntitySnapshot>();
    qRegisterMetaType<QList<koan::EntitySnapshot>>();
    qRegisterMetaType<koan::ToolSnapshot>();
    qRegisterMetaType<QList<koan::ToolSnapshot>>();
    qRegisterMetaType<koan::ServerStatus>();
    // The operator session is initialized once, like any client.
    m_operator->protocolVersion = QStringLiteral("2025-11-25");
    m_operator->initialized = m_operator->ready = true;
    m_operator->clientInfo = QJsonObject{{QStringLiteral("name"), QStringLiteral("koan-console")},
                                         {QStringLiteral("version"), QStringLiteral(KOAN_MCP_VERSION)}};
    connect(server->registry(), &EntityRegistry::changed, this, [this] {
        emit entitiesChanged(entities());
        emit toolsChanged(tools());
    });
    connect(server, &McpServer::httpSseEnabledChanged, this, [this] { emit statusChanged(status()); });
}

QList<EntitySnapshot> AdminController::entities() const
{
    QList<EntitySnapshot> out;
    const EntityRegistry *reg = m_server->registry();
    for (const auto &e : reg->entities()) {
        EntitySnapshot s;
        s.entity = e.name;
        s.options = reg->options(e.name);
        s.defaults.name = e.toolPrefix;
        s.defaults.description = e.description;
        s.defaults.requiredScopes = e.requiredScopes;
        out.append(s);
    }
    return out;
}

QList<ToolSnapshot> AdminController::tools() const
{
    QList<ToolSnapshot> out;
    for (const auto &t : m_server->bridge()->visibleTools(*m_operator)) {
        const EntityRegistry::Tool *et = m_server->registry()->tool(t.name);
        out.append(ToolSnapshot{t.name, et ? et->entity->name : QString(), t.description, t.inputSchema});
    }
    return out;
}

ServerStatus AdminController::status() const
{
    const McpServerOptions &o = m_server->options();
    ServerStatus s;
    s.environment = o.environment;
    s.authenticationRequired = o.effectiveRequireAuthentication();
    s.httpSseEnabled = m_server->isHttpSseEnabled();
    s.streamableEnabled = o.enableStreamableHttpTransport && m_server->streamable()->isEnabled();
    s.stdioEnabled = o.enableStdioTransport;
    s.baseUrl = m_server->httpPort() ? m_server->baseUrl() : QString();
    s.route = o.httpSseRoute;
    s.bindAddress = o.bindAddress;
    s.maxConnections = o.maxConcurrentConnections;
    s.keepAliveMs = o.sseKeepAliveIntervalMs;
    return s;
}

void AdminController::refresh()
{
    emit entitiesChanged(entities());
    emit toolsChanged(tools());
    emit statusChanged(status());
    emit sessionsChanged(m_server->sessions()->snapshot());
}

void AdminController::applyEntityOptions(const QString &entity, const EntityOptions &options)
{
    QString error;
    const EntityOptions previous = m_server->registry()->options(entity);
    const QJsonObject before = m_server->registry()->overrideFor(entity).toJson();
    if (!m_server->registry()->setOptions(entity, options, &error)) {
        emit entityOptionsApplied(entity, false, error);
        emit entitiesChanged(entities()); // let the editor show the values in force
        return;
    }
    if (!persist(entity, &error)) {
        QString ignored;
        m_server->registry()->setOptions(entity, previous, &ignored);
        emit entityOptionsApplied(entity, false, error);
        return;
    }
    if (const QJsonObject after = m_server->registry()->overrideFor(entity).toJson(); after != before)
        if (!m_server->store()->recordSetting(QStringLiteral("EntityOverrides:%1").arg(entity), before, after,
                                              WriteContext::localOperator(), &error))
            qCWarning(lcAdmin).noquote() << "the entity override change could not be audited:" << error;
    emit entityOptionsApplied(entity, true, QString());
}

void AdminController::resetEntityOptions(const QString &entity)
{
    for (const auto &s : entities())
        if (s.entity == entity)
            return applyEntityOptions(entity, s.defaults);
}

bool AdminController::persist(const QString &entity, QString *error) const
{
    if (m_userOverrideFile.isEmpty())
        return true;
    QJsonObject root;
    QFile in(m_userOverrideFile);
    if (in.open(QIODevice::ReadOnly))
        root = QJsonDocument::fromJson(in.readAll()).object();
    in.close();
    const QJsonObject ov = m_server->registry()->overrideFor(entity).toJson();
    OptionsLoader::setPath(
        root, {QStringLiteral("Koan"), QStringLiteral("Mcp"), QStringLiteral("EntityOverrides"), entity}, ov);
    QDir().mkpath(QFileInfo(m_userOverrideFile).absolutePath());
    QSaveFile out(m_userOverrideFile);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(root).toJson()) < 0 || !out.commit()) {
        *error = QStringLiteral("cannot save %1: %2").arg(m_userOverrideFile, out.errorString());
        return false;
    }
    return true;
}

void AdminController::invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments)
{
    const QJsonObject request{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                              {QStringLiteral("id"), QStringLiteral("console-%1").arg(m_nextId++)},
                              {QStringLiteral("method"), QStringLiteral("tools/call")},
                              {QStringLiteral("params"),
                               QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}}}};
    QElapsedTimer timer;
    timer.start();
    m_server->bridge()->handleValue(
        request, m_operator, [](const QJsonObject &) {},
        [this, requestId, request, timer](const QJsonValue &reply) {
            emit toolInvoked(requestId, request, reply.toObject(), timer.nsecsElapsed() / 1e6);
        });
}

void AdminController::setHttpSseEnabled(bool enabled)
{
    m_server->setHttpSseEnabled(enabled);
}

void AdminController::disconnectSession(const QString &sessionId)
{
    m_server->sessions()->disconnectSession(sessionId);
}

} // namespace koan
