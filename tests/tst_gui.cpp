// Console GUI over a real server on its own thread, driven by real HTTP clients (offscreen).
// With KOAN_SCREENSHOT_DIR set, also saves a PNG of every main view (docs/ screenshots).
#include "AuthFailuresModel.h"
#include "EntitiesPage.h"
#include "EntityOverridesModel.h"
#include "HeartbeatsPage.h"
#include "InvokePanel.h"
#include "MainWindow.h"
#include "LogsModel.h"
#include "LogsPage.h"
#include "logging/LogSink.h"
#include "AuthFailuresPage.h"
#include "RollbackDialog.h"
#include "McpServer.h"
#include "SchemaForm.h"
#include "SessionsModel.h"
#include "SessionsPage.h"
#include "ToolCallsPage.h"
#include "AboutDialog.h"
#include <QAction>
#include <QHeaderView>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include "Sparkline.h"
#include "ToolCallsModel.h"
#include "TransportBar.h"
#include "JsonText.h"
#include "admin/AdminController.h"
#include "sessions/SessionManager.h"
#include "support/ConsoleFixture.h"
#include "support/RawClient.h"

#include <QApplication>
#include <QDateEdit>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QTranslator>
#include <climits>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTabWidget>
#include <QTcpSocket>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
// Opens GET /mcp/sse and collects the raw stream.
struct SseClient {
    QTcpSocket socket;
    QByteArray received;
    bool open(quint16 port, const QByteArray &extraHeaders = {})
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(3000))
            return false;
        socket.write("GET /mcp/sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" + extraHeaders
                     + "\r\n");
        return true;
    }
    // POSTs initialize to the stream's endpoint, as a legacy client does.
    bool initialize(quint16 port, const QString &clientName)
    {
        if (!QTest::qWaitFor([this] { return received.contains("event: endpoint"); }, 3000))
            return false;
        const int at = received.indexOf("data: ", received.indexOf("event: endpoint"));
        const QByteArray path = received.mid(at + 6, received.indexOf('\n', at) - at - 6).trimmed();
        const QByteArray body
            = QJsonDocument(QJsonObject{{"jsonrpc", "2.0"},
                                        {"id", 1},
                                        {"method", "initialize"},
                                        {"params", QJsonObject{{"protocolVersion", "2024-11-05"},
                                                               {"capabilities", QJsonObject{}},
                                                               {"clientInfo", QJsonObject{{"name", clientName},
                                                                                          {"version", "1.2"}}}}}})
                  .toJson(QJsonDocument::Compact);
        QTcpSocket post;
        post.connectToHost(QHostAddress::LocalHost, port);
        if (!post.waitForConnected(3000))
            return false;
        post.write("POST " + path
                   + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     "Content-Length: "
                   + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return post.waitForReadyRead(3000) && post.readAll().startsWith("HTTP/1.1 202");
    }
};

QStringList toolNames(quint16 port)
{
    QByteArray sid;
    streamablePost(
        port,
        QJsonObject{{"jsonrpc", "2.0"},
                    {"id", 1},
                    {"method", "initialize"},
                    {"params", QJsonObject{{"protocolVersion", "2025-06-18"},
                                           {"capabilities", QJsonObject{}},
                                           {"clientInfo", QJsonObject{{"name", "gui-test"}, {"version", "1"}}}}}},
        &sid);
    const QJsonObject list
        = streamablePost(port, QJsonObject{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}, &sid);
    QStringList names;
    for (const auto &t : list.value("result").toObject().value("tools").toArray())
        names << t.toObject().value("name").toString();
    return names;
}

// Answers the next confirmation with Yes; `text` receives what it asked.
void acceptNextMessageBox(QString *text = nullptr)
{
    QTimer::singleShot(50, [text] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            if (text)
                *text = box->text();
            box->button(QMessageBox::Yes)->click();
        } else {
            acceptNextMessageBox(text); // not shown yet
        }
    });
}
// Turns the switch off with a cut (the open streams end now) and a reason; `text` receives what it asked.
void cutWithNextRollbackDialog(QString *text)
{
    QTimer::singleShot(50, [text] {
        if (auto *d = qobject_cast<ui::RollbackDialog *>(QApplication::activeModalWidget())) {
            *text = d->question();
            d->cutButton()->setChecked(true);
            d->reasonEdit()->setText("gui test");
            d->okButton()->click();
        } else {
            cutWithNextRollbackDialog(text); // not shown yet
        }
    });
}
} // namespace

class TestGui : public QObject
{
    Q_OBJECT
    ConsoleFixture m_console;
    QString m_overrideFile;

private slots:
    void sessionsModelNamesTheEra()
    {
        // 2025-era sessions and the stateless era's rows side by side, told apart by the Era column.
        ui::SessionsModel model;
        SessionInfo session;
        session.id = QStringLiteral("0123456789abcdef0123456789abcdef");
        session.protocolVersion = QStringLiteral("2025-11-25");
        SessionInfo caller;
        caller.id = QStringLiteral("caller-0123456789abcdef0123456789abcdef");
        caller.kind = SessionKind::StatelessCaller;
        caller.protocolVersion = QStringLiteral("2026-07-28");
        SessionInfo listen = caller;
        listen.id = QStringLiteral("listen-0123456789abcdef0123456789abcdef");
        listen.kind = SessionKind::ListenStream;
        model.sessionOpened(session);
        model.sessionOpened(caller);
        model.sessionOpened(listen);
        QCOMPARE(model.headerData(ui::SessionsModel::Era, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Era"));
        QCOMPARE(model.index(0, ui::SessionsModel::Era).data().toString(), QStringLiteral("session (2025-11-25)"));
        QCOMPARE(model.index(1, ui::SessionsModel::Era).data().toString(),
                 QStringLiteral("stateless caller (2026-07-28)"));
        QCOMPARE(model.index(2, ui::SessionsModel::Era).data().toString(),
                 QStringLiteral("listen stream (2026-07-28)"));
    }

    void initTestCase()
    {
        QVERIFY(m_console.dir.isValid());
        // Hermetic: the windows below remember and restore their layout here, never in the user's settings.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_console.dir.filePath("settings"));
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_console.dir.filePath("settings"));
        LogSink::install(LogSink::Format::Plain); // as koan-mcp does: its records feed the Logs page
        // The English translations as koan-mcp installs them at start (plural forms from koan_en.qm), the server.
        McpServerOptions o;
        o.sseKeepAliveIntervalMs = 200;
        QVERIFY2(m_console.startServer("gui.sqlite", o), qPrintable(m_console.problems));
        m_overrideFile = m_console.dir.filePath("appsettings.user.json");
        QVERIFY2(m_console.openWindow([this](AdminController *admin) { admin->setUserOverrideFile(m_overrideFile); }),
                 qPrintable(m_console.problems));
        QCOMPARE(m_console.window->entitiesModel()->rowCount(), 5);
    }

    void sessionsFollowRealHttp()
    {
        auto *model = m_console.window->sessionsModel();
        QCOMPARE(model->rowCount(), 0);
        SseClient a, b;
        QVERIFY(a.open(m_console.port));
        QVERIFY(b.open(m_console.port));
        QTRY_COMPARE(model->rowCount(), 2);
        QCOMPARE(model->index(0, ui::SessionsModel::Transport).data().toString(), QStringLiteral("HttpSse"));
        // Heartbeats (200 ms) reach the model and mark the session healthy.
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ui::SessionsModel::Heartbeat).data().toString(),
                                  QStringLiteral("healthy"), 3000);
        QTRY_VERIFY(m_console.window->findChild<QLabel *>("statusSessions")->text().contains("2 / 500"));
        a.socket.abort();
        QTRY_COMPARE(model->rowCount(), 1);
        b.socket.disconnectFromHost();
        QTRY_COMPARE(model->rowCount(), 0);
        // The heartbeat chart samples the model.
        m_console.window->heartbeatsPage()->sample();
        QCOMPARE(m_console.window->heartbeatsPage()->chart()->series(0).last(), 0.0);
        QVERIFY(m_console.window->heartbeatsPage()->chart()->series(1).last() > 0);
    }

    void disconnectFromConsole()
    {
        SseClient c;
        QVERIFY(c.open(m_console.port));
        auto *view = m_console.window->sessionsPage()->view();
        QTRY_COMPARE(view->model()->rowCount(), 1);
        view->selectRow(0);
        const QString id = view->model()->index(0, 0).data(ui::SessionsModel::SessionIdRole).toString();
        QString question;
        acceptNextMessageBox(&question);
        m_console.window->findChild<QPushButton *>("disconnectSession")->click();
        QVERIFY2(question.contains(id), qPrintable(question));
        QTRY_VERIFY(c.received.contains("event: end\n"));
        QVERIFY2(c.received.contains("disconnected_by_operator"), c.received.constData());
        QTRY_COMPARE(m_console.window->sessionsModel()->rowCount(), 0);
    }

    void rollbackSwitchClosesLegacyStreams()
    {
        SseClient c;
        QVERIFY(c.open(m_console.port));
        QTRY_VERIFY(c.received.contains("event: endpoint"));
        QPushButton *toggle = m_console.window->transportBar()->httpSseSwitch();
        QVERIFY(toggle->isChecked());
        QString question;
        cutWithNextRollbackDialog(&question);
        toggle->click();
        QTRY_VERIFY(!question.isEmpty());
        QVERIFY2(question.contains("1 active legacy session will"), qPrintable(question)); // the count, singular
        QTRY_VERIFY(c.received.contains("transport_disabled"));
        QTRY_COMPARE(c.socket.state(), QAbstractSocket::UnconnectedState);
        QTRY_VERIFY(!toggle->isChecked());
        QVERIFY(toggle->text().contains("OFF"));
        SseClient refused;
        QVERIFY(refused.open(m_console.port));
        QTRY_VERIFY(refused.received.startsWith("HTTP/1.1 503"));
        QVERIFY(m_console.screenshot("console-transport-off", m_console.window->sessionsPage()));
        toggle->click(); // turning it on needs no confirmation
        QTRY_VERIFY(toggle->isChecked());
        SseClient again;
        QVERIFY(again.open(m_console.port));
        QTRY_VERIFY(again.received.contains("event: endpoint"));
    }

    void overrideEditChangesToolsList()
    {
        QVERIFY(toolNames(m_console.port).contains("trial-site.upsert"));
        auto *model = m_console.window->entitiesModel();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->entityAt(r) == QLatin1String("TrialSite"))
                row = r;
        QVERIFY(row >= 0);
        QVERIFY(model->setData(model->index(row, ui::EntityOverridesModel::AllowMutations), Qt::Unchecked,
                               Qt::CheckStateRole));
        QTRY_VERIFY(m_console.window->entitiesPage()->message()->text().contains("applied"));
        const QStringList names = toolNames(m_console.port);
        QVERIFY(!names.contains("trial-site.upsert"));
        QVERIFY(names.contains("trial-site.collection"));
        QTRY_COMPARE(model->index(row, ui::EntityOverridesModel::AllowMutations).data(Qt::CheckStateRole).toInt(),
                     int(Qt::Unchecked));
        // Persisted to the user's override file.
        QFile f(m_overrideFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(saved["Koan"]["Mcp"]["EntityOverrides"]["TrialSite"]["AllowMutations"].toBool(true), false);
        // Invalid input is rejected in the editor, with a message, and nothing changes.
        QVERIFY(!model->setData(model->index(row, ui::EntityOverridesModel::ToolPrefix), "Bad Name", Qt::EditRole));
        QVERIFY(m_console.window->entitiesPage()->message()->text().contains("lower-case"));
        QVERIFY(!model->setData(model->index(row, ui::EntityOverridesModel::EnabledTransports), "Carrier pigeon",
                                Qt::EditRole));
        QVERIFY(m_console.window->entitiesPage()->message()->text().contains("Unknown transport"));
        // Streamable HTTP off for TrialSite: gone from tools/list over HTTP.
        QVERIFY(model->setData(model->index(row, ui::EntityOverridesModel::EnabledTransports),
                               "Stdio, HttpSse, Operator", Qt::EditRole));
        QTRY_VERIFY(!toolNames(m_console.port).contains("trial-site.collection"));
        QVERIFY(m_console.screenshot("console-entities", m_console.window->entitiesPage()));
        m_console.window->entitiesPage()->view()->setCurrentIndex(model->index(row, 0));
        m_console.window->findChild<QPushButton *>("entitiesReset")->click();
        QTRY_VERIFY(toolNames(m_console.port).contains("trial-site.upsert"));
    }

    void invokePanelRunsTool()
    {
        ui::InvokePanel *panel = m_console.window->toolCallsPage()->invokePanel();
        const int index = panel->toolBox()->findText("trial-site.get-by-id");
        QVERIFY(index >= 0);
        panel->toolBox()->setCurrentIndex(index);
        auto *id = qobject_cast<QLineEdit *>(panel->form()->editor("id"));
        QVERIFY(id);
        panel->runButton()->click(); // required field empty: rejected in the form
        QVERIFY(panel->resultView()->toPlainText().contains("id is required"));
        id->setText("site-boston");
        panel->runButton()->click();
        QTRY_VERIFY(panel->resultView()->toPlainText().contains("Boston General Research Center"));
        QVERIFY(panel->resultView()->toPlainText().startsWith("OK"));
        QTRY_VERIFY(m_console.window->toolCallsModel()->rowCount() >= 1);
        const int last = m_console.window->toolCallsModel()->rowCount() - 1;
        QCOMPARE(m_console.window->toolCallsModel()->record(last).tool, QStringLiteral("trial-site.get-by-id"));
        // Re-run a past call from the history.
        panel->resultView()->clear();
        m_console.window->toolCallsPage()->view()->selectRow(last);
        m_console.window->toolCallsPage()->rerunSelected();
        QTRY_VERIFY(panel->resultView()->toPlainText().contains("Boston General Research Center"));
        QTRY_COMPARE(m_console.window->toolCallsModel()->rowCount(), last + 2);
        QVERIFY(m_console.screenshot("console-tool-calls", m_console.window->toolCallsPage()));
    }

    void authFailuresAreListed()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_console.port);
        QVERIFY(s.waitForConnected(3000));
        s.write("GET /mcp/capabilities HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer not.a.jwt\r\n\r\n");
        QTRY_COMPARE(m_console.window->authFailuresModel()->rowCount(), 1);
        QCOMPARE(m_console.window->authFailuresModel()->index(0, ui::AuthFailuresModel::Reason).data().toString(),
                 QStringLiteral("malformed"));
        QVERIFY(m_console.window->findChild<QLabel *>("statusAuthFailures")->text().contains("1"));
        QVERIFY(m_console.screenshot("console-auth-failures", m_console.window->authFailuresPage()));
        auto *view = m_console.window->findChild<QTableView *>("authFailuresView");
        auto *filter = m_console.window->findChild<QLineEdit *>("authFailuresFilter");
        filter->setText("no-such-reason");
        QCOMPARE(view->model()->rowCount(), 0);
        filter->setText("MALFORMED");
        QCOMPARE(view->model()->rowCount(), 1);
        filter->clear();
        m_console.window->findChild<QPushButton *>("authFailuresClear")->click();
        QCOMPARE(m_console.window->authFailuresModel()->rowCount(), 0);
        QVERIFY(m_console.window->findChild<QLabel *>("statusAuthFailures")->text().contains("0"));
    }

    void sessionsSortAndFilter()
    {
        auto *view = m_console.window->sessionsPage()->view();
        const int before = view->model()->rowCount(); // Streamable sessions of earlier tests live on
        SseClient alpha, beta;
        QVERIFY(alpha.open(m_console.port, "User-Agent: alpha-agent/1\r\n"));
        QVERIFY(beta.open(m_console.port, "User-Agent: beta-agent/2\r\n"));
        QVERIFY(alpha.initialize(m_console.port, "alpha-client"));
        QTRY_COMPARE(view->model()->rowCount(), before + 2);
        QTRY_VERIFY(
            !view->model()
                 ->match(view->model()->index(0, ui::SessionsModel::Client), Qt::DisplayRole, "alpha-client 1.2")
                 .isEmpty());
        auto *filter = m_console.window->findChild<QLineEdit *>("sessionsFilter");
        filter->setText("BETA-agent"); // case-insensitive, any column
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, ui::SessionsModel::UserAgent).data().toString(),
                 QStringLiteral("beta-agent/2"));
        filter->setText("-agent/");
        QCOMPARE(view->model()->rowCount(), 2);
        view->sortByColumn(ui::SessionsModel::UserAgent, Qt::DescendingOrder);
        QCOMPARE(view->model()->index(0, ui::SessionsModel::UserAgent).data().toString(),
                 QStringLiteral("beta-agent/2"));
        view->sortByColumn(ui::SessionsModel::UserAgent, Qt::AscendingOrder);
        QCOMPARE(view->model()->index(0, ui::SessionsModel::UserAgent).data().toString(),
                 QStringLiteral("alpha-agent/1"));
        filter->clear();
        QCOMPARE(view->model()->rowCount(), before + 2);
        alpha.socket.abort();
        beta.socket.abort();
        QTRY_COMPARE(view->model()->rowCount(), before);
    }

    void heartbeatStatesAreColoured()
    {
        // The state rules on SessionInfo values as the server reports them (keep-alive 1 s).
        ui::SessionsModel model;
        model.setKeepAliveInterval(1000);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto session = [&](const char *id, int streams, qint64 heartbeatAgoMs) {
            SessionInfo s;
            s.id = id;
            s.openStreams = streams;
            s.created = now.addSecs(-60);
            s.lastHeartbeat = heartbeatAgoMs < 0 ? QDateTime() : now.addMSecs(-heartbeatAgoMs);
            return s;
        };
        model.reset({session("healthy", 1, 500), session("late", 1, 2000), session("missed", 1, 5000),
                     session("never", 1, -1), session("nostream", 0, -1)});
        const QStringList expected{"healthy", "late", "missed", "missed", "no stream"};
        QSet<QRgb> colours;
        for (int r = 0; r < model.rowCount(); ++r) {
            const QModelIndex i = model.index(r, ui::SessionsModel::Heartbeat);
            QCOMPARE(i.data().toString(), expected.at(r));
            if (r < 3)
                colours.insert(i.data(Qt::BackgroundRole).value<QBrush>().color().rgb());
        }
        QCOMPARE(colours.size(), 3); // healthy, late and missed look different
        QVERIFY(!model.index(4, ui::SessionsModel::Heartbeat).data(Qt::BackgroundRole).isValid());
        // Updates find their row by id after rows before it were removed.
        model.sessionClosed("healthy");
        model.heartbeatSent("missed", now, 42);
        QCOMPARE(model.index(1, ui::SessionsModel::Heartbeat).data().toString(), QStringLiteral("healthy"));
        QCOMPARE(model.index(1, ui::SessionsModel::Queued).data().toString(), QStringLiteral("42 B"));
    }

    void schemaFormBuildsEveryEditor()
    {
        ui::SchemaForm form;
        form.setSchema(QJsonDocument::fromJson(R"({"type":"object","required":["name","status","count"],"properties":{
            "name":{"type":"string"},
            "status":{"type":"string","enum":["Active","Closed"]},
            "count":{"type":"integer","minimum":1,"maximum":3000000000,"default":5},
            "ratio":{"type":"number","minimum":0,"maximum":1,"default":0.25},
            "flag":{"type":"boolean"},
            "day":{"type":"string","format":"date"},
            "at":{"type":"string","format":"date-time"},
            "model":{"type":"object"},
            "ids":{"type":"array"}}})")
                           .object());
        QStringList problems;
        QJsonObject args = form.arguments(&problems);
        QCOMPARE(problems, QStringList{"name is required"});
        QCOMPARE(args.value("count").toInt(), 5);                   // default applied
        QVERIFY(!args.contains("ratio") && !args.contains("flag")); // optional: only when switched on
        auto *count = qobject_cast<QSpinBox *>(form.editor("count"));
        QVERIFY(count);
        QCOMPARE(count->minimum(), 1);
        QCOMPARE(count->maximum(), INT_MAX); // clamped, not overflowed
        auto *ratio = qobject_cast<QDoubleSpinBox *>(form.editor("ratio"));
        QVERIFY(ratio);
        QCOMPARE(ratio->maximum(), 1.0);
        QCOMPARE(ratio->value(), 0.25);
        QVERIFY(qobject_cast<QComboBox *>(form.editor("status")));
        QVERIFY(qobject_cast<QDateEdit *>(form.editor("day")));
        QVERIFY(qobject_cast<QDateTimeEdit *>(form.editor("at")));
        const QJsonObject filled{{"name", "Boston"},
                                 {"status", "Closed"},
                                 {"count", 7},
                                 {"ratio", 0.5},
                                 {"flag", true},
                                 {"day", "2026-03-01"},
                                 {"at", "2026-03-01T10:30:00Z"},
                                 {"model", QJsonObject{{"city", "Boston"}}},
                                 {"ids", QJsonArray{"a", "b"}}};
        form.setArguments(filled);
        problems.clear();
        args = form.arguments(&problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(", ")));
        QCOMPARE(args, filled); // every editor round-trips its JSON type
        qobject_cast<QPlainTextEdit *>(form.editor("model"))->setPlainText("{ not json");
        form.arguments(&problems);
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems.first().startsWith("model: invalid JSON"));
    }

    void readableJsonShowsToolTextDecoded()
    {
        const QJsonObject result{
            {"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", R"({"item":{"id":"site-1"}})"}},
                                   QJsonObject{{"type", "text"}, {"text", "plain words"}}}},
            {"isError", false}};
        const QString shown = ui::readableJson(QJsonObject{{"result", result}});
        QVERIFY2(shown.contains("\"id\": \"site-1\""), qPrintable(shown)); // decoded and indented, not escaped
        QVERIFY(shown.contains("\"text\": \"plain words\""));
        QVERIFY(!shown.contains("\\\""));
    }

    void germanTranslationIsBuilt()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "Sessions"), QStringLiteral("Sitzungen"));
        QVERIFY(de.translate("koan::ui::TransportBar", "Disable HTTP+SSE transport").startsWith("HTTP+SSE"));
    }

    void englishPluralsAreBuilt()
    {
        // Without its plural forms English shows the source text: "1 session(s)".
        QTranslator en;
        QVERIFY(en.load(QLocale(QLocale::English, QLocale::UnitedStates), "koan", "_", ":/i18n"));
        QCOMPARE(en.translate("koan::ui::ClusterPage", "%n session(s)", nullptr, 1), QStringLiteral("%n session"));
        QCOMPARE(en.translate("koan::ui::ClusterPage", "%n session(s)", nullptr, 2), QStringLiteral("%n sessions"));
        QCOMPARE(en.translate("koan::ui::MainWindow", "%n row(s) copied", nullptr, 1), QStringLiteral("%n row copied"));
    }

    void logsPageInProcess()
    {
        // The in-process console gets the server thread's log records live, redacted as on stderr.
        HttpSseSwitch off;
        off.enabled = false;
        off.reason = QStringLiteral("INC-9 pasted Bearer abcdef123456.xyz789");
        m_console.link->setHttpSse(off);
        ui::LogsPage *logs = m_console.window->logsPage();
        logs->search()->setText(QStringLiteral("INC-9"));
        QTRY_COMPARE(logs->visibleRows(), 1);
        QString message;
        for (int row = 0; row < m_console.window->logsModel()->rowCount(); ++row)
            if (m_console.window->logsModel()->record(row).message.contains("INC-9"))
                message = m_console.window->logsModel()->record(row).message;
        QVERIFY2(message.contains("Bearer [redacted]"), qPrintable(message));
        QVERIFY(!message.contains("abcdef123456"));
        logs->levelFilter()->setCurrentIndex(3); // errors only: the switch is a warning
        QCOMPARE(logs->visibleRows(), 0);
        logs->levelFilter()->setCurrentIndex(0);
        logs->search()->clear();
        m_console.link->setHttpSse(HttpSseSwitch{});
        QTRY_VERIFY(m_console.window->transportBar()->httpSseSwitch()->isChecked());

        // A tool call's line (koan.rpc debug, on in this process) names the W3C trace id of its
        // _meta.traceparent in the Trace column, and the search finds it.
        const QString traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736");
        QByteArray sid;
        streamablePost(
            m_console.port,
            QJsonObject{{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"method", "initialize"},
                        {"params", QJsonObject{{"protocolVersion", "2025-11-25"},
                                               {"capabilities", QJsonObject{}},
                                               {"clientInfo", QJsonObject{{"name", "trace"}, {"version", "1"}}}}}},
            &sid);
        const QJsonObject called = streamablePost(
            m_console.port,
            QJsonObject{{"jsonrpc", "2.0"},
                        {"id", 2},
                        {"method", "tools/call"},
                        {"params", QJsonObject{{"name", "trial-site.collection"},
                                               {"arguments", QJsonObject{}},
                                               {"_meta", QJsonObject{{"traceparent",
                                                                      "00-" + traceId + "-00f067aa0ba902b7-01"}}}}}},
            &sid);
        QVERIFY2(called.contains("result"), QJsonDocument(called).toJson().constData());
        logs->search()->setText(traceId);
        QTRY_COMPARE(logs->visibleRows(), 1);
        ui::LogsModel *model = m_console.window->logsModel();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->record(r).traceId == traceId)
                row = r;
        QVERIFY(row >= 0);
        QCOMPARE(model->data(model->index(row, ui::LogsModel::Trace), Qt::DisplayRole).toString(), traceId);
        QVERIFY2(model->record(row).message.startsWith("tools/call trial-site.collection ok"),
                 qPrintable(model->record(row).message));
        QCOMPARE(model->record(row).sessionId, QString::fromLatin1(sid));
        logs->search()->clear();
    }

    void germanStringsOfAttachAndLogs()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "Logs"), QStringLiteral("Protokoll"));
        QCOMPARE(de.translate("koan::ui::LogsPage", "Warnings and errors"), QStringLiteral("Warnungen und Fehler"));
        QVERIFY(de.translate("koan::ui::MainWindow", "Not connected to %1: %2. Reconnecting…").startsWith("Keine"));
        QVERIFY(!de.translate("koan::RemoteConsoleLink", "the server ended the event stream").isEmpty());
    }

    void menuBarAndShortcuts()
    {
        ui::MainWindow *w = m_console.window.get();
        QVERIFY(w->quitAction()->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Q)));
        QVERIFY(w->refreshAction()->shortcuts().contains(QKeySequence(Qt::Key_F5)));
        QVERIFY(w->aboutAction());
        QCOMPARE(w->pageActions().size(), w->tabs()->count());
        for (int i = 0; i < w->pageActions().size() && i < 9; ++i) {
            QCOMPARE(w->pageActions().at(i)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
            QCOMPARE(w->pageActions().at(i)->text(), w->tabs()->tabText(i));
        }
        // A real key press, through Qt's shortcut map, switches the page.
        w->tabs()->setCurrentIndex(0);
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w));
        QTest::keyClick(w, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w->tabs()->currentIndex(), 1);
        QTest::keyClick(w, Qt::Key_8, Qt::ControlModifier);
        QCOMPARE(w->tabs()->currentWidget(), w->logsPage());
        w->tabs()->setCurrentIndex(0);
        // F5 asks the link again: a session the model lost comes back from the server's snapshot.
        const int before = w->sessionsModel()->rowCount();
        SseClient client;
        QVERIFY(client.open(m_console.port));
        QTRY_COMPARE(w->sessionsModel()->rowCount(), before + 1);
        w->sessionsModel()->reset({});
        QCOMPARE(w->sessionsModel()->rowCount(), 0);
        QTest::keyClick(w, Qt::Key_F5);
        QTRY_COMPARE(w->sessionsModel()->rowCount(), before + 1);
    }

    void aboutDialogNamesVersions()
    {
        m_console.window->aboutAction()->trigger();
        auto *about = m_console.window->findChild<ui::AboutDialog *>();
        QVERIFY(about);
        QVERIFY(about->isVisible());
        QVERIFY2(about->text().contains(QStringLiteral(KOAN_MCP_VERSION)), qPrintable(about->text()));
        QVERIFY(about->text().contains(QString::fromLatin1(qVersion())));
        QVERIFY(about->text().contains("the server in this process"));
        QVERIFY(!about->accessibleName().isEmpty());
        QVERIFY(!about->findChild<QLabel *>("aboutText")->accessibleName().isEmpty());
        about->reject();
        QTRY_VERIFY(!m_console.window->findChild<ui::AboutDialog *>());
    }

    void layoutIsRememberedInSettings()
    {
        QVERIFY(QSettings().fileName().startsWith(m_console.dir.path())); // never the user's real settings
        QList<int> sizes;
        {
            ui::MainWindow first(m_console.link.get());
            first.resize(930, 610);
            first.show();
            QVERIFY(QTest::qWaitForWindowExposed(&first));
            first.tabs()->setCurrentWidget(first.toolCallsPage());
            auto *split = first.findChild<QSplitter *>("toolCallsSplitter");
            QVERIFY(split);
            split->setSizes({200, 700});
            sizes = split->sizes();
            first.findChild<QTableView *>("authFailuresView")->horizontalHeader()->resizeSection(0, 171);
            QVERIFY(first.close()); // saves
        }
        QSettings settings;
        QVERIFY(settings.contains("console/geometry"));
        QVERIFY(settings.contains("splitters/toolCallsSplitter"));
        QVERIFY(settings.contains("columns/authFailuresView"));
        ui::MainWindow second(m_console.link.get());
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        QCOMPARE(second.size(), QSize(930, 610));
        QCOMPARE(second.tabs()->currentWidget(), second.toolCallsPage());
        QCOMPARE(second.findChild<QSplitter *>("toolCallsSplitter")->sizes(), sizes);
        QCOMPARE(second.findChild<QTableView *>("authFailuresView")->horizontalHeader()->sectionSize(0), 171);
        settings.clear(); // the windows after this one start as built
    }

    void germanStringsOfDesktopConventions()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "&File"), QStringLiteral("&Datei"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "&Quit"), QStringLiteral("&Beenden"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "&View"), QStringLiteral("&Ansicht"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "&Refresh"), QStringLiteral("&Aktualisieren"));
        QCOMPARE(de.translate("koan::ui::MainWindow", "&Help"), QStringLiteral("&Hilfe"));
        QCOMPARE(de.translate("koan::ui::AboutDialog", "About Koan MCP console"),
                 QStringLiteral("Über die Koan-MCP-Konsole"));
    }

    void screenshotsOfLiveSessions()
    {
        if (qEnvironmentVariableIsEmpty("KOAN_SCREENSHOT_DIR"))
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        std::vector<std::unique_ptr<SseClient>> clients;
        const QStringList agents{"claude-desktop/0.9", "mcp-inspector/1.0.3", "node (@modelcontextprotocol/sdk 1.x)"};
        for (int i = 0; i < 6; ++i) {
            clients.push_back(std::make_unique<SseClient>());
            QVERIFY(clients.back()->open(m_console.port, "User-Agent: " + agents.at(i % 3).toUtf8() + "\r\n"));
            QVERIFY(clients.back()->initialize(m_console.port, QStringLiteral("agent-%1").arg(i + 1)));
        }
        toolNames(m_console.port);
        QTRY_VERIFY(m_console.window->sessionsModel()->rowCount() >= 7);
        m_console.window->heartbeatsPage()->setSampleInterval(250);
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<SseClient>());
            QVERIFY(clients.back()->open(m_console.port));
            QTest::qWait(1000);
        }
        QVERIFY(m_console.screenshot("console-sessions", m_console.window->sessionsPage()));
        QVERIFY(m_console.screenshot("console-heartbeats", m_console.window->heartbeatsPage()));
    }

    void cleanupTestCase() { m_console.stop(); }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
