#pragma once
// The settings an operator changes at run time - the rollback switch (EnableHttpSseTransport,
// with its drain-or-cut intent) and the entity overrides - shared by every replica of a
// PostgreSQL store. Their values live in the database (koan_settings, written with the audit row
// of each change); every replica applies the value in force whenever the change bus says a
// setting changed (pg_notify at the commit) and after its listener reconnected, so a flip on any
// replica reaches all of them at once and a replica starting later starts in the current state.
// Precedence: the settings file seeds a value the database does not have yet; once the database
// has one, it wins. On SQLite (one node) the settings file stays the only source, as before.
// After start the database is read on the store worker (when there is one), and a setting this
// replica changed but could not write yet (SettingsWriter: the database did not answer) keeps its
// local value until the write lands; then it is read again.
#include "store/EntityStore.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <functional>
#include <map>
#include <memory>

namespace koan {

class ChangeBus;
class EntityRegistry;
class SettingsWriter;
class StoreWorker;
struct Change;
struct HttpSseSwitch;
struct McpServerOptions;

class ClusterSettings
{
public:
    static constexpr const char *kHttpSseKey = "EnableHttpSseTransport";
    static constexpr const char *kOverridePrefix = "EntityOverrides:";

    struct Parts {
        const McpServerOptions *options = nullptr;
        EntityStore *store = nullptr;
        EntityRegistry *registry = nullptr;
        ChangeBus *changes = nullptr;
        // Puts the switch in the given state on this replica; drainMs: what is left of a drain.
        std::function<void(const HttpSseSwitch &request, int drainMs)> applyHttpSse;
        SettingsWriter *writer = nullptr; // this replica's writes not yet answered
    };
    explicit ClusterSettings(Parts parts);
    ~ClusterSettings();
    // Reads after start run there from now on. Not owned.
    void setWorker(StoreWorker *worker) { m_worker = worker; }

    // The store is shared by replicas (PostgreSQL): settings are cluster-wide.
    bool isShared() const;
    // After the store opened and the settings file's overrides were applied: seeds what the
    // database lacks, applies what it has, logs which value is in force and where it came from,
    // and starts following changes. False with *error when the database cannot be read.
    bool start(QString *error);

private:
    using Values = std::map<QString, std::optional<EntityStore::SharedSetting>>;
    void changed(const Change &change);
    // Reads `keys` (on the worker) and applies what the database has for those not pending here;
    // a read that fails is retried (all keys) every kRetryMs until it works.
    void reread(const QStringList &keys);
    void retry(const QString &error);
    QStringList allKeys() const;
    bool loadHttpSse(bool atStart, QString *error);
    bool loadOverride(const QString &entity, bool atStart, QString *error);
    void applyHttpSse(const EntityStore::SharedSetting &kept, bool atStart);
    void applyOverride(const QString &entity, const EntityStore::SharedSetting &kept, bool atStart);

    Parts m_parts;
    StoreWorker *m_worker = nullptr;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>(); // late reads die with us
    bool m_started = false;
    // A read that failed (the store still reconnecting after the database came back) is tried
    // again until it succeeds: no second notification would come for that change.
    QTimer m_retry;
    bool m_retrying = false; // a read failed and was not read again yet
};

} // namespace koan
