// The Wire traffic page (offscreen) over a real server on its own thread: in-process (the page's
// toggles record a real legacy HTTP+SSE session opened over loopback: its endpoint event, the
// initialize exchange, keep-alives; a frame's headers and body in the detail pane; Export JSON)
// and attached over the admin API (RemoteConsoleLink: POST /admin/sessions/{id}/traffic, the
// frames arriving as traffic-frame events). With KOAN_SCREENSHOT_DIR set, also saves
// docs/console-traffic.png.
#include "MainWindow.h"
#include "McpServer.h"
#include "SessionsModel.h"
#include "TrafficModel.h"
#include "TrafficPage.h"
#include "admin/AdminController.h"
#include "console/RemoteConsoleLink.h"
#include "sessions/SessionManager.h"
#include "support/ConsoleFixture.h"
#include "support/HttpClient.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTranslator>
#include <QUrlQuery>

using namespace koan;
using namespace koan::test;

class TestGuiTraffic : public QObject
{
    Q_OBJECT
    ConsoleFixture m_console;
    std::unique_ptr<HttpClient> m_stream; // the legacy session's SSE stream, open throughout
    QString m_sid;

    ui::TrafficPage *page() const { return m_console.window->trafficPage(); }
    // Only on the server thread (inside m_console.onServer).
    TrafficRecorder *recorder() const { return m_console.host->server()->sessions()->traffic(); }
    bool recording(const QString &id) const
    {
        return m_console.onServer<bool>([&] { return recorder()->isRecording(id); });
    }
    static QStringList kinds(const ui::TrafficModel *model)
    {
        QStringList out;
        for (const QJsonObject &f : model->frames())
            out << f["kind"].toString();
        return out;
    }
    static int rowOf(const ui::TrafficModel *model, const QString &kind)
    {
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->frame(r)["kind"].toString() == kind)
                return r;
        return -1;
    }
    // A legacy HTTP+SSE session over loopback: the stream open, initialize answered on it.
    QString openLegacySession(HttpClient &stream)
    {
        stream.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        SseEvent endpoint;
        if (!stream.waitEvent("endpoint", 5000, &endpoint))
            return {};
        HttpClient post(m_console.port);
        post.request("POST", endpoint.data, {{"Content-Type", "application/json"}}, rpc(1, "initialize", initParams()));
        stream.waitMessage(1);
        return QUrlQuery(QUrl(QString::fromUtf8(endpoint.data)).query()).queryItemValue("sessionId");
    }

private slots:
    void initTestCase()
    {
        McpServerOptions o;
        o.sseKeepAliveIntervalMs = 300;
        QVERIFY2(m_console.start("traffic.sqlite", o), qPrintable(m_console.problems));
    }

    void pageIsInTheViewMenu()
    {
        QTabWidget *tabs = m_console.window->tabs();
        const int index = tabs->indexOf(page());
        QVERIFY(index >= 0);
        QCOMPARE(tabs->tabText(index), QStringLiteral("Wire traffic"));
        QAction *action = m_console.window->pageActions().at(index);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_0));
        action->trigger();
        QCOMPARE(tabs->currentWidget(), page());
        QCOMPARE(page()->recordToggle()->accessibleName(), QStringLiteral("Record this session's wire traffic"));
        QVERIFY(!page()->recordToggle()->isEnabled()); // no session chosen
        QVERIFY(!page()->recordToggle()->isChecked());
        QVERIFY(!page()->recordNewToggle()->isChecked()); // off by default
        QCOMPARE(page()->model()->rowCount(), 0);
        QVERIFY(!m_console.onServer<bool>([&] { return recorder()->active(); }));
    }

    void recordsALegacySessionInProcess()
    {
        // "Record new sessions" first: the endpoint event goes out as the stream opens.
        page()->recordNewToggle()->click();
        QTRY_VERIFY(m_console.onServer<bool>([&] { return recorder()->recordsNewSessions(); }));
        m_stream = std::make_unique<HttpClient>(m_console.port);
        m_sid = openLegacySession(*m_stream);
        QVERIFY(!m_sid.isEmpty());
        page()->recordNewToggle()->click();
        QTRY_VERIFY(!page()->recordNewToggle()->isChecked());
        QTRY_VERIFY(!m_console.onServer<bool>([&] { return recorder()->recordsNewSessions(); }));
        QVERIFY(recording(m_sid)); // what began with the session goes on

        // The session is listed; choosing it shows its recording, live.
        QTRY_VERIFY_WITH_TIMEOUT(page()->targets()->findData(m_sid) >= 0, 5000);
        page()->selectTarget(m_sid);
        QTRY_VERIFY(page()->recordToggle()->isChecked());
        QVERIFY(page()->recordToggle()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(kinds(page()->model()).contains("keep-alive"), 5000);
        QStringList seen = kinds(page()->model());
        seen.removeAll("keep-alive"); // every 300 ms, anywhere after the stream's head
        QCOMPARE(seen.mid(0, 6), (QStringList{"http-request", "http-response", "endpoint", "http-request",
                                              "http-response", "sse-event"}));
        const int endpoint = rowOf(page()->model(), "endpoint");
        QCOMPARE(page()->model()->index(endpoint, ui::TrafficModel::Direction).data().toString(),
                 QStringLiteral("← out"));
        QVERIFY(
            page()->model()->index(endpoint, ui::TrafficModel::Summary).data().toString().contains("event: endpoint"));
        // The detail pane: the initialize request's headers and pretty-printed body.
        page()->view()->selectRow(int(kinds(page()->model()).lastIndexOf("http-request")));
        QVERIFY(page()->detail()->toPlainText().startsWith("POST /mcp/rpc?sessionId=" + m_sid));
        QVERIFY(page()->detail()->toPlainText().contains("Content-Type: application/json"));
        QVERIFY(page()->detail()->toPlainText().contains("\"method\": \"initialize\""));
        // Export JSON: the frames shown, as JSON.
        const QString path = m_console.dir.filePath("traffic.json");
        QString error;
        QVERIFY2(page()->exportTo(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(doc["target"].toString(), m_sid);
        QVERIFY(doc["frames"].toArray().size() >= page()->model()->rowCount() - 2); // keep-alives keep coming
        QCOMPARE(doc["frames"].toArray().at(2)["kind"].toString(), QStringLiteral("endpoint"));

        // Record off from the page: the server stops, the rows stay, no more arrive.
        page()->recordToggle()->click();
        QTRY_VERIFY(!recording(m_sid));
        QVERIFY(!page()->recordToggle()->isChecked());
        // Frames recorded before the stop, still queued to the console, land first.
        QTRY_COMPARE(page()->model()->rowCount(),
                     m_console.onServer<int>([&] { return int(recorder()->frames(m_sid).size()); }));
        const int rows = page()->model()->rowCount();
        const qsizetype comments = m_stream->comments().size();
        QTRY_VERIFY(m_stream->comments().size() >= comments + 2);
        QCOMPARE(page()->model()->rowCount(), rows);
        // ... and on again: keep-alives are recorded once more.
        page()->recordToggle()->click();
        QTRY_VERIFY(recording(m_sid));
        QTRY_VERIFY_WITH_TIMEOUT(page()->model()->rowCount() > rows, 3000);
    }

    void recordsAttached()
    {
        AttachOptions o;
        o.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_console.port)); // loopback, authentication off
        RemoteConsoleLink link(o);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(link.isConnected(), 10000);
        ServerStatus status;
        m_console.host->invoke([&] { status = m_console.admin->status(); });
        ui::MainWindow window(&link, status, {}, {}, {});
        ui::TrafficPage *attached = window.trafficPage();
        // A Streamable HTTP session, chosen and recorded from the attached console.
        HttpClient c(m_console.port);
        HttpResponse r = c.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams()));
        QCOMPARE(r.status, 200);
        const QString sid = QString::fromLatin1(r.header("Mcp-Session-Id"));
        window.tabs()->setCurrentWidget(attached);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(attached->targets()->findData(sid) >= 0, 5000);
        attached->selectTarget(sid);
        QTRY_VERIFY(attached->recordToggle()->isEnabled());
        QVERIFY(!attached->recordToggle()->isChecked());
        attached->recordToggle()->click(); // POST /admin/sessions/{id}/traffic {"enabled": true}
        QTRY_VERIFY(recording(sid));
        r = c.request("POST", "/mcp", streamableHeaders(sid.toLatin1()), rpc(2, "tools/list"));
        QCOMPARE(r.status, 200);
        // Frames come as traffic-frame events of /admin/events.
        QTRY_VERIFY_WITH_TIMEOUT(kinds(attached->model()).contains("sse-event"), 5000);
        QCOMPARE(kinds(attached->model()).mid(0, 2), (QStringList{"http-request", "http-response"}));
        QVERIFY(attached->model()->frame(0)["path"].toString() == QStringLiteral("/mcp"));
        // The export on demand (GET /admin/sessions/{id}/traffic) holds the same frames.
        attached->selectTarget(sid);
        QTRY_VERIFY_WITH_TIMEOUT(kinds(attached->model()).contains("sse-event"), 5000);
        QVERIFY(attached->recordToggle()->isChecked());
        attached->recordToggle()->click();
        QTRY_VERIFY(!recording(sid));
        link.stop();
    }

    void germanStrings()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "Wire traffic"), QStringLiteral("Datenverkehr"));
        QCOMPARE(de.translate("koan::ui::TrafficPage", "Record"), QStringLiteral("Aufzeichnen"));
        QCOMPARE(de.translate("koan::ui::TrafficPage", "Export JSON…"), QStringLiteral("Als JSON exportieren…"));
        QCOMPARE(de.translate("koan::ui::TrafficModel", "Direction"), QStringLiteral("Richtung"));
    }

    void screenshot()
    {
        const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        // A tool call on the recorded legacy session, beside its stream's keep-alives.
        HttpClient post(m_console.port);
        post.request("POST", "/mcp/rpc?sessionId=" + m_sid.toLatin1(), {{"Content-Type", "application/json"}},
                     rpc(2, "tools/list"));
        QVERIFY(!m_stream->waitMessage(2).isEmpty());
        m_console.window->tabs()->setCurrentWidget(page());
        page()->selectTarget(m_sid);
        QTRY_VERIFY_WITH_TIMEOUT(page()->model()->rowCount() > 8, 5000);
        page()->view()->selectRow(rowOf(page()->model(), "endpoint") + 1);
        QTest::qWait(100);
        QVERIFY(m_console.window->grab().save(dir + QStringLiteral("/console-traffic.png")));
    }

    void cleanupTestCase()
    {
        m_stream.reset();
        m_console.stop();
    }
};

QTEST_MAIN(TestGuiTraffic)
#include "tst_gui_traffic.moc"
