#include "AuditCommands.h"

#include "s12/S12MedTrials.h"
#include "protocol/JsonWriter.h"
#include "store/EntityStore.h"

#include <QFileInfo>
#include <QHash>
#include <cstdio>

namespace koan {

namespace {
// `path`: a SQLite file, or a PostgreSQL DatabaseUrl (named without its password).
bool openStore(EntityStore &store, const QString &path)
{
    QString error;
    if (EntityStore::isDatabaseUrl(path)) {
        if (!store.openUrl(path, &error)) {
            fprintf(stderr, "koan-mcp audit: %s\n", qPrintable(error));
            return false;
        }
        return true;
    }
    if (path != QLatin1String(":memory:") && !QFileInfo::exists(path)) {
        fprintf(stderr, "koan-mcp audit: %s does not exist\n", qPrintable(path));
        return false;
    }
    if (!store.open(path, &error)) {
        fprintf(stderr, "koan-mcp audit: %s\n", qPrintable(error));
        return false;
    }
    return true;
}

QString csvField(QString v)
{
    if (v.contains(QLatin1Char('"')) || v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('\n')))
        v = QLatin1Char('"') + v.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
    return v;
}
} // namespace

int AuditCommands::verify(const QString &path)
{
    EntityStore store;
    if (!openStore(store, path))
        return 2;
    QHash<QString, QString> entityByTable;
    for (const EntityDescriptor &e : s12::entities())
        entityByTable.insert(e.table, e.name);
    QString error;
    const auto versions = store.currentVersions(entityByTable, &error);
    if (!error.isEmpty()) {
        fprintf(stderr, "koan-mcp audit verify: %s\n", qPrintable(error));
        return 2;
    }
    qint64 rows = 0;
    const QStringList problems = store.audit().verify(versions, &rows);
    for (const QString &p : problems)
        fprintf(stdout, "TAMPERED: %s\n", qPrintable(p));
    if (!problems.isEmpty()) {
        fprintf(stdout, "audit trail of %s: %lld rows, %lld problem(s)\n", qPrintable(store.location()), rows,
                qint64(problems.size()));
        return 1;
    }
    fprintf(stdout,
            "audit trail of %s: %lld rows, every hash and chain link verified, every record's trail matches it\n",
            qPrintable(store.location()), rows);
    return 0;
}

int AuditCommands::exportTrail(const QString &path, const QString &sinceIso, const QString &format)
{
    EntityStore store;
    if (!openStore(store, path))
        return 2;
    QString error;
    const QList<AuditRow> rows = store.audit().since(sinceIso, &error);
    if (!error.isEmpty()) {
        fprintf(stderr, "koan-mcp audit export: %s\n", qPrintable(error));
        return 2;
    }
    static const QStringList columns{
        QStringLiteral("seq"),          QStringLiteral("at"),          QStringLiteral("principal"),
        QStringLiteral("transport"),    QStringLiteral("era"),         QStringLiteral("session"),
        QStringLiteral("traceId"),      QStringLiteral("operationId"), QStringLiteral("entity"),
        QStringLiteral("id"),           QStringLiteral("operation"),   QStringLiteral("versionBefore"),
        QStringLiteral("versionAfter"), QStringLiteral("change"),      QStringLiteral("hash")};
    if (format == QLatin1String("csv"))
        fprintf(stdout, "%s\n", qPrintable(columns.join(QLatin1Char(','))));
    for (const AuditRow &r : rows) {
        const QJsonObject o = r.toJson();
        if (format == QLatin1String("csv")) {
            QStringList fields;
            for (const QString &c : columns) {
                const QJsonValue v = o.value(c);
                fields << csvField(v.isString() ? v.toString()
                                   : v.isNull() ? QString()
                                                : QString::fromUtf8(json::compact(v)));
            }
            fprintf(stdout, "%s\n", qPrintable(fields.join(QLatin1Char(','))));
        } else {
            fprintf(stdout, "%s\n", json::compact(o).constData());
        }
    }
    return 0;
}

} // namespace koan
