#pragma once
// Persistence for entity records, on SQLite (embedded, one node) or PostgreSQL (shared by
// replicas), with the same behaviour on both: one table per entity with the record as a JSON
// document (`id`, `doc`) and its server-assigned `version`; every write is checked against the
// version the caller expects and recorded in the audit trail in the same transaction. Filters
// and sorts compare text byte-wise (UTF-8 code point order) on both backends; the schema is
// versioned (koan_schema) and migrated at open under a lock, so replicas starting together
// migrate once. The SQL that differs between the two lives in one place (the dialect in
// EntityStore.cpp); the callers see one interface.
// Each instance owns one QtSql connection; use it from the thread that opened it.
#include "AuditTrail.h"
#include "core/ChangeBus.h"
#include "ExportSnapshot.h"
#include "StatementCache.h"
#include "TaskStore.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QHash>
#include <QPair>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace koan {

class EntityStore : public QObject
{
    Q_OBJECT
public:
    explicit EntityStore(QObject *parent = nullptr);
    ~EntityStore() override;

    // SQLite's synchronous mode in WAL: Full syncs the WAL at every commit (an acknowledged write
    // survives power loss); Normal only at checkpoints (faster, may lose the latest commits).
    enum class Synchronous { Full, Normal };
    // `path` is a file path or ":memory:". Creates the parent directory if needed.
    bool open(const QString &path, QString *error, Synchronous synchronous = Synchronous::Full);
    // `url` is postgresql://user:password@host:port/database (McpServerOptions::DatabaseUrl).
    // Errors and location() name it without its password.
    bool openUrl(const QString &url, QString *error);
    // A DatabaseUrl rather than a file path.
    static bool isDatabaseUrl(const QString &location);
    // Sets host, port, user, password, database and connect options of a QPSQL connection from a
    // DatabaseUrl (connect_timeout 3 s unless the URL says otherwise); does not open it.
    static void configurePostgres(QSqlDatabase &db, const QString &url);
    bool isOpen() const;
    QString path() const { return m_path; }
    enum class Backend { Sqlite, Postgres };
    Backend backend() const { return m_backend; }
    QString backendName() const
    {
        return m_backend == Backend::Postgres ? QStringLiteral("postgres") : QStringLiteral("sqlite");
    }
    // The file path, or the URL without its password.
    QString location() const { return m_path; }
    // The schema version in force (koan_schema), after open.
    int schemaVersion() const { return m_schemaVersion; }
    static int latestSchemaVersion();
    // Whether the database answers now: SQLite while open; PostgreSQL runs a trivial query and,
    // when the connection was lost, reconnects (with backoff: at most one attempt per interval,
    // growing to 5 s while it stays down). *state: "up", "connecting", "unreachable" or "closed".
    bool ping(QString *state = nullptr, QString *error = nullptr);
    // Creates the entity's table, or upgrades one written before versions existed (each record
    // gets version 1 and a `migrated` audit row).
    // `renamedFields` (old -> new) are applied to the documents of such a store.
    // `indexedFields`: the document fields the tools filter and sort on get an index each.
    bool ensureTable(const QString &table, const QString &entity, const QHash<QString, QString> &renamedFields,
                     const QStringList &indexedFields, QString *error);

    struct Query {
        QList<QPair<QString, QJsonValue>> equals; // field == value (fields already validated)
        QString sortField;                        // empty: by id
        bool descending = false;
        int page = 1;
        int pageSize = 50;
    };
    struct Page {
        QList<QJsonObject> items;
        int total = 0;
    };
    // Records come back with their top-level "version".
    std::optional<Page> collection(const QString &table, const Query &query, QString *error);
    // nullopt with empty error: not found.
    std::optional<QJsonObject> get(const QString &table, const QString &id, QString *error);

    struct WriteItem {
        QJsonObject doc;                       // with its id; a "version" member is ignored
        std::optional<qint64> expectedVersion; // the version the caller last read
        QString operation;                     // for the audit trail: "upsert" or "patch"
    };
    // Replacing an existing record without an expected version: allowed, or refused (version_required).
    enum class ReplaceRule { Allowed, NeedsVersion };
    struct Outcome {
        bool ok = false;
        QString code; // version_conflict, version_required, not_found, store_error
        QString message;
        QString id; // the record the refusal is about
        qint64 expectedVersion = 0;
        qint64 currentVersion = 0;
        QList<QJsonObject> records; // written records, with their new version
        QList<bool> created;
        int deleted = 0;
        QStringList missing;
        QJsonObject errorJson() const; // {"code", "id", "expectedVersion", "currentVersion"}
    };
    // A retry key: the call's result is kept with the write, in its transaction, for 24 hours.
    struct Idempotency {
        QString principal;
        QString key;
        QByteArray argsHash;                                  // the call's tool and arguments
        std::function<QJsonObject(const Outcome &)> resultOf; // the answer to keep for retries
        // A batch task's key, reserved by `holder` (reserveIdempotent): each chunk's write updates
        // the reservation in its transaction with the answer so far; `final`: the whole call's
        // answer, and the reservation becomes the kept answer. Empty holder: a plain call, its
        // answer inserted with its write.
        QString holder;
        bool final = true;
    };
    static constexpr qint64 kIdempotencyTtlSeconds = 24 * 3600;
    enum class Replay { None, Same, Mismatch, InUse };
    // Whether the holder of a pending reservation still runs its batch (see reserveIdempotent).
    using HolderAlive = std::function<bool(const QString &holder)>;
    // A kept result for (principal, key) younger than 24 h: Same (in *result) or Mismatch (other
    // arguments); InUse while a batch holds the key. A reservation whose holder is gone settles
    // as below (Same with the answer so far, or None when it had committed nothing).
    Replay findIdempotent(const Idempotency &idem, QJsonObject *result, QString *error, const HolderAlive &alive = {});
    // A batch task's key, reserved atomically in the database before its first chunk (one row
    // per principal and key: of replicas reserving at once exactly one gets it): None = reserved
    // for `holder`; Same/Mismatch as findIdempotent; InUse while another batch that is alive holds
    // it. A reservation of a holder that is gone (its replica left the registry, or this process
    // restarted) is settled: with the chunks it committed, their answer (Same: nothing written
    // again); with none, it is taken over (None).
    Replay reserveIdempotent(const Idempotency &idem, const QString &holder, const HolderAlive &alive,
                             QJsonObject *result, QString *error);
    // The batch ended without its last chunk's write (cancelled, refused, or a delete-many):
    // `result` becomes the kept answer; nullopt (nothing was committed) releases the key.
    bool settleIdempotent(const Idempotency &idem, const QString &holder, const std::optional<QJsonObject> &result,
                          QString *error);
    // PostgreSQL: whether `replicaId` has an unexpired row in koan_replicas (the cluster registry).
    bool replicaLive(const QString &replicaId, QString *error);

    // All or nothing: one transaction, audited per record (and with `idem`, its result kept).
    Outcome write(const QString &table, const QString &entity, const QList<WriteItem> &items, ReplaceRule rule,
                  const WriteContext &context, const Idempotency *idem = nullptr);
    // Deletes `ids` (one transaction); `expected` pins versions of some of them.
    Outcome remove(const QString &table, const QString &entity, const QStringList &ids,
                   const QHash<QString, qint64> &expected, const WriteContext &context);
    Outcome removeAll(const QString &table, const QString &entity, const WriteContext &context);

    // A setting changed (rollback switch, entity overrides): one audit row, entity "_settings",
    // the change as a JSON Patch that also keeps the previous value (a "test" of the old value).
    bool recordSetting(const QString &key, const QJsonValue &before, const QJsonValue &after,
                       const WriteContext &context, QString *error);
    static constexpr const char *kSettingsEntity = "_settings";
    // An operator acted on a task (cancelled it from the console or the admin API): one audit row,
    // entity "_tasks", the task id as its record, `operation` ("cancel"), the change as for a setting.
    bool recordTaskAction(const QString &taskId, const QString &operation, const QJsonValue &before,
                          const QJsonValue &after, const WriteContext &context, QString *error);
    static constexpr const char *kTasksEntity = "_tasks";
    // PostgreSQL: recordSetting also keeps the setting's value (table koan_settings, same
    // transaction), so every replica reads the value in force. SQLite keeps only the audit row.
    struct SharedSetting {
        QJsonValue value;
        QString updatedAt; // UTC, ISO 8601
        QString updatedBy; // WriteContext::principal
    };
    // The kept value; nullopt when none (*error empty) or the database cannot be read (*error set).
    std::optional<SharedSetting> sharedSetting(const QString &key, QString *error);
    // Keeps `value` unless one is kept already (audited as a setting by `context`); *seeded says
    // whether this call wrote it. Replicas starting at once: exactly one seeds.
    bool seedSetting(const QString &key, const QJsonValue &value, const WriteContext &context, bool *seeded,
                     QString *error);

    // PostgreSQL: every committed write also notifies this channel (pg_notify in the write's
    // transaction) with {"entity", "ids": [...]} (or {"entity", "all": true} when too long to
    // fit); settings changes with entity "_settings" and the setting's key. The change bus of
    // issue #17 listens to it; SQLite has no such channel.
    static constexpr const char *kChangeChannel = "koan_changes";
    // Every committed write, delete and setting change is published here after its commit
    // (Change::record with the ids, Change::setting with the key), whoever the writer. Not owned.
    void setChangeBus(ChangeBus *bus) { m_bus = bus; }
    // SQLite, several connections of this process to one file (the store worker's pool): their
    // writers queue on `gate`, held from a write transaction's BEGIN until releaseWriterGate()
    // on the same thread, instead of polling the file's lock (the busy handler's growing sleeps
    // starve a waiting writer while another writes back to back).
    void shareWriterGate(std::shared_ptr<std::timed_mutex> gate) { m_writerGate = std::move(gate); }
    void releaseWriterGate();

    // A consistent, id-ordered read of `table` for an export (see ExportSnapshot); null with *error.
    std::unique_ptr<ExportSnapshot> exportSnapshot(const QString &table, QString *error);

    // The audit trail and the tasks' rows (schema version 2), on this store's connection: a lost
    // PostgreSQL connection is reopened first, as for every other call (else a replica that only
    // sweeps tasks or reads histories would keep failing after a database restart).
    AuditTrail &audit()
    {
        ensureConnected(nullptr);
        return *m_audit;
    }
    TaskStore &tasks()
    {
        ensureConnected(nullptr);
        return *m_tasks;
    }
    // Every table's record versions, for AuditTrail::verify.
    QHash<QString, QHash<QString, qint64>> currentVersions(const QHash<QString, QString> &entityByTable,
                                                           QString *error);

    // The connection itself, for whole-store tools (koan-mcp store copy); use it on this thread.
    QSqlDatabase &connection() { return m_db; }
    // Tables beside the entities' that hold the store's state, in the order a copy writes them.
    static QStringList stateTables();

    QString meta(const QString &key);
    bool setMeta(const QString &key, const QString &value, QString *error);

private:
    // m_statements' statement for `sql` (see StatementCache).
    std::shared_ptr<QSqlQuery> statement(const QString &sql, QString *error);
    // Drops cached records if another connection committed since the last look.
    void revalidateRecords();
    // BEGIN IMMEDIATE: the version checks and the writes see no other writer in between.
    bool begin(QString *error);
    Outcome rollback(Outcome o);
    bool migrate(QString *error);
    bool notifyChange(const QString &entity, const QStringList &ids, bool listed, QString *error);
    // One audit row of a change to something that is not a record (a setting, a task), in its own transaction.
    bool recordChange(const QString &entity, const QString &key, const QString &operation, const QJsonValue &before,
                      const QJsonValue &after, const WriteContext &context, bool notify, QString *error);
    // Upserts (or, onlyIfAbsent, inserts) koan_settings inside the caller's transaction.
    bool keepSetting(const QString &key, const QJsonValue &value, const WriteContext &context, bool onlyIfAbsent,
                     bool *written, QString *error);
    // PostgreSQL: a lost connection is reopened (no-op on SQLite or while it is up); false with
    // a clear message when the database cannot be reached.
    bool ensureConnected(QString *error);
    bool connectPostgres(QString *error);
    // A statement failed: on PostgreSQL, check the connection before the next call.
    void noteFailure() { m_suspect = true; }
    QString jsonField(const QString &field) const; // the SQL of doc's top-level member
    QString sortKey(const QString &field, bool descending) const;
    std::optional<QPair<QJsonObject, qint64>> current(const QString &table, const QString &id, QString *error);

    std::unique_ptr<AuditTrail> m_audit;
    ChangeBus *m_bus = nullptr;
    std::unique_ptr<TaskStore> m_tasks;
    QString m_connection;
    QString m_path;
    Backend m_backend = Backend::Sqlite;
    QString m_url; // PostgreSQL, with its password (never printed)
    int m_schemaVersion = 0;
    bool m_suspect = false;
    qint64 m_nextConnectMs = 0;
    qint64 m_lastUsedMs = 0;
    int m_backoffMs = 0;
    QSqlDatabase m_db;
    std::unique_ptr<StatementCache> m_statements; // this connection's; AuditTrail shares it
    // Lookups by id are the hot path of tools/call: parsed records, keyed "table\x1fid", kept
    // until a write (ours clears them; others' show in PRAGMA data_version).
    QHash<QString, QJsonObject> m_records;
    qint64 m_dataVersion = -1;
    std::shared_ptr<std::timed_mutex> m_writerGate;
    bool m_holdsWriterGate = false;
};

} // namespace koan
