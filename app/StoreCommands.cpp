#include "StoreCommands.h"

#include "config/McpServerOptions.h"
#include "s12/S12MedTrials.h"
#include "store/EntityStore.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <cstdio>

namespace koan {

namespace {
int fail(const QString &message)
{
    // Messages name the database by EntityStore::location(): never with its password.
    fprintf(stderr, "koan-mcp store copy: %s\n", qPrintable(message));
    return 2;
}

qint64 rowCount(QSqlDatabase &db, const QString &table, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM \"%1\"").arg(table)) || !q.next()) {
        *error = QStringLiteral("cannot count %1: %2").arg(table, q.lastError().text());
        return -1;
    }
    return q.value(0).toLongLong();
}

QString lastHash(QSqlDatabase &db)
{
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT hash FROM koan_audit ORDER BY seq DESC LIMIT 1")) && q.next()
               ? q.value(0).toString()
               : QString();
}

// Every row of `table`, its columns as they are, in one INSERT statement prepared once.
bool copyTable(QSqlDatabase &from, QSqlDatabase &to, const QString &table, qint64 *copied, QString *error)
{
    QSqlQuery read(from);
    read.setForwardOnly(true);
    const QString order = table == QLatin1String("koan_audit") ? QStringLiteral(" ORDER BY seq") : QString();
    if (!read.exec(QStringLiteral("SELECT * FROM \"%1\"%2").arg(table, order))) {
        *error = QStringLiteral("cannot read %1: %2").arg(table, read.lastError().text());
        return false;
    }
    const QSqlRecord columns = read.record();
    QStringList names, marks;
    for (int i = 0; i < columns.count(); ++i) {
        names << QLatin1Char('"') + columns.fieldName(i) + QLatin1Char('"');
        marks << QStringLiteral("?");
    }
    QSqlQuery write(to);
    if (!write.prepare(QStringLiteral("INSERT INTO \"%1\" (%2) VALUES (%3)")
                           .arg(table, names.join(QLatin1String(", ")), marks.join(QLatin1String(", "))))) {
        *error = QStringLiteral("cannot prepare the copy of %1: %2").arg(table, write.lastError().text());
        return false;
    }
    *copied = 0;
    while (read.next()) {
        for (int i = 0; i < columns.count(); ++i)
            write.bindValue(i, read.value(i));
        if (!write.exec()) {
            *error = QStringLiteral("cannot copy a row of %1: %2").arg(table, write.lastError().text());
            return false;
        }
        ++*copied;
    }
    return true;
}
} // namespace

int StoreCommands::copy(const QString &from, const QString &to)
{
    if (from.isEmpty() || to.isEmpty())
        return fail(QStringLiteral("--from PATH.sqlite and --to postgresql://... are both required"));
    if (EntityStore::isDatabaseUrl(from) || !QFileInfo::exists(from))
        return fail(QStringLiteral("--from must be an existing SQLite file: %1").arg(from));
    if (const QString problem = McpServerOptions::databaseUrlProblem(to); !problem.isEmpty())
        return fail(QStringLiteral("--to: %1").arg(problem));
    EntityStore source, target;
    QString error;
    if (!source.open(from, &error) || !target.openUrl(to, &error))
        return fail(error);
    // Every entity's table on both sides (an old source file is upgraded as the server would).
    QStringList tables;
    QHash<QString, QString> entityByTable;
    for (const EntityDescriptor &e : s12::entities()) {
        QStringList indexed;
        for (const FieldDescriptor &f : e.fields)
            if (f.filterable())
                indexed << f.name;
        if (!source.ensureTable(e.table, e.name, e.renamedFields, indexed, &error)
            || !target.ensureTable(e.table, e.name, {}, indexed, &error))
            return fail(error);
        tables << e.table;
        entityByTable.insert(e.table, e.name);
    }
    tables += EntityStore::stateTables();
    // Into an empty database only: a copy never merges two trails.
    QSqlDatabase &src = source.connection();
    QSqlDatabase &dst = target.connection();
    for (const QString &t : std::as_const(tables)) {
        const qint64 n = rowCount(dst, t, &error);
        if (n != 0)
            return fail(n < 0 ? error
                              : QStringLiteral("%1 already holds data (%2: %3 rows); copy only into an empty database")
                                    .arg(target.location(), t)
                                    .arg(n));
    }
    QHash<QString, qint64> copied;
    QSqlQuery begin(dst);
    if (!begin.exec(QStringLiteral("BEGIN")))
        return fail(begin.lastError().text());
    for (const QString &t : std::as_const(tables)) {
        qint64 n = 0;
        if (!copyTable(src, dst, t, &n, &error)) {
            QSqlQuery(dst).exec(QStringLiteral("ROLLBACK"));
            return fail(error + QStringLiteral(" (nothing was copied)"));
        }
        copied.insert(t, n);
    }
    if (!QSqlQuery(dst).exec(QStringLiteral("COMMIT")))
        return fail(QStringLiteral("cannot commit the copy: %1").arg(dst.lastError().text()));
    // Verified on what the database now holds.
    QStringList problems;
    for (const QString &t : std::as_const(tables)) {
        const qint64 there = rowCount(dst, t, &error);
        if (there != copied.value(t))
            problems << QStringLiteral("%1: %2 rows copied, %3 in the target").arg(t).arg(copied.value(t)).arg(there);
        fprintf(stdout, "%-24s %lld rows\n", qPrintable(t), copied.value(t));
    }
    qint64 checked = 0;
    const auto versions = target.currentVersions(entityByTable, &error);
    problems += target.audit().verify(versions, &checked);
    if (lastHash(src) != lastHash(dst))
        problems << QStringLiteral("the last audit hash differs: %1 in the source, %2 in the target")
                        .arg(lastHash(src), lastHash(dst));
    for (const QString &p : std::as_const(problems))
        fprintf(stdout, "NOT VERIFIED: %s\n", qPrintable(p));
    if (!problems.isEmpty())
        return 1;
    fprintf(stdout,
            "copied %s to %s and verified it: every table's row count matches, %lld audit rows with every hash and "
            "chain link intact (last hash %s)\n",
            qPrintable(from), qPrintable(target.location()), checked, qPrintable(lastHash(dst)));
    return 0;
}

} // namespace koan
