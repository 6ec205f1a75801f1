#include "McpServer.h"

#include "core/RpcBridge.h"
#include "entities/EntityRegistry.h"
#include "entities/EntityToolProvider.h"
#include "entities/S12MedTrials.h"
#include "store/EntityStore.h"

#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcServer, "koan.server")

namespace koan {

McpServer::McpServer(McpServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_store(new EntityStore(this)),
      m_registry(new EntityRegistry(s12::entities(), this)),
      m_bridge(new RpcBridge(ServerInfo{QStringLiteral("koan-mcp"), QStringLiteral("Koan MCP console"),
                                        QStringLiteral(KOAN_MCP_VERSION), m_options.instructions}, this)),
      m_entityTools(std::make_unique<EntityToolProvider>(m_registry, m_store))
{
    m_bridge->setToolsPageSize(m_options.toolsPageSize);
    m_bridge->addToolProvider(m_entityTools.get());
    m_registry->setServerRequiresAuthentication(m_options.effectiveRequireAuthentication());
}

McpServer::~McpServer() = default;

QString McpServer::defaultDatabasePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() : dir).filePath(QStringLiteral("koan-mcp.sqlite"));
}

bool McpServer::initialize(QStringList *errors)
{
    if (!m_registry->applyOverrides(m_options.entityOverrides, errors))
        return false;
    const QString path = m_options.databasePath.isEmpty() ? defaultDatabasePath() : m_options.databasePath;
    QString error;
    if (!m_store->open(path, &error) || !m_entityTools->prepareStore(m_options.seedSampleData, &error)) {
        errors->append(QStringLiteral("Koan:Mcp:DatabasePath: %1").arg(error));
        return false;
    }
    qCInfo(lcServer).noquote() << "store" << path << "ready;" << m_registry->tools().size() << "entity tools";
    return true;
}

} // namespace koan
