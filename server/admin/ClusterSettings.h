#pragma once
// The settings an operator changes at run time - the rollback switch (EnableHttpSseTransport,
// with its drain-or-cut intent) and the entity overrides - shared by every replica of a
// PostgreSQL store. Their values live in the database (koan_settings, written with the audit row
// of each change); every replica applies the value in force whenever the change bus says a
// setting changed (pg_notify at the commit) and after its listener reconnected, so a flip on any
// replica reaches all of them at once and a replica starting later starts in the current state.
// Precedence: the settings file seeds a value the database does not have yet; once the database
// has one, it wins. On SQLite (one node) the settings file stays the only source, as before.
#include <QString>
#include <QTimer>
#include <functional>

namespace koan {

class ChangeBus;
class EntityRegistry;
class EntityStore;
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
    };
    explicit ClusterSettings(Parts parts);

    // The store is shared by replicas (PostgreSQL): settings are cluster-wide.
    bool isShared() const;
    // After the store opened and the settings file's overrides were applied: seeds what the
    // database lacks, applies what it has, logs which value is in force and where it came from,
    // and starts following changes. False with *error when the database cannot be read.
    bool start(QString *error);

private:
    void changed(const Change &change);
    // Every setting again (after the listener reconnected, or a read that failed).
    bool loadAll(QString *error);
    bool loadHttpSse(bool atStart, QString *error);
    bool loadOverride(const QString &entity, bool atStart, QString *error);

    Parts m_parts;
    bool m_started = false;
    // A read that failed (the store still reconnecting after the database came back) is tried
    // again until it succeeds: no second notification would come for that change.
    QTimer m_retry;
};

} // namespace koan
