// The call workbench on the Tool calls page over a real server on its own thread (offscreen),
// with real traffic: a stateless 2026-07-28 call carrying _meta.traceparent, a 2025-11-25
// Streamable session's call and a legacy HTTP+SSE call, all over loopback HTTP, and the
// operator's own. The history shows era, subject and trace id; the filter bar narrows it; the
// JSONL export holds what the filter shows; "Copy as curl" gives for each era a command line
// that, run by the shell with curl against the same server, makes the call again; pinned calls
// stay on top and survive the ring bound; replay runs a call again as the operator; a slow
// operator call is cancelled in flight; the raw JSON-RPC pane follows the form. Edit > Find and
// Edit > Copy (Ctrl+F, Ctrl+C) work on the pages. With KOAN_SCREENSHOT_DIR set, also saves
// docs/console-workbench.png.
#include "CurlCommand.h"
#include "InvokePanel.h"
#include "MainWindow.h"
#include "McpServer.h"
#include "SchemaForm.h"
#include "TasksPage.h"
#include "ToolCallJsonl.h"
#include "ToolCallsFilter.h"
#include "ToolCallsModel.h"
#include "ToolCallsPage.h"
#include "admin/AdminController.h"
#include "fixtures/FixturePacks.h"
#include "support/ConsoleFixture.h"
#include "support/ModernRpc.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
const char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
const char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// Runs `command` in sh with `env` added, as a reader pasting it would; its stdout.
QByteArray runShell(const QString &command, const QMap<QString, QString> &env, int *exitCode)
{
    QProcess sh;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    sh.setProcessEnvironment(e);
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    if (!sh.waitForFinished(20000))
        return {};
    *exitCode = sh.exitCode();
    return sh.readAllStandardOutput();
}
} // namespace

class TestGuiWorkbench : public QObject
{
    Q_OBJECT
    ConsoleFixture m_console;
    QString m_legacySession;        // the legacy SSE stream's sessionId
    QByteArray m_streamableSession; // the 2025 Streamable session's Mcp-Session-Id
    HttpClient *m_sse = nullptr;

    ui::ToolCallsModel *model() const { return m_console.window->toolCallsModel(); }
    ui::ToolCallsPage *page() const { return m_console.window->toolCallsPage(); }
    // The newest call of `tool` in the history, or -1.
    int lastRowOf(const QString &tool, const QString &outcome = {}) const
    {
        for (int r = model()->rowCount() - 1; r >= 0; --r)
            if (model()->record(r).tool == tool && (outcome.isEmpty() || model()->record(r).outcome == outcome))
                return r;
        return -1;
    }
    // Selects the source row `row` in the page's (filtered, sorted) view.
    void select(int row)
    {
        const QModelIndex i = page()->filter()->mapFromSource(model()->index(row, 0));
        QVERIFY(i.isValid());
        page()->view()->setCurrentIndex(i);
        page()->view()->selectionModel()->select(i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    QString curlFor(int row)
    {
        select(row);
        return page()->copySelectedAsCurl();
    }
    int tracedRow() const
    {
        for (int r = 0; r < model()->rowCount(); ++r)
            if (model()->record(r).traceId == QLatin1String(kTraceId))
                return r;
        return -1;
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_console.port); }

private slots:
    void initTestCase()
    {
        QVERIFY2(
            m_console.start("workbench.sqlite", {},
                            [](McpServer *s) { fixtures::install(QStringLiteral("conformance"), s->bridge(), s); }),
            qPrintable(m_console.problems));
        m_console.window->tabs()->setCurrentWidget(page());
    }

    void recordsCarryEraSubjectTraceIdAndRawJsonRpc()
    {
        // A stateless 2026-07-28 call with a W3C traceparent in its _meta.
        HttpClient modern(m_console.port);
        QJsonObject params{{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-boston"}}}};
        QByteArray body = modernRequest(7, "tools/call", params, false);
        QJsonObject message = QJsonDocument::fromJson(body).object();
        QJsonObject p = message["params"].toObject(), meta = p["_meta"].toObject();
        meta.insert("traceparent", QString::fromLatin1(kTraceparent));
        meta.insert("io.modelcontextprotocol/clientInfo", QJsonObject{{"name", "trace-client"}, {"version", "1"}});
        p.insert("_meta", meta);
        message.insert("params", p);
        const HttpResponse answer = modern.request("POST", "/mcp", modernHeaders("tools/call", "trial-site.get-by-id"),
                                                   QJsonDocument(message).toJson(QJsonDocument::Compact));
        QCOMPARE(answer.status, 200);
        QTRY_VERIFY(lastRowOf("trial-site.get-by-id") >= 0);
        const int row = lastRowOf("trial-site.get-by-id");
        const ToolCallRecord &r = model()->record(row);
        QCOMPARE(r.traceId, QString::fromLatin1(kTraceId));
        QCOMPARE(r.era, ProtocolEra::Modern);
        QCOMPARE(r.transport, TransportKind::StreamableHttp);
        QCOMPARE(r.outcome, QStringLiteral("ok"));
        QCOMPARE(r.caller, QStringLiteral("trace-client"));
        QVERIFY(r.sessionId.isEmpty());
        QCOMPARE(r.requestId.toInt(), 7);
        QCOMPARE(r.request["params"]["_meta"]["traceparent"].toString(), QString::fromLatin1(kTraceparent));
        QCOMPARE(r.response["result"]["structuredContent"]["item"]["id"].toString(), QStringLiteral("site-boston"));
        // The table shows it: Trace id column, the era, the stateless caller.
        QCOMPARE(model()->index(row, ui::ToolCallsModel::TraceId).data().toString(), QString::fromLatin1(kTraceId));
        QCOMPARE(model()->index(row, ui::ToolCallsModel::Era).data().toString(), QStringLiteral("2026-07-28"));
        QCOMPARE(model()->index(row, ui::ToolCallsModel::Session).data().toString(),
                 QStringLiteral("trace-client (stateless)"));
        QCOMPARE(model()->headerData(ui::ToolCallsModel::TraceId, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Trace id"));
        // Selected: the details pane names the trace id and shows the raw request.
        select(row);
        QVERIFY(page()->findChild<QPlainTextEdit *>("toolCallDetails")->toPlainText().contains(kTraceId));
        QVERIFY(page()->findChild<QPlainTextEdit *>("toolCallDetails")->toPlainText().contains(kTraceparent));

        // A 2025-11-25 Streamable HTTP session's call.
        HttpClient streamable(m_console.port);
        const HttpResponse init
            = streamable.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        m_streamableSession = init.header("Mcp-Session-Id");
        QVERIFY(!m_streamableSession.isEmpty());
        auto h = streamableHeaders(m_streamableSession);
        h.append(qMakePair(QByteArray("MCP-Protocol-Version"), QByteArray("2025-11-25")));
        QCOMPARE(
            streamable.request("POST", "/mcp", h, rpc(QJsonValue(QJsonValue::Undefined), "notifications/initialized"))
                .status,
            202);
        const HttpResponse call = streamable.request(
            "POST", "/mcp", h,
            rpc(2, "tools/call", {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "site-osaka"}}}}));
        QCOMPARE(call.status, 200);
        QTRY_VERIFY(model()->record(lastRowOf("trial-site.get-by-id")).sessionId
                    == QString::fromLatin1(m_streamableSession));
        const ToolCallRecord &s = model()->record(lastRowOf("trial-site.get-by-id"));
        QCOMPARE(s.era, ProtocolEra::Legacy);
        QCOMPARE(s.protocolVersion, QStringLiteral("2025-11-25"));
        QVERIFY(s.traceId.isEmpty());

        // A legacy HTTP+SSE call (its answer on the stream).
        m_sse = new HttpClient(m_console.port);
        m_sse->send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        SseEvent endpoint;
        QVERIFY(m_sse->waitEvent("endpoint", 5000, &endpoint));
        m_legacySession = QString::fromLatin1(endpoint.data.mid(endpoint.data.indexOf("sessionId=") + 10));
        QVERIFY(!m_legacySession.isEmpty());
        HttpClient post(m_console.port);
        const QByteArray path = "/mcp/rpc?sessionId=" + m_legacySession.toLatin1();
        const QList<QPair<QByteArray, QByteArray>> json{{"Content-Type", "application/json"}};
        QCOMPARE(post.request("POST", path, json, rpc(1, "initialize", initParams("2024-11-05"))).status, 202);
        QCOMPARE(post.request("POST", path, json, rpc(QJsonValue(QJsonValue::Undefined), "notifications/initialized"))
                     .status,
                 202);
        QCOMPARE(post.request("POST", path, json,
                              rpc(2, "tools/call", {{"name", "greet"}, {"arguments", QJsonObject{{"name", "SSE"}}}}))
                     .status,
                 202);
        QTRY_VERIFY(lastRowOf("greet") >= 0);
        QCOMPARE(model()->record(lastRowOf("greet")).transport, TransportKind::HttpSse);
        QCOMPARE(model()->index(lastRowOf("greet"), ui::ToolCallsModel::Era).data().toString(),
                 QStringLiteral("legacy SSE 2024-11-05"));

        // A tool error (isError) from the stateless era.
        HttpClient bad(m_console.port);
        bad.request("POST", "/mcp", modernHeaders("tools/call", "trial-site.get-by-id"),
                    modernRequest(
                        8, "tools/call",
                        {{"name", "trial-site.get-by-id"}, {"arguments", QJsonObject{{"id", "no-such-site"}}}}, false));
        QTRY_VERIFY(lastRowOf("trial-site.get-by-id", "tool_error") >= 0);
        QCOMPARE(model()->index(lastRowOf("trial-site.get-by-id", "tool_error"), ui::ToolCallsModel::Outcome).data(),
                 QVariant(QStringLiteral("tool error")));
    }

    void filterBarNarrowsTheHistory()
    {
        ui::ToolCallsFilter *filter = page()->filter();
        const int all = filter->rowCount();
        QCOMPARE(all, model()->rowCount());
        // The choices list what arrived.
        QVERIFY(page()->toolFilter()->findData("greet") > 0);
        QVERIFY(page()->toolFilter()->findData("trial-site.get-by-id") > 0);
        QVERIFY(page()->sessionFilter()->findData(QString::fromLatin1(m_streamableSession)) > 0);
        QVERIFY(page()->sessionFilter()->findData("trace-client (stateless)") > 0);
        QVERIFY(page()->outcomeFilter()->findData("cancelled") > 0);

        page()->toolFilter()->setCurrentIndex(page()->toolFilter()->findData("greet"));
        QCOMPARE(filter->rowCount(), 1);
        page()->toolFilter()->setCurrentIndex(0);
        page()->sessionFilter()->setCurrentIndex(
            page()->sessionFilter()->findData(QString::fromLatin1(m_streamableSession)));
        QCOMPARE(filter->rowCount(), 1);
        QCOMPARE(filter->index(0, ui::ToolCallsModel::Tool).data().toString(), QStringLiteral("trial-site.get-by-id"));
        page()->sessionFilter()->setCurrentIndex(0);
        page()->outcomeFilter()->setCurrentIndex(page()->outcomeFilter()->findData("tool_error"));
        QCOMPARE(filter->rowCount(), 1);
        page()->outcomeFilter()->setCurrentIndex(0);
        // Text: arguments, responses and trace ids.
        page()->searchField()->setText("OSAKA"); // case-insensitive, in the arguments and the response
        QCOMPARE(filter->rowCount(), 1);
        page()->searchField()->setText(QString::fromLatin1(kTraceId).left(12));
        QCOMPARE(filter->rowCount(), 1);
        QCOMPARE(filter->index(0, ui::ToolCallsModel::TraceId).data().toString(), QString::fromLatin1(kTraceId));
        page()->searchField()->setText("Hello, SSE!"); // only in the response
        QCOMPARE(filter->rowCount(), 1);
        page()->searchField()->setText("nothing-like-this");
        QCOMPARE(filter->rowCount(), 0);
        page()->searchField()->clear();
        QCOMPARE(filter->rowCount(), all);
    }

    void exportsWhatTheFilterShowsAsJsonl()
    {
        page()->toolFilter()->setCurrentIndex(page()->toolFilter()->findData("trial-site.get-by-id"));
        const int shown = page()->filter()->rowCount();
        QCOMPARE(shown, 3);
        const QString path = m_console.dir.filePath("calls.jsonl");
        QString error;
        QVERIFY2(page()->exportJsonl(path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), shown + 1); // each line ends with \n
        QVERIFY(lines.last().isEmpty());
        QStringList traceIds, outcomes;
        for (int i = 0; i < shown; ++i) {
            QJsonParseError pe;
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i), &pe).object();
            QCOMPARE(pe.error, QJsonParseError::NoError);
            QCOMPARE(o["tool"].toString(), QStringLiteral("trial-site.get-by-id"));
            QCOMPARE(o["request"]["method"].toString(), QStringLiteral("tools/call"));
            QVERIFY(o["response"]["result"].isObject());
            QVERIFY(!o["time"].toString().isEmpty());
            QVERIFY(o["durationMs"].isDouble());
            traceIds << o["traceId"].toString();
            outcomes << o["outcome"].toString();
        }
        QCOMPARE(traceIds, (QStringList{kTraceId, "", ""}));
        QCOMPARE(outcomes, (QStringList{"ok", "ok", "tool_error"}));
        page()->toolFilter()->setCurrentIndex(0);
    }

    void curlCommandsRunAgainstTheServer()
    {
        // 2026-07-28: complete as it stands, its _meta (and traceparent) included.
        const QString modern = curlFor(tracedRow());
        QCOMPARE(QApplication::clipboard()->text(), modern);
        QVERIFY2(modern.contains("-H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: "
                                 "trial-site.get-by-id'"),
                 qPrintable(modern));
        QVERIFY(modern.contains(baseUrl() + "/mcp "));
        QVERIFY(modern.contains(kTraceparent));
        QVERIFY(!modern.contains("Mcp-Session-Id"));
        int exit = -1;
        QByteArray out = runShell(modern, {}, &exit);
        QCOMPARE(exit, 0);
        const QJsonObject reply = QJsonDocument::fromJson(out).object();
        QVERIFY2(reply["result"]["structuredContent"]["item"]["id"].toString() == "site-boston", out.constData());
        QCOMPARE(reply["result"]["resultType"].toString(), QStringLiteral("complete"));

        // 2025-11-25 Streamable: needs a session; with MCP_SESSION_ID set to one, it runs.
        int streamableRow = -1;
        for (int r = 0; r < model()->rowCount(); ++r)
            if (model()->record(r).sessionId == QString::fromLatin1(m_streamableSession))
                streamableRow = r;
        const QString session = curlFor(streamableRow);
        QVERIFY2(session.contains("-H \"Mcp-Session-Id: $MCP_SESSION_ID\""), qPrintable(session));
        QVERIFY(session.contains("-H 'MCP-Protocol-Version: 2025-11-25'"));
        QVERIFY(session.startsWith("# Streamable HTTP 2025-11-25: a session of your own first"));
        out = runShell(session, {{"MCP_SESSION_ID", QString::fromLatin1(m_streamableSession)}}, &exit);
        QCOMPARE(exit, 0);
        QVERIFY2(out.contains("site-osaka") && out.contains("\"result\""), out.constData());

        // Legacy HTTP+SSE: POSTed to the stream's endpoint (202), the answer on the stream.
        const QString legacy = curlFor(lastRowOf("greet"));
        QVERIFY2(legacy.contains(baseUrl() + "/mcp/rpc?sessionId=$MCP_SESSION_ID"), qPrintable(legacy));
        const int before = int(m_sse->events().size());
        out = runShell(legacy + " -o /dev/null -w '%{http_code}'", {{"MCP_SESSION_ID", m_legacySession}}, &exit);
        QCOMPARE(exit, 0);
        QCOMPARE(out, QByteArray("202"));
        QTRY_VERIFY(m_sse->events().size() > before);
        QVERIFY(m_sse->events().last().data.contains("Hello, SSE!"));

        // The operator's own call: the same call over HTTP, stateless.
        page()->invokePanel()->rerun("trial-site.get-by-id", {{"id", "site-osaka"}});
        QTRY_VERIFY(lastRowOf("trial-site.get-by-id") >= 0
                    && model()->record(lastRowOf("trial-site.get-by-id")).transport == TransportKind::Operator);
        const QString console = curlFor(lastRowOf("trial-site.get-by-id"));
        QVERIFY2(console.startsWith("# Made over the console"), qPrintable(console));
        out = runShell(console, {}, &exit);
        QVERIFY2(out.contains("\"resultType\":\"complete\"") && out.contains("site-osaka"), out.constData());

        // A token is never copied: with authentication it is $KOAN_TOKEN; quotes in arguments survive the shell.
        ToolCallRecord quoted = model()->record(lastRowOf("greet"));
        quoted.arguments = QJsonObject{{"name", "O'Brien"}};
        quoted.request = {};
        quoted.subject = "alice";
        quoted.transport = TransportKind::Operator;
        const QString withToken = ui::CurlCommand::forCall(quoted, baseUrl(), "/mcp", true);
        QVERIFY(withToken.contains("-H \"Authorization: Bearer $KOAN_TOKEN\""));
        out = runShell(QString(withToken).replace(" -H \"Authorization: Bearer $KOAN_TOKEN\"", QString()), {}, &exit);
        QVERIFY2(out.contains("Hello, O'Brien!"), out.constData());
        QTRY_VERIFY(model()->record(lastRowOf("greet")).arguments.value("name") == QStringLiteral("O'Brien"));
    }

    void pinnedCallsStayOnTopAndSurviveTheRing()
    {
        // The page's model: pin the oldest call; it moves to the top of the view.
        select(0);
        const QString pinnedTool = model()->record(0).tool;
        page()->findChild<QPushButton *>("toolCallPin")->click();
        QVERIFY(model()->isPinned(0));
        QCOMPARE(page()->filter()->mapToSource(page()->filter()->index(0, 0)).row(), 0);
        select(model()->rowCount() - 1);
        page()->togglePinSelected();
        QCOMPARE(page()->filter()->mapToSource(page()->filter()->index(1, 0)).row(), model()->rowCount() - 1);
        page()->togglePinSelected(); // unpinned: back in arrival order
        QCOMPARE(page()->filter()->mapToSource(page()->filter()->index(model()->rowCount() - 1, 0)).row(),
                 model()->rowCount() - 1);
        QCOMPARE(model()->index(0, 0).data(ui::ToolCallsModel::PinnedRole).toBool(), true);
        QCOMPARE(page()->filter()->index(0, ui::ToolCallsModel::Tool).data().toString(), pinnedTool);

        // A ring of three: the pinned call outlives newer unpinned ones.
        ui::ToolCallsModel ring(3);
        for (int i = 0; i < 3; ++i) {
            ToolCallRecord r;
            r.tool = QStringLiteral("t%1").arg(i);
            r.outcome = "ok";
            ring.toolCallFinished(r);
        }
        ring.setPinned(0, true);
        for (int i = 3; i < 6; ++i) {
            ToolCallRecord r;
            r.tool = QStringLiteral("t%1").arg(i);
            r.outcome = "ok";
            ring.toolCallFinished(r);
        }
        QCOMPARE(ring.rowCount(), 3);
        QCOMPARE(ring.record(0).tool, QStringLiteral("t0"));
        QVERIFY(ring.isPinned(0));
        QCOMPARE(ring.record(1).tool, QStringLiteral("t4"));
        QCOMPARE(ring.record(2).tool, QStringLiteral("t5"));
        select(0);
        page()->togglePinSelected();
        QVERIFY(!model()->isPinned(0));
    }

    void replayRunsTheCallAgainAsTheOperator()
    {
        int row = -1; // the legacy SSE call
        for (int r = 0; r < model()->rowCount(); ++r)
            if (model()->record(r).transport == TransportKind::HttpSse)
                row = r;
        select(row);
        const int before = model()->rowCount();
        page()->rerunSelected();
        QTRY_COMPARE(model()->rowCount(), before + 1);
        const ToolCallRecord &again = model()->record(before);
        QCOMPARE(again.tool, QStringLiteral("greet"));
        QCOMPARE(again.arguments, (QJsonObject{{"name", "SSE"}}));
        QCOMPARE(again.transport, TransportKind::Operator);
        QTRY_VERIFY(page()->invokePanel()->resultView()->toPlainText().contains("Hello, SSE!"));
    }

    void rawJsonRpcBesideTheForm()
    {
        ui::InvokePanel *panel = page()->invokePanel();
        panel->toolBox()->setCurrentIndex(panel->toolBox()->findText("greet"));
        auto *name = qobject_cast<QLineEdit *>(panel->form()->editor("name"));
        QVERIFY(name);
        name->setText("Raw");
        const QString building = panel->rawView()->toPlainText();
        QVERIFY2(building.contains("\"name\": \"greet\"") && building.contains("\"name\": \"Raw\""),
                 qPrintable(building));
        QVERIFY(building.contains("\"method\": \"tools/call\""));
        name->setText("Raw2"); // follows each edit
        QVERIFY(panel->rawView()->toPlainText().contains("\"name\": \"Raw2\""));
        panel->runButton()->click();
        QTRY_VERIFY(panel->rawView()->toPlainText().contains("Hello, Raw2!"));
        QVERIFY(panel->rawView()->toPlainText().contains("← Response"));
        QVERIFY(panel->rawView()->toPlainText().contains("\"id\": \"console-")); // the real id, as sent
    }

    void operatorCancelsACallInFlight()
    {
        ui::InvokePanel *panel = page()->invokePanel();
        QVERIFY(!panel->cancelButton()->isEnabled());
        panel->rerun("slow_compute", {{"seconds", 60}, {"label", "cancel-me"}});
        QVERIFY(panel->isRunning());
        QVERIFY(panel->cancelButton()->isEnabled());
        QElapsedTimer timer;
        timer.start();
        panel->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 5000);
        QVERIFY2(timer.elapsed() < 5000, "the tool did not stop");
        QVERIFY2(panel->resultView()->toPlainText().startsWith("Cancelled"),
                 qPrintable(panel->resultView()->toPlainText()));
        QVERIFY(panel->rawView()->toPlainText().contains("a cancelled request is not answered"));
        QTRY_VERIFY(lastRowOf("slow_compute") >= 0);
        const ToolCallRecord &r = model()->record(lastRowOf("slow_compute"));
        QCOMPARE(r.outcome, QStringLiteral("cancelled"));
        QVERIFY(r.durationMs < 5000);
        QCOMPARE(model()->index(lastRowOf("slow_compute"), ui::ToolCallsModel::Outcome).data().toString(),
                 QStringLiteral("cancelled"));
        // The next call runs normally.
        panel->rerun("slow_compute", {{"seconds", 0}, {"label", "quick"}});
        QTRY_VERIFY(panel->resultView()->toPlainText().startsWith("OK"));
    }

    void findAndCopyShortcuts()
    {
        QAction *find = m_console.window->findAction();
        QAction *copy = m_console.window->copyAction();
        QVERIFY(find->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_F)));
        QVERIFY(copy->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_C)));
        m_console.window->tabs()->setCurrentWidget(page());
        m_console.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_console.window.get()));
        page()->view()->setFocus();
        QTest::keyClick(m_console.window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_COMPARE(QApplication::focusWidget(), page()->searchField());
        // Another page's filter field, without it registering anything.
        m_console.window->tabs()->setCurrentWidget(m_console.window->tasksPage());
        find->trigger();
        QCOMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("tasksFilter"));

        // Copy: the selected rows of the current table, header first, tab-separated.
        m_console.window->tabs()->setCurrentWidget(page());
        page()->view()->setFocus();
        const int greet = lastRowOf("greet");
        select(greet);
        QApplication::clipboard()->clear();
        QTest::keyClick(page()->view(), Qt::Key_C, Qt::ControlModifier);
        const QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith("Time\tSession / caller\tProtocol\tSubject\tTool"), qPrintable(lines.at(0)));
        QVERIFY2(lines.at(1).contains("\tgreet\t"), qPrintable(lines.at(1)));
    }

    void screenshotOfTheWorkbench()
    {
        const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        m_console.window->resize(1500, 820);
        m_console.window->tabs()->setCurrentWidget(page());
        const int traced = tracedRow();
        select(traced);
        page()->togglePinSelected();
        select(traced);
        ui::InvokePanel *panel = page()->invokePanel();
        panel->toolBox()->setCurrentIndex(panel->toolBox()->findText("trial-site.get-by-id"));
        qobject_cast<QLineEdit *>(panel->form()->editor("id"))->setText("site-boston");
        panel->runButton()->click();
        QTRY_VERIFY(panel->resultView()->toPlainText().startsWith("OK"));
        select(traced);
        page()->view()->scrollToTop(); // the pinned call, with its trace id
        QTest::qWait(200);
        QVERIFY(m_console.window->grab().save(dir + QStringLiteral("/console-workbench.png")));
    }

    void cleanupTestCase()
    {
        delete m_sse;
        m_console.stop();
    }
};

QTEST_MAIN(TestGuiWorkbench)
#include "tst_gui_workbench.moc"
