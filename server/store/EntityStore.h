#pragma once
// SQLite persistence for entity records (one table per entity, the record as a JSON document).
// Each instance owns one QtSql connection; use it from the thread that opened it.
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QHash>
#include <QPair>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <memory>
#include <optional>

namespace koan {

class EntityStore : public QObject
{
    Q_OBJECT
public:
    explicit EntityStore(QObject *parent = nullptr);
    ~EntityStore() override;

    // `path` is a file path or ":memory:". Creates the parent directory if needed.
    bool open(const QString &path, QString *error);
    bool isOpen() const;
    QString path() const { return m_path; }
    bool ensureTable(const QString &table, QString *error);

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
    std::optional<Page> collection(const QString &table, const Query &query, QString *error);
    // nullopt with empty error: not found.
    std::optional<QJsonObject> get(const QString &table, const QString &id, QString *error);
    // All or nothing: one transaction. `created[i]` tells whether docs[i] was new.
    bool upsertMany(const QString &table, const QList<QJsonObject> &docs, QList<bool> *created, QString *error);
    // Deletes the given ids in one transaction; returns how many existed, or -1 on error.
    int remove(const QString &table, const QStringList &ids, QString *error);
    int removeAll(const QString &table, QString *error);

    QString meta(const QString &key);
    bool setMeta(const QString &key, const QString &value, QString *error);

private:
    // Prepared once per SQL text and reused: preparing cost more than running a lookup by id.
    // Shared: the cache may be cleared while a caller still holds one.
    std::shared_ptr<QSqlQuery> statement(const QString &sql, QString *error);
    // Drops cached records if another connection committed since the last look.
    void revalidateRecords();

    QString m_connection;
    QString m_path;
    QSqlDatabase m_db;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_statements;
    // Lookups by id are the hot path of tools/call: parsed records, keyed "table\x1fid", kept
    // until a write (ours clears them; others' show in PRAGMA data_version).
    QHash<QString, QJsonObject> m_records;
    qint64 m_dataVersion = -1;
};

} // namespace koan
