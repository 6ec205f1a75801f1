// The Entities page's record browser over a real server on its own thread (offscreen): writes
// through the real tool path (the operator's invokeTool and Streamable HTTP), then search, the
// versions of a record and the diff between two of them. With KOAN_SCREENSHOT_DIR set, saves
// console-record-browser.png.
#include "EntitiesPage.h"
#include "EntityOverridesModel.h"
#include "MainWindow.h"
#include "McpServer.h"
#include "RecordBrowser.h"
#include "RecordBrowserModels.h"
#include "admin/AdminController.h"
#include "support/ConsoleFixture.h"
#include "support/RawClient.h"

#include <QApplication>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTcpSocket>
#include <QTest>
#include <QTranslator>

using namespace koan;
using namespace koan::test;

class TestGuiRecords : public QObject
{
    Q_OBJECT
    ConsoleFixture m_console;
    int m_nextId = 1;

    ui::RecordBrowser *browser() const { return m_console.window->entitiesPage()->recordBrowser(); }

    // tools/call as the operator, the console's own path; returns the JSON-RPC response.
    QJsonObject operatorCall(const QString &tool, const QJsonObject &arguments)
    {
        const QString id = QStringLiteral("test-%1").arg(m_nextId++);
        QJsonObject answer;
        bool done = false;
        QObject context;
        connect(m_console.admin, &AdminController::toolInvoked, &context,
                [&](const QString &requestId, const QJsonObject &, const QJsonObject &response, double) {
                    if (requestId == id) {
                        answer = response;
                        done = true;
                    }
                });
        AdminController *admin = m_console.admin;
        QMetaObject::invokeMethod(
            admin, [admin, id, tool, arguments] { admin->invokeTool(id, tool, arguments); }, Qt::QueuedConnection);
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            return {};
        return answer;
    }

    static bool succeeded(const QJsonObject &response)
    {
        return response.contains("result") && !response.value("result").toObject().value("isError").toBool();
    }

    void searchFor(const QString &field, const QString &value)
    {
        browser()->fieldBox()->setCurrentText(field);
        browser()->searchEdit()->setText(value);
        browser()->searchButton()->click();
    }

    QString versionsCell(int row, int column) const
    {
        return browser()->versionsModel()->index(row, column).data().toString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_console.startServer("records.sqlite"), qPrintable(m_console.problems));
        const QString overrides = m_console.dir.filePath("appsettings.user.json");
        QVERIFY2(m_console.openWindow([&](AdminController *admin) { admin->setUserOverrideFile(overrides); }),
                 qPrintable(m_console.problems));
        QCOMPARE(browser()->entityBox()->count(), 5);
    }

    void versionsAndDiffOfARecord()
    {
        // v1: created by the operator; v2: patched by the operator; v3: patched over Streamable HTTP.
        const QJsonObject created
            = operatorCall("trial-site.upsert", {{"model", QJsonObject{{"id", "site-records"},
                                                                       {"name", "Records Test Site"},
                                                                       {"location", "Oslo, Norway"},
                                                                       {"principalInvestigator", "Dr. Nordmann"}}}});
        QVERIFY2(succeeded(created), QJsonDocument(created).toJson().constData());
        const QJsonObject patched = operatorCall(
            "trial-site.patch",
            {{"id", "site-records"},
             {"expectedVersion", 1},
             {"patch", QJsonArray{QJsonObject{{"op", "replace"}, {"path", "/currentEnrollment"}, {"value", 12}}}}});
        QVERIFY2(succeeded(patched), QJsonDocument(patched).toJson().constData());
        QByteArray sid;
        streamablePost(
            m_console.port,
            {{"jsonrpc", "2.0"},
             {"id", 1},
             {"method", "initialize"},
             {"params", QJsonObject{{"protocolVersion", "2025-06-18"},
                                    {"capabilities", QJsonObject{}},
                                    {"clientInfo", QJsonObject{{"name", "records-test"}, {"version", "1"}}}}}},
            &sid);
        QVERIFY(!sid.isEmpty());
        const QJsonObject overHttp = streamablePost(
            m_console.port,
            {{"jsonrpc", "2.0"},
             {"id", 2},
             {"method", "tools/call"},
             {"params",
              QJsonObject{{"name", "trial-site.patch"},
                          {"arguments",
                           QJsonObject{{"id", "site-records"},
                                       {"expectedVersion", 2},
                                       {"patch", QJsonArray{QJsonObject{{"op", "replace"},
                                                                        {"path", "/name"},
                                                                        {"value", "Records Test Site North"}}}}}}}}},
            &sid);
        QVERIFY2(succeeded(overHttp), QJsonDocument(overHttp).toJson().constData());
        // What the audit trail says, to compare the table with.
        const QJsonObject history = operatorCall("trial-site.history", {{"id", "site-records"}});
        const QJsonArray versions = history["result"]["structuredContent"]["versions"].toArray();
        QCOMPARE(versions.size(), 3);

        m_console.window->tabs()->setCurrentWidget(m_console.window->entitiesPage());
        m_console.window->entitiesPage()->sections()->setCurrentWidget(browser());
        browser()->entityBox()->setCurrentText("TrialSite");
        QTRY_VERIFY(browser()->recordsModel()->rowCount() > 1); // the first page, seeded sites included
        QVERIFY(browser()->fieldBox()->findText("name") >= 0);  // fields learnt from the records

        // By a text field: equality on name.
        searchFor("name", "Records Test Site North");
        QTRY_COMPARE(browser()->recordsModel()->rowCount(), 1);
        QCOMPARE(browser()->recordsModel()->record(0).id, QStringLiteral("site-records"));
        QCOMPARE(browser()->recordsModel()->record(0).text, QStringLiteral("Records Test Site North"));
        QCOMPARE(browser()->recordsModel()->record(0).version, QStringLiteral("3"));

        // By id: found and opened.
        searchFor("id", "site-records");
        QTRY_COMPARE(browser()->openRecordId(), QStringLiteral("site-records"));
        QTRY_COMPARE(browser()->versionsModel()->rowCount(), 3);
        QCOMPARE(browser()->recordsModel()->record(0).version, QStringLiteral("3"));
        const QStringList operations{"create", "patch", "patch"};
        for (int r = 0; r < 3; ++r) {
            const QJsonObject v = versions.at(r).toObject();
            QCOMPARE(versionsCell(r, ui::RecordVersionsModel::Version), QStringLiteral("v%1").arg(r + 1));
            QCOMPARE(versionsCell(r, ui::RecordVersionsModel::Operation), operations.at(r));
            QCOMPARE(versionsCell(r, ui::RecordVersionsModel::Principal), v["principal"].toString());
            QVERIFY(!versionsCell(r, ui::RecordVersionsModel::Principal).isEmpty());
            QCOMPARE(versionsCell(r, ui::RecordVersionsModel::Transport), v["transport"].toString());
            QVERIFY(!versionsCell(r, ui::RecordVersionsModel::At).isEmpty());
        }
        QCOMPARE(versionsCell(0, ui::RecordVersionsModel::Transport), QStringLiteral("Operator"));
        QCOMPARE(versionsCell(2, ui::RecordVersionsModel::Transport), QStringLiteral("StreamableHttp"));
        // Reconstructed documents: v3 is what get-by-id returns now.
        const QJsonObject byId = operatorCall("trial-site.get-by-id", {{"id", "site-records"}});
        const QJsonObject current = byId["result"]["structuredContent"]["item"].toObject();
        QCOMPARE(browser()->versionsModel()->versions().at(2).document, current);
        // Latest change shown first: v2 -> v3.
        QVERIFY2(browser()->diffView()->toPlainText().contains(
                     R"(replace /name: "Records Test Site" → "Records Test Site North")"),
                 qPrintable(browser()->diffView()->toPlainText()));

        // Select versions 1 and 3 in the table: both changes.
        QItemSelectionModel *selection = browser()->versionsView()->selectionModel();
        selection->clearSelection();
        selection->select(browser()->versionsModel()->index(0, 0),
                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        selection->select(browser()->versionsModel()->index(2, 0),
                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(browser()->fromBox()->currentIndex(), 0);
        QCOMPARE(browser()->toBox()->currentIndex(), 2);
        const QString diff = browser()->diffView()->toPlainText();
        QVERIFY2(diff.startsWith("From v1 to v3:"), qPrintable(diff));
        QVERIFY2(diff.contains(R"(replace /name: "Records Test Site" → "Records Test Site North")"), qPrintable(diff));
        QVERIFY2(diff.contains("replace /currentEnrollment: 0 → 12"), qPrintable(diff));
        QVERIFY2(diff.contains("replace /version: 1 → 3"), qPrintable(diff));
        QVERIFY(!diff.contains("/location"));
        QVERIFY(diff.contains("JSON Patch:"));
        // The pickers alone: the same version twice, nothing differs.
        browser()->fromBox()->setCurrentIndex(1);
        browser()->toBox()->setCurrentIndex(1);
        QVERIFY(browser()->diffView()->toPlainText().contains("No differences."));
        selection->clearSelection();
        selection->select(browser()->versionsModel()->index(0, 0),
                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        selection->select(browser()->versionsModel()->index(2, 0),
                          QItemSelectionModel::Select | QItemSelectionModel::Rows);

        // Accessible names on the new controls.
        for (QWidget *w : std::initializer_list<QWidget *>{
                 browser()->entityBox(), browser()->fieldBox(), browser()->searchEdit(), browser()->searchButton(),
                 browser()->recordsView(), browser()->versionsView(), browser()->fromBox(), browser()->toBox(),
                 browser()->diffView()})
            QVERIFY2(!w->accessibleName().isEmpty(), qPrintable(w->objectName()));

        const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            QTest::qWait(100);
            QVERIFY(m_console.window->grab().save(dir + QStringLiteral("/console-record-browser.png")));
        }
    }

    void deletedRecordShowsItsDeleteVersion()
    {
        QVERIFY(succeeded(
            operatorCall("trial-site.upsert", {{"model", QJsonObject{{"id", "site-gone"},
                                                                     {"name", "Closed Site"},
                                                                     {"location", "Turku, Finland"},
                                                                     {"principalInvestigator", "Dr. Virtanen"}}}})));
        const QJsonObject deleted = operatorCall("trial-site.delete", {{"id", "site-gone"}, {"expectedVersion", 1}});
        QVERIFY2(succeeded(deleted), QJsonDocument(deleted).toJson().constData());
        browser()->entityBox()->setCurrentText("TrialSite");
        searchFor("id", "site-gone");
        QTRY_COMPARE(browser()->openRecordId(), QStringLiteral("site-gone"));
        QTRY_COMPARE(browser()->versionsModel()->rowCount(), 2);
        QCOMPARE(browser()->recordsModel()->rowCount(), 1);
        QCOMPARE(browser()->recordsModel()->record(0).version, QStringLiteral("deleted"));
        QCOMPARE(browser()->recordsModel()->record(0).text, QStringLiteral("Closed Site"));
        QCOMPARE(versionsCell(0, ui::RecordVersionsModel::Operation), QStringLiteral("create"));
        QCOMPARE(versionsCell(1, ui::RecordVersionsModel::Operation), QStringLiteral("delete"));
        QCOMPARE(versionsCell(1, ui::RecordVersionsModel::Version), QStringLiteral("deleted (v1)"));
        QCOMPARE(browser()->versionsModel()->versions().at(1).document["name"].toString(),
                 QStringLiteral("Closed Site"));
        const QString diff = browser()->diffView()->toPlainText();
        QVERIFY2(diff.startsWith("From v1 to deleted (v1):"), qPrintable(diff));
        QVERIFY2(diff.contains(R"(remove /name ("Closed Site"))"), qPrintable(diff));

        // An id nobody ever had.
        searchFor("id", "site-never");
        QTRY_VERIFY(browser()->message()->text().contains("No TrialSite record has the id site-never"));
        QCOMPARE(browser()->recordsModel()->rowCount(), 0);
    }

    void germanTranslationsOfTheBrowser()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        QCOMPARE(de.translate("koan::ui::RecordBrowser", "Search"), QStringLiteral("Suchen"));
        QCOMPARE(de.translate("koan::ui::RecordVersionsModel", "Operation"), QStringLiteral("Vorgang"));
        QCOMPARE(de.translate("koan::ui::EntitiesPage", "Records"), QStringLiteral("Datensätze"));
    }

    void cleanupTestCase() { m_console.stop(); }
};

QTEST_MAIN(TestGuiRecords)
#include "tst_gui_records.moc"
