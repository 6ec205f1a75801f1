#include "McpServer.h"

#include "core/RpcBridge.h"
#include "entities/EntityPromptProvider.h"
#include "entities/EntityRegistry.h"
#include "entities/EntityResourceProvider.h"
#include "protocol/JsonRpc.h"
#include "entities/EntityToolProvider.h"
#include "http/HttpServerBackend.h"
#include "admin/AdminController.h"
#include "edge/HttpEdge.h"
#include "edge/McpEndpoints.h"
#include "logging/LogSink.h"
#include "metrics/ServerMetrics.h"
#include "security/AuthAuditLog.h"
#include "security/BearerAuthenticator.h"
#include "sessions/SessionManager.h"
#include "store/ClusterRegistry.h"
#include "store/EntityStore.h"
#include "store/PostgresChangeBus.h"
#include "tasks/TaskManager.h"
#include "transport/HttpSseTransport.h"
#include "transport/StreamableHttpTransport.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QLoggingCategory>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcServer, "koan.server")

namespace koan {

namespace {
std::optional<QSslConfiguration> loadTls(const QString &certFile, const QString &keyFile, QString *error)
{
    QFile cf(certFile), kf(keyFile);
    if (!cf.open(QIODevice::ReadOnly) || !kf.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 or %2").arg(certFile, keyFile);
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(cf.readAll(), QSsl::Pem);
    const QByteArray keyPem = kf.readAll();
    QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || key.isNull()) {
        *error = QStringLiteral("%1 / %2 are not a PEM certificate and RSA/EC private key").arg(certFile, keyFile);
        return std::nullopt;
    }
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setLocalCertificateChain(chain);
    conf.setPrivateKey(key);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    return conf;
}
constexpr int kReadinessTimeoutMs = 2000; // /readyz waits no longer for the store's answer
} // namespace

McpServer::McpServer(McpServerOptions options, EntityCatalog catalog, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_store(new EntityStore(this)),
      m_registry(new EntityRegistry(std::move(catalog.entities), this)),
      m_bridge(new RpcBridge(ServerInfo{QStringLiteral("koan-mcp"), QStringLiteral("Koan MCP console"),
                                        QStringLiteral(KOAN_MCP_VERSION), m_options.instructions},
                             this)),
      m_entityTools(std::make_unique<EntityToolProvider>(m_registry, m_store, catalog.seedResource)),
      m_changes(std::make_unique<LocalChangeBus>()),
      m_entityResources(std::make_unique<EntityResourceProvider>(m_registry, m_store, catalog.resourceScheme)),
      m_entityPrompts(std::make_unique<EntityPromptProvider>(m_registry, m_entityResources.get(), catalog.prompts)),
      m_sessions(new SessionManager({m_options.maxConcurrentConnections, m_options.sseKeepAliveIntervalMs,
                                     m_options.sseConnectionTimeoutMs, m_options.maxSessions},
                                    this)),
      m_httpSse(new HttpSseTransport(
          m_bridge, m_sessions,
          {m_options.httpSseRoute, m_options.maxRequestBodyBytes, m_options.maxQueuedBytesPerStream}, this)),
      m_streamable(new StreamableHttpTransport(m_bridge, m_sessions,
                                               {m_options.maxRequestBodyBytes, m_options.maxQueuedBytesPerStream,
                                                m_options.replayBufferSize, 1000, m_options.streamableJsonResponse,
                                                m_options.enableStreamableHttpTransport},
                                               this)),
      m_audit(new AuthAuditLog(1000, this)), m_auth(new BearerAuthenticator(m_options, this))
{
    m_tasks = new TaskManager(m_store, m_options.tasks, this);
    m_bridge->setTaskService(m_tasks);
    m_admin
        = new AdminController({&m_options, m_registry, m_bridge, m_store, m_sessions, m_audit, m_httpSse, m_streamable,
                               m_tasks, [this] { return m_port ? baseUrl() : QString(); }, m_changes.get()},
                              this);
    const auto transports = [admin = m_admin] { return admin->transportState(); };
    m_metrics = new ServerMetrics({m_sessions, m_bridge, m_audit, transports}, this);
    OpsEndpoints::Parts ops{
        &m_options,
        m_registry,
        m_bridge,
        m_sessions,
        m_auth,
        m_metrics,
        transports,
        [this](std::function<void(bool, const QJsonObject &)> done) {
            const auto answer
                = [done, backend = m_store->backendName(),
                   replica = m_cluster ? m_cluster->replicaId() : QString()](bool up, const QString &state) {
                      QJsonObject status{{QStringLiteral("backend"), backend}, {QStringLiteral("state"), state}};
                      if (!replica.isEmpty())
                          status.insert(QStringLiteral("replica"), replica); // which one answered
                      done(up, status);
                  };
            if (!m_worker) {
                QString state;
                const bool up = m_store->ping(&state);
                return answer(up, state);
            }
            // Pinged on the first worker connection that is free, ahead of the calls queued there:
            // "unresponsive" when none answers within the probe's own (shorter) timeout.
            using Ping = QPair<bool, QString>;
            m_worker->run<Ping>(
                StoreWorker::Queueing{{}, true}, this,
                [](EntityStore &store) {
                    QString state;
                    const bool up = store.ping(&state);
                    return Ping{up, state};
                },
                [answer](Ping ping) { answer(ping.first, ping.second); },
                [answer](StoreWorker::Failure) { answer(false, QStringLiteral("unresponsive")); },
                qMin(m_worker->timeoutMs(), kReadinessTimeoutMs));
        },
        [this] { return m_port != 0; }};
    m_http = new HttpEdge({&m_options,
                           m_auth,
                           m_audit,
                           m_sessions,
                           {m_httpSse, m_options.enableStreamableHttpTransport ? m_streamable : nullptr},
                           m_admin,
                           ops},
                          this);
    connect(m_http, &HttpEdge::rateLimited, m_metrics, &ServerMetrics::countRateLimited);
    connect(m_http, &HttpEdge::httpsRequired, m_metrics, &ServerMetrics::countHttpsViolation);
    m_bridge->setToolsPageSize(m_options.toolsPageSize);
    m_bridge->addToolProvider(m_entityTools.get());
    m_bridge->addResourceProvider(m_entityResources.get());
    if (!catalog.prompts.isEmpty())
        m_bridge->addPromptProvider(m_entityPrompts.get());
    // Every writer (any client, any transport, the console) goes through the store, which
    // publishes each commit; entity overrides change the tool list (and who sees which resources).
    m_store->setChangeBus(m_changes.get());
    connect(m_registry, &EntityRegistry::changed, this, [this] { m_changes->publish(Change::toolList()); });
    m_changes->listen([this](const Change &change) {
        if (change.kind == Change::Kind::ToolList) {
            m_bridge->publish(jsonrpc::makeNotification(QStringLiteral("notifications/tools/list_changed")));
            m_bridge->publish(jsonrpc::makeNotification(QStringLiteral("notifications/resources/list_changed")));
            return;
        }
        if (change.kind != Change::Kind::Record)
            return;
        if (change.entity == QLatin1String(EntityStore::kTasksEntity) || (change.all && change.entity.isEmpty()))
            m_tasks->rowsChanged(change.all ? QStringList() : change.ids); // e.g. cancelled through another replica
        if (change.entity == QLatin1String(EntityStore::kTasksEntity))
            return;
        // A record created or deleted changes the resource list; a whole entity (or, after the
        // change listener reconnected, everything) may have changed: the list, and every
        // subscribed record of it.
        if (change.all || change.listed)
            m_bridge->publish(jsonrpc::makeNotification(QStringLiteral("notifications/resources/list_changed")));
        for (const QString &uri :
             m_entityResources->urisOf(change, change.all ? m_bridge->subscribedResources() : QStringList{}))
            m_bridge->publish(jsonrpc::makeNotification(QStringLiteral("notifications/resources/updated"),
                                                        QJsonObject{{QStringLiteral("uri"), uri}}));
    });
    m_registry->setServerRequiresAuthentication(m_options.effectiveRequireAuthentication());
    m_httpSse->setEnabled(m_options.enableHttpSseTransport);
    connect(m_bridge, &RpcBridge::sessionInitialized, m_sessions, &SessionManager::updateClient);
    connect(m_admin, &AdminController::httpSseEnabledChanged, this, &McpServer::httpSseEnabledChanged);
    // Tool-level denials (-32003) are authorization failures too.
    connect(m_bridge, &RpcBridge::toolCallDenied, this,
            [this](const QString &sessionId, TransportKind transport, const QString &subject, const QString &tool,
                   const QString &reason) {
                const LogSink::SessionScope scope(sessionId); // the audit warning names the real session
                const SessionInfo info = m_sessions->info(sessionId);
                const QString remote = info.remote;
                const QString path = McpEndpoints::pathOf(m_options.httpSseRoute, transport);
                m_audit->record(AuthFailure{QDateTime::currentDateTimeUtc(),
                                            remote.isEmpty() ? QStringLiteral("local") : remote,
                                            QStringLiteral("tool_forbidden"), subject, path,
                                            QStringLiteral("tools/call %1: %2").arg(tool, reason), info.issuer});
            });
}

McpServer::~McpServer()
{
    stopHttp();
    m_tasks->stop(); // while the store is still open: its running tasks read "interrupted" at once
}

QString McpServer::defaultDatabasePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() : dir).filePath(QStringLiteral("koan-mcp.sqlite"));
}

bool McpServer::initialize(QStringList *errors)
{
    if (!m_registry->applyOverrides(m_options.entityOverrides, errors) || !m_auth->initialize(errors))
        return false;
    if (!loadRequestStateKey(errors))
        return false;
    const bool postgres = !m_options.databaseUrl.isEmpty();
    const QString path = m_options.databasePath.isEmpty() ? defaultDatabasePath() : m_options.databasePath;
    QString error;
    const auto sync = m_options.store.synchronous == QLatin1String("NORMAL") ? EntityStore::Synchronous::Normal
                                                                             : EntityStore::Synchronous::Full;
    // PostgreSQL: this process is one replica of those sharing the database; its tasks run under its registry id.
    const bool newRegistry = postgres && !m_cluster;
    if (newRegistry)
        m_cluster = new ClusterRegistry(m_options.databaseUrl, {}, this);
    if (m_cluster) {
        m_tasks->setReplica(m_cluster->replicaId(), m_cluster->expiryMs());
        m_entityTools->setRunner(m_cluster->replicaId()); // holds its batches' idempotency keys
    }
    const bool opened = postgres ? m_store->openUrl(m_options.databaseUrl, &error) : m_store->open(path, &error, sync);
    if (!opened || !m_entityTools->prepareStore(m_options.seedSampleData, &error) || !m_tasks->open(&error)) {
        errors->append(QStringLiteral("Koan:Mcp:%1: %2")
                           .arg(postgres ? QStringLiteral("DatabaseUrl") : QStringLiteral("DatabasePath"), error));
        return false;
    }
    ChangeBus *changeBus = m_changes.get(); // where commits are announced
    if (postgres) {
        // Replicas share the database: changes reach every one of them through LISTEN koan_changes.
        auto *bus = new PostgresChangeBus(m_options.databaseUrl, m_changes.get(), this);
        if (!bus->start(&error)) {
            errors->append(QStringLiteral("Koan:Mcp:DatabaseUrl: %1").arg(error));
            return false;
        }
        m_store->setChangeBus(bus);
        changeBus = bus;
    }
    if (newRegistry) {
        // The replicas' live 2025-era and legacy sessions (and its tasks' runner), registered for the whole cluster to see.
        const auto registered = [](const SessionInfo &info) {
            return info.kind == SessionKind::Session
                   && (info.transport == TransportKind::HttpSse || info.transport == TransportKind::StreamableHttp);
        };
        connect(m_sessions, &SessionManager::sessionOpened, this, [this, registered](const SessionInfo &info) {
            if (registered(info))
                m_cluster->sessionOpened(RegisteredSession{
                    info.id,
                    m_cluster->replicaId(),
                    transportName(info.transport),
                    info.subject.isEmpty() ? QString() : info.issuer + QLatin1Char('|') + info.subject,
                    info.created.toUTC().toString(Qt::ISODateWithMs),
                    {}});
        });
        connect(m_sessions, &SessionManager::sessionClosed, this,
                [this](const QString &id) { m_cluster->sessionClosed(id); });
        m_admin->setClusterRegistry(m_cluster);
        m_cluster->start();
        qCInfo(lcServer).noquote() << "replica" << m_cluster->replicaId() << "registered in the shared database";
    }
    if (!m_worker && (postgres || path != QLatin1String(":memory:"))) {
        // Tool calls, resources/read and resources/list, and /readyz reach the database from the
        // worker's threads, each on a connection of its own (migrated and seeded above).
        m_worker = std::make_unique<StoreWorker>(m_options.store.timeoutSeconds * 1000,
                                                 m_options.store.connectionsFor(m_options.databaseUrl, path));
        const StoreWorker::Opener open = [this, postgres, path, sync](EntityStore &store, QString *e) {
            return postgres ? store.openUrl(m_options.databaseUrl, e) : store.open(path, e, sync);
        };
        if (!m_worker->start(open, &error)) {
            m_worker.reset();
            errors->append(QStringLiteral("Koan:Mcp:%1: %2")
                               .arg(postgres ? QStringLiteral("DatabaseUrl") : QStringLiteral("DatabasePath"), error));
            return false;
        }
        m_worker->setChangeBus(changeBus);
        m_entityTools->setWorker(m_worker.get());
        m_entityResources->setWorker(m_worker.get());
        m_tasks->setWorker(m_worker.get());
        m_admin->setStoreWorker(m_worker.get());
    }
    // PostgreSQL: the rollback switch and the entity overrides in force are the database's.
    if (!m_admin->startClusterSettings(&error)) {
        errors->append(QStringLiteral("Koan:Mcp:DatabaseUrl: %1").arg(error));
        return false;
    }
    // location(): the file, or the URL without its password.
    qCInfo(lcServer).noquote() << "store" << m_store->backendName() << m_store->location() << "ready (schema version"
                               << m_store->schemaVersion() << ");" << m_registry->tools().size() << "entity tools;"
                               << (m_worker ? m_worker->connections() : 0) << "store worker connection(s)";
    if (!postgres && sync == EntityStore::Synchronous::Normal)
        qCWarning(lcServer).noquote() << "Store:Synchronous=NORMAL: commits are not synced to disk; acknowledged "
                                         "writes can be lost on power loss (Development only)";
    return true;
}

bool McpServer::loadRequestStateKey(QStringList *errors)
{
    if (m_options.requestStateKeyFile.isEmpty())
        return true; // a random key of this process (RpcBridge's default)
    QFile file(m_options.requestStateKeyFile);
    const auto refuse = [&](const QString &why) {
        errors->append(QStringLiteral("Koan:Mcp:RequestStateKeyFile: %1 (%2)").arg(why, m_options.requestStateKeyFile));
        return false;
    };
    if (!file.open(QIODevice::ReadOnly))
        return refuse(QStringLiteral("cannot read the file: %1").arg(file.errorString()));
    const QByteArray key = file.readAll().trimmed();
    if (key.size() < 32)
        return refuse(QStringLiteral("the key must hold at least 32 bytes, it has %1").arg(key.size()));
    m_bridge->setRequestStateKey(key);
    return true;
}

bool McpServer::startHttp(QStringList *errors)
{
    if (m_backend)
        return true;
    if (const QStringList problems = m_options.tokenValidationProblems(m_options.effectiveRequireAuthentication());
        !problems.isEmpty()) {
        *errors += problems;
        return false;
    }
    m_backend = new HttpServerBackend(this);
    m_backend->setHandler([this](const HttpRequest &req, HttpResponder *r) { m_http->handle(req, r); });
    m_backend->setRequestLimits({{m_options.maxRequestBodyBytes, m_options.maxHeaderBytes, m_options.maxHeaderCount},
                                 m_options.headerReadTimeoutMs,
                                 m_options.bodyReadTimeoutMs,
                                 m_options.keepAliveIdleTimeoutMs,
                                 m_options.httpSseRoute.toUtf8()});
    m_backend->setTlsHandshakeTimeout(m_options.tlsHandshakeTimeoutMs);
    QHostAddress address;
    if (m_options.bindAddress == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(m_options.bindAddress)) {
        errors->append(QStringLiteral("Koan:Mcp:BindAddress: '%1' is not an IP address").arg(m_options.bindAddress));
        return false;
    }
    std::optional<QSslConfiguration> tls;
    if (m_options.tlsEnabled()) {
        QString error;
        tls = loadTls(m_options.tlsCertificateFile, m_options.tlsKeyFile, &error);
        if (!tls) {
            errors->append(QStringLiteral("Koan:Mcp:TlsCertificateFile: %1").arg(error));
            delete m_backend;
            m_backend = nullptr;
            return false;
        }
    }
    m_port = m_backend->listen(address, quint16(m_options.port), 4096, tls);
    if (m_port == 0) {
        errors->append(QStringLiteral("Koan:Mcp:Port: cannot listen on %1:%2: %3")
                           .arg(m_options.bindAddress)
                           .arg(m_options.port)
                           .arg(m_backend->errorString()));
        delete m_backend;
        m_backend = nullptr;
        return false;
    }
    // Each stream holds one descriptor; leave headroom for the store, logs and accepts.
    if (const qint64 fds = m_backend->fileDescriptorLimit(); fds > 0 && m_options.maxConcurrentConnections + 64 > fds)
        qCWarning(lcServer).noquote() << "RLIMIT_NOFILE is" << fds << "but MaxConcurrentConnections is"
                                      << m_options.maxConcurrentConnections
                                      << "- raise the limit (ulimit -n) or lower the setting";
    m_auth->setResource(m_options.resourceUri(m_port));
    if (m_cluster)
        m_cluster->start(); // again after a stopHttp
    qCInfo(lcServer).noquote() << "listening on" << baseUrl()
                               << QStringLiteral("(bound to %1)").arg(m_options.bindAddress) << "| Streamable HTTP"
                               << baseUrl() + m_options.httpSseRoute << "| HTTP+SSE"
                               << baseUrl() + m_options.httpSseRoute + QStringLiteral("/sse")
                               << (m_httpSse->isEnabled() ? "(enabled)" : "(disabled)") << "| resource"
                               << m_auth->resource();
    return true;
}

void McpServer::stopHttp(const QString &reason)
{
    if (!m_backend)
        return;
    m_backend->close();
    m_sessions->closeAll(reason);
    // After the sessions' endings (attached consoles see them), a final `shutdown` event while
    // the sockets still work.
    m_http->closeAdminStreams();
    delete m_backend;
    m_backend = nullptr;
    m_port = 0;
    if (m_cluster)
        m_cluster->stop(); // this replica's rows go now rather than at their expiry
}

QString McpServer::baseUrl() const
{
    return m_options.publicBaseUrl(m_port);
}

bool McpServer::isHttpSseEnabled() const
{
    return m_httpSse->isEnabled();
}

void McpServer::setHttpSseEnabled(bool enabled, const WriteContext &who)
{
    m_admin->switchHttpSse(enabled, who);
}

} // namespace koan
