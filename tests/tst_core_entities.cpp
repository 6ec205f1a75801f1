// Every tool of every S12 entity against a real SQLite file, through the real dispatcher.
#include "support/BridgeHarness.h"
#include "support/PostgresServer.h"
#include "entities/EntityRegistry.h"
#include "protocol/JsonSchemaValidator.h"
#include "store/EntityStore.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

using namespace koan;
using namespace koan::test;

namespace {
// A valid new record for each entity (ids left out: the server generates them).
QJsonObject sample(const QString &entity, const QString &tag)
{
    if (entity == QLatin1String("TrialSite"))
        return {{"name", "Site " + tag},
                {"location", "Berlin, Germany"},
                {"principalInvestigator", "Dr. Weber"},
                {"enrollmentTarget", 40}};
    if (entity == QLatin1String("ParticipantVisit"))
        return {{"trialSiteId", "site-boston"},
                {"participantId", "P-" + tag},
                {"visitType", "Baseline"},
                {"scheduledAt", "2026-12-01T09:00:00Z"}};
    if (entity == QLatin1String("AdverseEventReport"))
        return {{"trialSiteId", "site-lyon"},
                {"participantId", "P-" + tag},
                {"severity", "Mild"},
                {"description", "Rash " + tag},
                {"onsetDate", "2026-11-20"}};
    if (entity == QLatin1String("MonitoringNote"))
        return {{"trialSiteId", "site-osaka"}, {"summary", "Note " + tag}, {"enteredBy", "cra.kim"}};
    return {{"title", "Document " + tag}, {"documentType", "Amendment"}};
}
// A string field each entity has, to patch and filter on.
QString textField(const QString &entity)
{
    static const QHash<QString, QString> f{{"TrialSite", "name"},
                                           {"ParticipantVisit", "participantId"},
                                           {"AdverseEventReport", "description"},
                                           {"MonitoringNote", "summary"},
                                           {"ProtocolDocument", "title"}};
    return f.value(entity);
}
} // namespace

class TestCoreEntities : public QObject
{
    Q_OBJECT

    void expectOutputSchema(BridgeHarness &h, const QString &tool, const QJsonObject &result)
    {
        const EntityRegistry::Tool *t = h.server->registry()->tool(tool);
        QVERIFY(t);
        const QStringList problems = protocol::JsonSchemaValidator::validate(result["structuredContent"].toObject(),
                                                                             t->definition.outputSchema);
        QVERIFY2(problems.isEmpty(), qPrintable(tool + ": " + problems.join("; ")));
    }

private slots:
    // The tool cases run on both store backends (SQLite file, PostgreSQL database): same answers.
    void everyToolOfEveryEntity_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("backend");
        for (const char *backend : {"sqlite", "postgres"})
            for (const char *e :
                 {"TrialSite", "ParticipantVisit", "AdverseEventReport", "MonitoringNote", "ProtocolDocument"})
                QTest::addRow("%s/%s", e, backend) << QString::fromLatin1(e) << QString::fromLatin1(backend);
    }
    void everyToolOfEveryEntity()
    {
        QFETCH(QString, entity);
        KOAN_FETCH_BACKEND(url);
        McpServerOptions o;
        o.databaseUrl = url;
        BridgeHarness h(o);
        QVERIFY2(h.ok, qPrintable(h.startupErrors.join('\n')));
        auto s = h.session();
        const QString p = h.server->registry()->entity(entity)->toolPrefix;
        const QString field = textField(entity);

        const QJsonObject before = h.tool(s, p + ".collection");
        expectOutputSchema(h, p + ".collection", before);
        const int seeded = before["structuredContent"]["total"].toInt();
        QVERIFY(seeded >= 2);

        // upsert: create with a generated id, defaults and stamps applied
        const QJsonObject created = h.tool(s, p + ".upsert", {{"model", sample(entity, "a")}});
        QVERIFY2(!created["isError"].toBool(), qPrintable(created["content"][0]["text"].toString()));
        expectOutputSchema(h, p + ".upsert", created);
        QCOMPARE(created["structuredContent"]["created"].toBool(), true);
        const QJsonObject item = created["structuredContent"]["item"].toObject();
        const QString id = item["id"].toString();
        QVERIFY(!id.isEmpty());
        QCOMPARE(item["version"].toInt(), 1); // server-assigned, top level
        // get-by-id
        const QJsonObject got = h.tool(s, p + ".get-by-id", {{"id", id}});
        QCOMPARE(got["structuredContent"]["item"].toObject(), item);
        expectOutputSchema(h, p + ".get-by-id", got);
        // upsert again with the id: replaces, created=false. Changed on purpose with record
        // versions: replacing needs the version that was read (expectedVersion), else version_required.
        QJsonObject changed = sample(entity, "b");
        changed.insert("id", id);
        changed.insert("version", 99); // a client's version is ignored, never stored
        const QJsonObject blind = h.tool(s, p + ".upsert", {{"model", changed}});
        QCOMPARE(blind["isError"].toBool(), true);
        QCOMPARE(blind["structuredContent"]["error"]["code"].toString(), QStringLiteral("version_required"));
        const QJsonObject replaced = h.tool(s, p + ".upsert", {{"model", changed}, {"expectedVersion", 1}});
        QVERIFY2(!replaced["isError"].toBool(), qPrintable(replaced["content"][0]["text"].toString()));
        QCOMPARE(replaced["structuredContent"]["created"].toBool(), false);
        QCOMPARE(replaced["structuredContent"]["item"][field].toString(), changed[field].toString());
        QCOMPARE(replaced["structuredContent"]["item"]["version"].toInt(), 2);
        // upsert-many: two new and one existing (with its expected version)
        QJsonArray models{sample(entity, "c"), sample(entity, "d"), changed};
        const QJsonObject many
            = h.tool(s, p + ".upsert-many", {{"models", models}, {"expectedVersions", QJsonObject{{id, 2}}}});
        expectOutputSchema(h, p + ".upsert-many", many);
        QCOMPARE(many["structuredContent"]["created"].toInt(), 2);
        QCOMPARE(many["structuredContent"]["updated"].toInt(), 1);
        QCOMPARE(h.tool(s, p + ".collection")["structuredContent"]["total"].toInt(), seeded + 3);
        // collection: equality filter on a string field
        const QJsonObject filtered = h.tool(s, p + ".collection", {{"filter", QJsonObject{{field, changed[field]}}}});
        QCOMPARE(filtered["structuredContent"]["total"].toInt(), 1);
        QCOMPARE(filtered["structuredContent"]["items"][0]["id"].toString(), id);
        // patch: replace a field
        const QJsonObject patched = h.tool(
            s, p + ".patch",
            {{"id", id},
             {"patch", QJsonArray{QJsonObject{{"op", "replace"}, {"path", "/" + field}, {"value", "patched"}}}}});
        QVERIFY2(!patched["isError"].toBool(), qPrintable(patched["content"][0]["text"].toString()));
        expectOutputSchema(h, p + ".patch", patched);
        QCOMPARE(h.tool(s, p + ".get-by-id", {{"id", id}})["structuredContent"]["item"][field].toString(),
                 QStringLiteral("patched"));
        // delete
        const QJsonObject deleted = h.tool(s, p + ".delete", {{"id", id}});
        expectOutputSchema(h, p + ".delete", deleted);
        QCOMPARE(deleted["structuredContent"]["deleted"].toBool(), true);
        QCOMPARE(h.tool(s, p + ".delete", {{"id", id}})["isError"].toBool(), true);
        QCOMPARE(h.tool(s, p + ".get-by-id", {{"id", id}})["isError"].toBool(), true);
        // delete-many reports ids that did not exist
        const QString c = many["structuredContent"]["items"][0]["id"].toString();
        const QJsonObject dm = h.tool(s, p + ".delete-many", {{"ids", QJsonArray{c, "missing-id"}}});
        expectOutputSchema(h, p + ".delete-many", dm);
        QCOMPARE(dm["structuredContent"]["deleted"].toInt(), 1);
        QCOMPARE(dm["structuredContent"]["missing"].toArray(), QJsonArray{"missing-id"});
        // delete-all needs confirm equal to the entity's name (this session cannot be asked through
        // elicitation); nothing goes without it, nor with the boolean of old
        QCOMPARE(h.tool(s, p + ".delete-all")["isError"].toBool(), true);
        QCOMPARE(h.tool(s, p + ".delete-all", {{"confirm", p}})["isError"].toBool(), true);
        QCOMPARE(h.tool(s, p + ".delete-all", {{"confirm", true}})["isError"].toBool(), true);
        QCOMPARE(h.tool(s, p + ".collection")["structuredContent"]["total"].toInt(), seeded + 1);
        const QJsonObject all = h.tool(s, p + ".delete-all", {{"confirm", entity}});
        expectOutputSchema(h, p + ".delete-all", all);
        QCOMPARE(all["structuredContent"]["deleted"].toInt(), seeded + 1);
        QCOMPARE(h.tool(s, p + ".collection")["structuredContent"]["total"].toInt(), 0);
    }

    void collectionPagingSortingFiltering_data() { addBackendRows(); }
    void collectionPagingSortingFiltering()
    {
        KOAN_FETCH_BACKEND(url);
        McpServerOptions o;
        o.databaseUrl = url;
        BridgeHarness h(o);
        auto s = h.session();
        QJsonArray models;
        for (int i = 0; i < 230; ++i)
            models.append(QJsonObject{{"id", QStringLiteral("bulk-%1").arg(i, 3, 10, QLatin1Char('0'))},
                                      {"name", QStringLiteral("Bulk %1").arg(i)},
                                      {"location", i % 2 ? "Odd" : "Even"},
                                      {"principalInvestigator", "Dr. Bulk"},
                                      {"enrollmentTarget", i},
                                      {"regulatoryStatus", i % 5 ? "Approved" : "Suspended"}});
        QVERIFY(!h.tool(s, "trial-site.upsert-many", {{"models", models}})["isError"].toBool());
        const QJsonObject first = h.tool(s, "trial-site.collection");
        QCOMPARE(first["structuredContent"]["pageSize"].toInt(), 50);
        QCOMPARE(first["structuredContent"]["items"].toArray().size(), 50);
        QCOMPARE(first["structuredContent"]["total"].toInt(), 233);
        QCOMPARE(first["structuredContent"]["totalPages"].toInt(), 5);
        const QJsonObject big = h.tool(s, "trial-site.collection", {{"pageSize", 200}, {"page", 2}});
        QCOMPARE(big["structuredContent"]["items"].toArray().size(), 33);
        const QJsonObject tooBig = h.tool(s, "trial-site.collection", {{"pageSize", 201}});
        QCOMPARE(tooBig["isError"].toBool(), true);
        QVERIFY(tooBig["content"][0]["text"].toString().contains("pageSize: must be <= 200"));
        QCOMPARE(h.tool(s, "trial-site.collection", {{"page", 0}})["isError"].toBool(), true);
        // integer filter, string filter, combined
        QCOMPARE(h.tool(s, "trial-site.collection",
                        {{"filter", QJsonObject{{"enrollmentTarget", 7}}}})["structuredContent"]["total"]
                     .toInt(),
                 1);
        QCOMPARE(h.tool(s, "trial-site.collection",
                        {{"filter", QJsonObject{{"location", "Odd"},
                                                {"regulatoryStatus", "Suspended"}}}})["structuredContent"]["total"]
                     .toInt(),
                 23);
        QCOMPARE(h.tool(s, "trial-site.collection", {{"filter", QJsonObject{{"color", "red"}}}})["isError"].toBool(),
                 true);
        // sort by an integer field, both directions
        const QJsonObject desc
            = h.tool(s, "trial-site.collection", {{"sort", "enrollmentTarget:desc"}, {"pageSize", 3}});
        QCOMPARE(desc["structuredContent"]["items"][0]["enrollmentTarget"].toInt(), 229);
        QCOMPARE(desc["structuredContent"]["items"][2]["enrollmentTarget"].toInt(), 227);
        const QJsonObject asc
            = h.tool(s, "trial-site.collection",
                     {{"sort", "enrollmentTarget"}, {"filter", QJsonObject{{"location", "Odd"}}}, {"pageSize", 2}});
        QCOMPARE(asc["structuredContent"]["items"][0]["enrollmentTarget"].toInt(), 1);
        QCOMPARE(h.tool(s, "trial-site.collection", {{"sort", "shoeSize"}})["isError"].toBool(), true);
        // boolean filter on MonitoringNote.followUpRequired
        QCOMPARE(h.tool(s, "monitoring-note.collection",
                        {{"filter", QJsonObject{{"followUpRequired", true}}}})["structuredContent"]["total"]
                     .toInt(),
                 1);
        QCOMPARE(h.tool(s, "monitoring-note.collection",
                        {{"filter", QJsonObject{{"followUpRequired", false}}}})["structuredContent"]["total"]
                     .toInt(),
                 1);
    }

    // Text comparison and order are the same on both backends: the same records, filters and
    // sorts give identical pages (byte-wise UTF-8 order: upper case before lower case, accents and
    // other scripts after ASCII; missing values first; numbers by value, not as text).
    void sameFiltersAndSortsOnBothBackends()
    {
        KOAN_FRESH_POSTGRES(url);
        McpServerOptions lite, post;
        post.databaseUrl = url;
        lite.seedSampleData = post.seedSampleData = false;
        BridgeHarness a(lite), b(post);
        QVERIFY2(a.ok, qPrintable(a.startupErrors.join('\n')));
        QVERIFY2(b.ok, qPrintable(b.startupErrors.join('\n')));
        auto sa = a.session(), sb = b.session();
        const QStringList names{"alpha", "Alpha", "ALPHA", "beta",   "Beta",   "Zeta",    "zeta",       "Émile",
                                "emile", "Ötzi",  "ötzi",  "Ørsted", "_under", "-dash",   "0zero",      "10",
                                "9",     "a b",   "a-b",   "ab",     "Straße", "strasse", "日本",       "Δelta",
                                "δelta", "",      " lead", "z",      "Ʒ",      "😀 emoji", "a\u00a0nbsp"};
        QJsonArray models;
        for (int i = 0; i < names.size(); ++i) {
            QJsonObject m{{"id", QStringLiteral("s-%1").arg(names.size() - i, 2, 10, QLatin1Char('0'))},
                          {"name", names[i].isEmpty() ? QStringLiteral("(empty)") : names[i]},
                          {"location", names[(i * 7) % names.size()]},
                          {"principalInvestigator", names[(i * 3) % names.size()]},
                          {"regulatoryStatus", i % 3 ? "Approved" : "Suspended"}};
            if (i % 4) // some records without it: missing values sort first
                m.insert("enrollmentTarget", (i * 37) % 11 - 5);
            models.append(m);
        }
        for (auto *h : {&a, &b}) {
            auto s = h == &a ? sa : sb;
            const QJsonObject r = h->tool(s, "trial-site.upsert-many", {{"models", models}});
            QVERIFY2(!r["isError"].toBool(), qPrintable(r["content"][0]["text"].toString()));
        }
        const auto ids = [](const QJsonObject &r) {
            QStringList out;
            for (const QJsonValue &item : r["structuredContent"]["items"].toArray())
                out << item["id"].toString();
            return out;
        };
        QList<QJsonObject> queries;
        for (const char *sort :
             {"id", "id:desc", "name", "name:desc", "location", "location:desc", "principalInvestigator",
              "enrollmentTarget", "enrollmentTarget:desc", "regulatoryStatus"})
            for (int page : {1, 2, 3})
                queries << QJsonObject{{"sort", sort}, {"pageSize", 13}, {"page", page}};
        for (const QString &n : names)
            if (!n.isEmpty())
                queries << QJsonObject{{"filter", QJsonObject{{"location", n}}}, {"sort", "name"}};
        queries << QJsonObject{{"filter", QJsonObject{{"name", "alpha"}}}}       // exact: case matters
                << QJsonObject{{"filter", QJsonObject{{"name", "Emile"}}}}       // no accent folding
                << QJsonObject{{"filter", QJsonObject{{"enrollmentTarget", 3}}}} // a number
                << QJsonObject{{"filter", QJsonObject{{"enrollmentTarget", -5}}}, {"sort", "name:desc"}}
                << QJsonObject{{"filter", QJsonObject{{"regulatoryStatus", "Suspended"}}},
                               {"sort", "enrollmentTarget"}};
        int nonEmpty = 0;
        for (const QJsonObject &q : std::as_const(queries)) {
            const QJsonObject ra = a.tool(sa, "trial-site.collection", q), rb = b.tool(sb, "trial-site.collection", q);
            const QByteArray what = QJsonDocument(q).toJson(QJsonDocument::Compact);
            QVERIFY2(!ra["isError"].toBool() && !rb["isError"].toBool(), what.constData());
            QVERIFY2(ids(ra) == ids(rb), qPrintable(QString::fromUtf8(what) + "\nsqlite:   " + ids(ra).join(',')
                                                    + "\npostgres: " + ids(rb).join(',')));
            QCOMPARE(ra["structuredContent"]["total"], rb["structuredContent"]["total"]);
            // The same documents (but for updatedAt, stamped by each server at its own write).
            const auto docs = [](const QJsonObject &r) {
                QJsonArray out;
                for (const QJsonValue &item : r["structuredContent"]["items"].toArray()) {
                    QJsonObject doc = item.toObject();
                    doc.remove("updatedAt");
                    out.append(doc);
                }
                return out;
            };
            QCOMPARE(docs(ra), docs(rb));
            nonEmpty += ids(ra).isEmpty() ? 0 : 1;
        }
        QVERIFY(nonEmpty > queries.size() / 2);
        // Byte-wise order, spelled out for one sort (not just "the same on both").
        const QJsonObject byName = a.tool(sa, "trial-site.collection", {{"sort", "name"}, {"pageSize", 100}});
        QStringList sorted;
        for (const QJsonValue &item : byName["structuredContent"]["items"].toArray())
            sorted << item["name"].toString();
        QStringList expected = sorted;
        std::sort(expected.begin(), expected.end(),
                  [](const QString &x, const QString &y) { return x.toUtf8() < y.toUtf8(); });
        QCOMPARE(sorted, expected);
    }

    void upsertRulesAndValidation_data() { addBackendRows(); }
    void upsertRulesAndValidation()
    {
        KOAN_FETCH_BACKEND(url);
        McpServerOptions o;
        o.databaseUrl = url;
        BridgeHarness h(o);
        auto s = h.session();
        // defaults and server-managed stamps
        const QJsonObject site
            = h.tool(s, "trial-site.upsert", {{"model", sample("TrialSite", "x")}})["structuredContent"]["item"]
                  .toObject();
        QCOMPARE(site["regulatoryStatus"].toString(), QStringLiteral("Pending"));
        QCOMPARE(site["currentEnrollment"].toInt(), 0);
        QVERIFY(QDateTime::fromString(site["updatedAt"].toString(), Qt::ISODateWithMs).isValid());
        const QJsonObject note = h.tool(s, "monitoring-note.upsert",
                                        {{"model", sample("MonitoringNote", "n")}})["structuredContent"]["item"]
                                     .toObject();
        QCOMPARE(note["noteType"].toString(), QStringLiteral("General"));
        QVERIFY(!note["createdAt"].toString().isEmpty());
        QJsonObject again = note;
        again["summary"] = "edited";
        again["createdAt"] = "1999-01-01T00:00:00Z"; // creation stamps are kept
        QCOMPARE(
            h.tool(s, "monitoring-note.upsert",
                   {{"model", again}, {"expectedVersion", note["version"]}})["structuredContent"]["item"]["createdAt"]
                .toString(),
            note["createdAt"].toString());
        // referential check on trialSiteId
        QJsonObject orphan = sample("ParticipantVisit", "o");
        orphan["trialSiteId"] = "site-atlantis";
        const QJsonObject refused = h.tool(s, "participant-visit.upsert", {{"model", orphan}});
        QCOMPARE(refused["isError"].toBool(), true);
        QVERIFY(refused["content"][0]["text"].toString().contains("site-atlantis"));
        // schema validation names the field
        QJsonObject wrong = sample("ParticipantVisit", "w");
        wrong["visitType"] = "Party";
        wrong["scheduledAt"] = "tomorrow";
        const QString message
            = h.tool(s, "participant-visit.upsert", {{"model", wrong}})["content"][0]["text"].toString();
        QVERIFY2(message.contains("model.visitType") && message.contains("model.scheduledAt"), qPrintable(message));
        const QString unknown = h.tool(s, "trial-site.upsert",
                                       {{"model", QJsonObject{{"name", "n"},
                                                              {"location", "l"},
                                                              {"principalInvestigator", "p"},
                                                              {"shoe", 1}}}})["content"][0]["text"]
                                    .toString();
        QVERIFY2(unknown.contains("model.shoe: unknown field"), qPrintable(unknown));
        // duplicate ids inside one upsert-many
        QJsonObject dup = sample("TrialSite", "d");
        dup["id"] = "dup";
        QVERIFY(h.tool(s, "trial-site.upsert-many", {{"models", QJsonArray{dup, dup}}})["content"][0]["text"]
                    .toString()
                    .contains("duplicate"));
        // patch rules
        QCOMPARE(h.tool(s, "trial-site.patch",
                        {{"id", "site-boston"},
                         {"patch",
                          QJsonArray{QJsonObject{{"op", "test"}, {"path", "/name"}, {"value", "wrong"}}}}})["isError"]
                     .toBool(),
                 true);
        QCOMPARE(
            h.tool(s, "trial-site.patch",
                   {{"id", "site-boston"},
                    {"patch", QJsonArray{QJsonObject{{"op", "replace"}, {"path", "/id"}, {"value", "x"}}}}})["isError"]
                .toBool(),
            true);
        QCOMPARE(
            h.tool(s, "trial-site.patch",
                   {{"id", "site-boston"},
                    {"patch", QJsonArray{QJsonObject{
                                  {"op", "replace"}, {"path", "/enrollmentTarget"}, {"value", "many"}}}}})["isError"]
                .toBool(),
            true);
        QCOMPARE(h.tool(s, "trial-site.patch",
                        {{"id", "site-boston"},
                         {"patch", QJsonArray{QJsonObject{{"op", "remove"}, {"path", "/name"}}}}})["isError"]
                     .toBool(),
                 true);
        const QJsonObject ok = h.tool(
            s, "trial-site.patch",
            {{"id", "site-boston"},
             {"patch", QJsonArray{QJsonObject{{"op", "test"}, {"path", "/currentEnrollment"}, {"value", 84}},
                                  QJsonObject{{"op", "replace"}, {"path", "/currentEnrollment"}, {"value", 85}},
                                  QJsonObject{{"op", "add"}, {"path", "/metadata/monitor"}, {"value", "cra.lee"}},
                                  QJsonObject{{"op", "remove"}, {"path", "/phase"}}}}});
        QVERIFY2(!ok["isError"].toBool(), qPrintable(ok["content"][0]["text"].toString()));
        QCOMPARE(ok["structuredContent"]["item"]["currentEnrollment"].toInt(), 85);
        QCOMPARE(ok["structuredContent"]["item"]["metadata"]["monitor"].toString(), QStringLiteral("cra.lee"));
        QVERIFY(!ok["structuredContent"]["item"].toObject().contains("phase"));
    }

    void persistsAcrossRestartsAndSeedsOnce()
    {
        QTemporaryDir dir;
        McpServerOptions o;
        o.databasePath = dir.filePath("persist.sqlite");
        {
            BridgeHarness h(o);
            auto s = h.session();
            QCOMPARE(h.tool(s, "trial-site.collection")["structuredContent"]["total"].toInt(), 3);
            QVERIFY(!h.tool(s, "trial-site.upsert",
                            {{"model", QJsonObject{{"id", "site-kept"},
                                                   {"name", "Kept"},
                                                   {"location", "L"},
                                                   {"principalInvestigator", "P"}}}})["isError"]
                         .toBool());
            QVERIFY(!h.tool(s, "trial-site.delete", {{"id", "site-osaka"}})["isError"].toBool());
        }
        QVERIFY(QFile::exists(o.databasePath));
        BridgeHarness again(o);
        auto s = again.session();
        // The deleted seed record stays deleted: seeding happens on the first start only.
        QCOMPARE(again.tool(s, "trial-site.collection")["structuredContent"]["total"].toInt(), 3);
        QCOMPARE(again.tool(s, "trial-site.get-by-id", {{"id", "site-kept"}})["structuredContent"]["item"]["name"]
                     .toString(),
                 QStringLiteral("Kept"));
        QCOMPARE(again.tool(s, "trial-site.get-by-id", {{"id", "site-osaka"}})["isError"].toBool(), true);
    }

    void cachedRecordsFollowEveryWrite()
    {
        // get-by-id answers from a record cache: our own writes and another connection's commits
        // (PRAGMA data_version) must both show at once.
        BridgeHarness h;
        auto s = h.session();
        const auto name = [&] {
            return h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["structuredContent"]["item"]["name"]
                .toString();
        };
        const QString original = name();
        QCOMPARE(name(), original); // now cached
        QJsonObject edited
            = h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["structuredContent"]["item"].toObject();
        edited["name"] = "Renamed by a tool";
        QVERIFY(!h.tool(s, "trial-site.upsert", {{"model", edited}, {"expectedVersion", edited["version"]}})["isError"]
                     .toBool());
        QCOMPARE(name(), QStringLiteral("Renamed by a tool"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "other-writer");
            db.setDatabaseName(h.server->store()->path());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec("UPDATE trial_site SET doc = json_set(doc, '$.name', 'Renamed elsewhere') WHERE id = "
                            "'site-boston'"),
                     qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase("other-writer");
        QCOMPARE(name(), QStringLiteral("Renamed elsewhere"));
        QVERIFY(!h.tool(s, "trial-site.delete", {{"id", "site-boston"}})["isError"].toBool());
        QCOMPARE(h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["isError"].toBool(), true);
    }

    void upsertManyIsAllOrNothing()
    {
        BridgeHarness h;
        auto s = h.session();
        const QString path = h.server->store()->path();
        {
            // A real SQLite trigger, from a second connection, makes the third row fail mid-transaction.
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "trigger");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec("CREATE TRIGGER explode BEFORE INSERT ON trial_site WHEN json_extract(NEW.doc, '$.name') = "
                            "'explode' "
                            "BEGIN SELECT RAISE(ABORT, 'boom'); END"),
                     qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase("trigger");
        QJsonObject edited
            = h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["structuredContent"]["item"].toObject();
        const QString originalName = edited["name"].toString();
        edited["name"] = "Renamed in the failed batch";
        QJsonObject a = sample("TrialSite", "tx1"), b = sample("TrialSite", "tx2"), c = sample("TrialSite", "tx3");
        a["id"] = "tx-1";
        b["id"] = "tx-2";
        c["id"] = "tx-3";
        c["name"] = "explode";
        const QJsonObject r = h.tool(s, "trial-site.upsert-many",
                                     {{"models", QJsonArray{a, edited, b, c}},
                                      {"expectedVersions", QJsonObject{{"site-boston", edited["version"]}}}});
        QCOMPARE(r["isError"].toBool(), true);
        QVERIFY2(r["content"][0]["text"].toString().contains("nothing was written"),
                 qPrintable(r["content"][0]["text"].toString()));
        for (const char *id : {"tx-1", "tx-2", "tx-3"})
            QCOMPARE(h.tool(s, "trial-site.get-by-id", {{"id", id}})["isError"].toBool(), true);
        QCOMPARE(
            h.tool(s, "trial-site.get-by-id", {{"id", "site-boston"}})["structuredContent"]["item"]["name"].toString(),
            originalName);
        QCOMPARE(h.tool(s, "trial-site.collection")["structuredContent"]["total"].toInt(), 3);
    }

    void entityOptionsChangeToolsAndCalls_data() { addBackendRows(); }
    void entityOptionsChangeToolsAndCalls()
    {
        KOAN_FETCH_BACKEND(url);
        McpServerOptions serverOptions;
        serverOptions.databaseUrl = url;
        BridgeHarness h(serverOptions);
        auto s = h.session();
        EntityOptions o = h.server->registry()->options("TrialSite");
        o.allowMutations = false;
        QString error;
        QVERIFY(h.server->registry()->setOptions("TrialSite", o, &error));
        const QJsonArray tools = h.call(s, "tools/list").value("result").toObject().value("tools").toArray();
        QStringList names;
        for (const QJsonValue t : tools)
            names << t["name"].toString();
        QVERIFY(names.contains("trial-site.collection"));
        QVERIFY(!names.contains("trial-site.upsert"));
        QCOMPARE(names.size(), 51 - 6); // ten tools per entity and audit.export; six of TrialSite's mutate
        const QJsonObject denied = h.tool(s, "trial-site.delete", {{"id", "site-boston"}});
        QCOMPARE(at(denied, "error.code").toInt(), -32602);
        QVERIFY(at(denied, "error.message").toString().contains("AllowMutations=false"));
        // EnabledTransports without Stdio hides the entity on this STDIO session only.
        EntityOptions d = h.server->registry()->options("ProtocolDocument");
        d.enabledTransports = TransportSet(TransportKind::HttpSse) | TransportKind::StreamableHttp;
        QVERIFY(h.server->registry()->setOptions("ProtocolDocument", d, &error));
        QCOMPARE(at(h.tool(s, "protocol-document.collection"), "error.code").toInt(), -32602);
        auto http = h.session(TransportKind::StreamableHttp, Principal{});
        QVERIFY(!h.tool(http, "protocol-document.collection").contains("error"));
        // renaming the prefix renames the tools; clashes are refused
        d.name = "protocols";
        QVERIFY(h.server->registry()->setOptions("ProtocolDocument", d, &error));
        QVERIFY(!h.tool(http, "protocols.get-by-id", {{"id", "doc-protocol-v3"}}).contains("error"));
        d.name = "trial-site";
        QVERIFY(!h.server->registry()->setOptions("ProtocolDocument", d, &error));
        QVERIFY(error.contains("already used"));
    }

    void seedDataMatchesSchemas()
    {
        BridgeHarness h;
        QFile f(QStringLiteral(KOAN_SOURCE_DIR "/server/s12/s12-medtrials.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject seed = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(seed.keys().size(), 5);
        for (const auto &e : h.server->registry()->entities())
            for (const QJsonValue record : seed.value(e.name).toArray()) {
                const QStringList problems
                    = protocol::JsonSchemaValidator::validate(record, e.recordSchema(false), "record");
                QVERIFY2(problems.isEmpty(), qPrintable(e.name + ": " + problems.join("; ")));
            }
    }
};

QTEST_GUILESS_MAIN(TestCoreEntities)
#include "tst_core_entities.moc"
