#include "ClusterSettings.h"

#include "AdminController.h"
#include "SettingsWriter.h"
#include "config/McpServerOptions.h"
#include "core/ChangeBus.h"
#include "entities/EntityRegistry.h"
#include "store/EntityStore.h"
#include "store/StoreWorker.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCluster, "koan.cluster")

namespace koan {

namespace {
constexpr int kRetryMs = 1000; // a failed read of the settings is tried again after this

WriteContext settingsFile()
{
    WriteContext who;
    who.principal = QStringLiteral("system:settings-file");
    who.transport = QStringLiteral("system");
    return who;
}
} // namespace

ClusterSettings::ClusterSettings(Parts parts) : m_parts(std::move(parts))
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryMs);
    QObject::connect(&m_retry, &QTimer::timeout, &m_retry, [this] { reread(allKeys()); });
    if (m_parts.writer)
        QObject::connect(m_parts.writer, &SettingsWriter::settled, m_context.get(), [this](const QString &key) {
            if (m_started)
                reread({key}); // our write landed (or failed): the database's value is in force again
        });
}

ClusterSettings::~ClusterSettings() = default;

QStringList ClusterSettings::allKeys() const
{
    QStringList keys{QString::fromLatin1(kHttpSseKey)};
    for (const EntityDescriptor &e : m_parts.registry->entities())
        keys << QString::fromLatin1(kOverridePrefix) + e.name;
    return keys;
}

bool ClusterSettings::isShared() const
{
    return m_parts.store->backend() == EntityStore::Backend::Postgres;
}

bool ClusterSettings::start(QString *error)
{
    if (!isShared()) {
        qCInfo(lcCluster).noquote() << "EnableHttpSseTransport="
                                           + QString::fromLatin1(m_parts.options->enableHttpSseTransport ? "true"
                                                                                                         : "false")
                                    << "in force, from the settings file (SQLite store: this process only)";
        return true;
    }
    if (!loadHttpSse(true, error))
        return false;
    for (const EntityDescriptor &e : m_parts.registry->entities())
        if (!loadOverride(e.name, true, error))
            return false;
    if (!m_started) {
        m_started = true;
        m_parts.changes->listen([this](const Change &change) { changed(change); });
    }
    return true;
}

void ClusterSettings::changed(const Change &change)
{
    const QString prefix = QString::fromLatin1(kOverridePrefix);
    if (change.kind == Change::Kind::Setting) {
        if (change.key == QLatin1String(kHttpSseKey) || change.key.startsWith(prefix))
            reread({change.key});
    } else if (change.kind == Change::Kind::Record && change.all && change.entity.isEmpty()) {
        // The change listener reconnected: whatever was notified meanwhile is lost, so re-read all.
        reread(allKeys());
    }
}

void ClusterSettings::reread(const QStringList &keys)
{
    struct Read {
        Values values;
        QString error, reason;
    };
    const auto work = [keys](EntityStore &store) {
        Read r;
        for (const QString &key : keys) {
            r.values[key] = store.sharedSetting(key, &r.error);
            if (!r.error.isEmpty())
                break;
        }
        return r;
    };
    const auto apply = [this](const Read &r) {
        if (!r.error.isEmpty())
            return retry(r.error);
        if (m_retrying && !m_retry.isActive()) {
            m_retrying = false;
            qCInfo(lcCluster).noquote() << "cluster-wide settings read again";
        }
        const QString prefix = QString::fromLatin1(kOverridePrefix);
        for (const auto &[key, kept] : r.values) {
            if (!kept || (m_parts.writer && m_parts.writer->isPending(key)))
                continue; // nothing kept yet, or this replica's newer value is still on its way there
            if (key == QLatin1String(kHttpSseKey))
                applyHttpSse(*kept, false);
            else
                applyOverride(key.mid(prefix.size()), *kept, false);
        }
    };
    if (!m_worker)
        return apply(work(*m_parts.store));
    m_worker->run<Read>(m_context.get(), work, apply, [this](StoreWorker::Failure) {
        retry(QStringLiteral("the store did not answer in time (Store:TimeoutSeconds)"));
    });
}

void ClusterSettings::retry(const QString &error)
{
    // No second notification would come for the change: read everything again until it works.
    if (m_retry.isActive())
        return;
    if (!m_retrying)
        qCWarning(lcCluster).noquote() << "cannot read the cluster-wide settings:" << error
                                       << "- reading them again every" << kRetryMs / 1000 << "s until it works";
    m_retrying = true;
    m_retry.start();
}

bool ClusterSettings::loadHttpSse(bool atStart, QString *error)
{
    const QString key = QString::fromLatin1(kHttpSseKey);
    const QString fileValue = QString::fromLatin1(m_parts.options->enableHttpSseTransport ? "true" : "false");
    std::optional<EntityStore::SharedSetting> kept = m_parts.store->sharedSetting(key, error);
    if (!kept && !error->isEmpty())
        return false;
    if (!kept) {
        if (!atStart)
            return true;
        bool seeded = false;
        if (!m_parts.store->seedSetting(key,
                                        QJsonObject{{QStringLiteral("enabled"), fileValue == QLatin1String("true")}},
                                        settingsFile(), &seeded, error))
            return false;
        if (seeded) {
            qCInfo(lcCluster).noquote() << "EnableHttpSseTransport=" + fileValue
                                        << "in force, from the settings file (the database had no value yet; "
                                           "seeded it for every replica)";
            return true;
        }
        kept = m_parts.store->sharedSetting(key, error); // another replica seeded it meanwhile
        if (!kept)
            return error->isEmpty();
    }
    applyHttpSse(*kept, atStart);
    return true;
}

void ClusterSettings::applyHttpSse(const EntityStore::SharedSetting &kept, bool atStart)
{
    const QString key = QString::fromLatin1(kHttpSseKey);
    const QString fileValue = QString::fromLatin1(m_parts.options->enableHttpSseTransport ? "true" : "false");
    QString problem;
    const QJsonObject value = kept.value.toObject();
    std::optional<HttpSseSwitch> request = HttpSseSwitch::fromJson(value, &problem);
    if (!request) {
        qCWarning(lcCluster).noquote() << "ignoring the database's" << key << "value:" << problem;
        return;
    }
    int drainMs = request->drainSeconds * 1000;
    if (!request->enabled && request->mode == HttpSseSwitch::Mode::Drain) {
        // Every replica drains to the same deadline, whenever it hears of the drain.
        const QDateTime until
            = QDateTime::fromString(value.value(QLatin1String("drainUntil")).toString(), Qt::ISODateWithMs);
        if (until.isValid())
            drainMs = int(qBound<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(until), qint64(drainMs)));
        if (drainMs == 0)
            request->mode = HttpSseSwitch::Mode::Cut; // the drain is over
    }
    m_parts.applyHttpSse(*request, drainMs);
    const QString inForce = QString::fromLatin1(request->enabled ? "true" : "false");
    if (atStart)
        qCInfo(lcCluster).noquote()
            << "EnableHttpSseTransport=" + inForce
            << QStringLiteral("in force, from the database (set by %1 at %2%3)")
                   .arg(kept.updatedBy, kept.updatedAt,
                        inForce == fileValue
                            ? QString()
                            : QStringLiteral("; the settings file says %1, the database wins").arg(fileValue));
    else
        qCInfo(lcCluster).noquote() << "EnableHttpSseTransport=" + inForce << "from the database (set by"
                                    << kept.updatedBy + QLatin1Char(')');
}

bool ClusterSettings::loadOverride(const QString &entity, bool atStart, QString *error)
{
    EntityRegistry *registry = m_parts.registry;
    const EntityDescriptor *descriptor = registry->entity(entity);
    if (!descriptor)
        return true; // a replica of a newer catalog wrote it
    const QString key = QString::fromLatin1(kOverridePrefix) + descriptor->name;
    const std::optional<EntityStore::SharedSetting> kept = m_parts.store->sharedSetting(key, error);
    if (!kept && !error->isEmpty())
        return false;
    const QJsonObject current = registry->overrideFor(descriptor->name).toJson();
    if (!kept) {
        bool inFile = false;
        for (auto it = m_parts.options->entityOverrides.begin(); it != m_parts.options->entityOverrides.end(); ++it)
            inFile = inFile || registry->entity(it.key()) == descriptor;
        if (!atStart || !inFile)
            return true;
        bool seeded = false;
        if (!m_parts.store->seedSetting(key, current, settingsFile(), &seeded, error))
            return false;
        if (seeded) {
            qCInfo(lcCluster).noquote() << key << "in force, from the settings file (seeded into the database)";
            return true;
        }
        return loadOverride(entity, atStart, error); // another replica seeded it meanwhile
    }
    applyOverride(descriptor->name, *kept, atStart);
    return true;
}

void ClusterSettings::applyOverride(const QString &entity, const EntityStore::SharedSetting &kept, bool atStart)
{
    EntityRegistry *registry = m_parts.registry;
    const EntityDescriptor *descriptor = registry->entity(entity);
    if (!descriptor)
        return; // a replica of a newer catalog wrote it
    const QString key = QString::fromLatin1(kOverridePrefix) + descriptor->name;
    const QJsonObject current = registry->overrideFor(descriptor->name).toJson();
    const QJsonObject value = kept.value.toObject();
    if (value != current) {
        QStringList problems;
        const EntityOverride override = EntityOverride::fromJson(value, key, &problems);
        if (problems.isEmpty())
            registry->applyOverrides({{descriptor->name, override}}, &problems);
        if (!problems.isEmpty()) {
            qCWarning(lcCluster).noquote()
                << "ignoring the database's" << key << "value:" << problems.join(QLatin1String("; "));
            return;
        }
    }
    if (atStart)
        qCInfo(lcCluster).noquote()
            << key
            << QStringLiteral("in force, from the database (set by %1 at %2)").arg(kept.updatedBy, kept.updatedAt);
    else if (value != current)
        qCInfo(lcCluster).noquote() << key << "from the database (set by" << kept.updatedBy + QLatin1Char(')');
}

} // namespace koan
