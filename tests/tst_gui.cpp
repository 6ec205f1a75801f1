// Console GUI over a real server on its own thread, driven by real HTTP clients (offscreen).
// With KOAN_SCREENSHOT_DIR set, also saves a PNG of every main view (docs/ screenshots).
#include "AuthFailuresModel.h"
#include "EntitiesPage.h"
#include "EntityOverridesModel.h"
#include "HeartbeatsPage.h"
#include "InvokePanel.h"
#include "MainWindow.h"
#include "McpServer.h"
#include "SchemaForm.h"
#include "ServerHost.h"
#include "SessionsModel.h"
#include "SessionsPage.h"
#include "ToolCallsPage.h"
#include <QTableView>
#include "Sparkline.h"
#include "ToolCallsModel.h"
#include "TransportBar.h"
#include "admin/AdminController.h"
#include "sessions/SessionManager.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace koan;

namespace {
// Opens GET /mcp/sse and collects the raw stream.
struct SseClient {
    QTcpSocket socket;
    QByteArray received;
    bool open(quint16 port, const QByteArray &auth = {})
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(3000))
            return false;
        socket.write("GET /mcp/sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" + auth + "\r\n");
        return true;
    }
};

// One Streamable HTTP exchange; returns the JSON-RPC message from a JSON or SSE body.
QJsonObject streamablePost(quint16 port, const QJsonObject &message, QByteArray *sessionId)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(3000))
        return {};
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray req = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n";
    if (!sessionId->isEmpty())
        req += "Mcp-Session-Id: " + *sessionId + "\r\n";
    s.write(req + "\r\n" + body);
    QByteArray all;
    while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
        all += s.readAll();
    all += s.readAll();
    for (const QByteArray &line : all.split('\n')) {
        if (line.toLower().startsWith("mcp-session-id:"))
            *sessionId = line.mid(15).trimmed();
        const int brace = line.indexOf("{\"");
        if (brace >= 0 && (line.startsWith("data: ") || line.startsWith("{"))) {
            const QJsonDocument doc = QJsonDocument::fromJson(line.mid(brace).trimmed());
            if (doc.isObject() && doc.object().contains(QLatin1String("id")))
                return doc.object();
        }
    }
    return {};
}

QStringList toolNames(quint16 port)
{
    QByteArray sid;
    streamablePost(port, QJsonObject{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                                     {"params", QJsonObject{{"protocolVersion", "2025-06-18"}, {"capabilities", QJsonObject{}},
                                                            {"clientInfo", QJsonObject{{"name", "gui-test"}, {"version", "1"}}}}}},
                   &sid);
    const QJsonObject list = streamablePost(port, QJsonObject{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}, &sid);
    QStringList names;
    for (const auto &t : list.value("result").toObject().value("tools").toArray())
        names << t.toObject().value("name").toString();
    return names;
}

void acceptNextMessageBox()
{
    QTimer::singleShot(50, [] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
            box->button(QMessageBox::Yes)->click();
        else
            acceptNextMessageBox(); // not shown yet
    });
}
} // namespace

class TestGui : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<ui::MainWindow> m_window;
    quint16 m_port = 0;
    QString m_overrideFile;

    void screenshot(const QString &name, QWidget *tab)
    {
        const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        m_window->tabs()->setCurrentWidget(tab);
        QTest::qWait(100);
        QVERIFY(m_window->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png")));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        McpServerOptions o;
        o.port = 0;
        o.databasePath = m_dir.filePath("gui.sqlite");
        o.sseKeepAliveIntervalMs = 200;
        o.auth.devIssuerKeyFile = m_dir.filePath("dev.pem");
        m_overrideFile = m_dir.filePath("appsettings.user.json");
        m_host = std::make_unique<ServerHost>(o);
        QStringList errors;
        QVERIFY2(m_host->start(true, &errors), qPrintable(errors.join('\n')));
        McpServer *server = m_host->server();
        ui::ServerLink link{server, nullptr};
        ServerStatus status;
        QList<EntitySnapshot> entities;
        QList<ToolSnapshot> tools;
        m_host->invoke([&] {
            link.admin = new AdminController(server, m_overrideFile, server);
            status = link.admin->status();
            entities = link.admin->entities();
            tools = link.admin->tools();
            m_port = server->httpPort();
        });
        m_window = std::make_unique<ui::MainWindow>(link, status, QList<SessionInfo>{}, entities, tools);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QCOMPARE(m_window->entitiesModel()->rowCount(), 5);
    }

    void sessionsFollowRealHttp()
    {
        auto *model = m_window->sessionsModel();
        QCOMPARE(model->rowCount(), 0);
        SseClient a, b;
        QVERIFY(a.open(m_port));
        QVERIFY(b.open(m_port));
        QTRY_COMPARE(model->rowCount(), 2);
        QCOMPARE(model->index(0, ui::SessionsModel::Transport).data().toString(), QStringLiteral("HttpSse"));
        // Heartbeats (200 ms) reach the model and mark the session healthy.
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ui::SessionsModel::Heartbeat).data().toString(), QStringLiteral("healthy"), 3000);
        QTRY_VERIFY(m_window->findChild<QLabel *>("statusSessions")->text().contains("2 / 500"));
        a.socket.abort();
        QTRY_COMPARE(model->rowCount(), 1);
        b.socket.disconnectFromHost();
        QTRY_COMPARE(model->rowCount(), 0);
        // The heartbeat chart samples the model.
        m_window->heartbeatsPage()->sample();
        QCOMPARE(m_window->heartbeatsPage()->chart()->series(0).last(), 0.0);
        QVERIFY(m_window->heartbeatsPage()->chart()->series(1).last() > 0);
    }

    void disconnectFromConsole()
    {
        SseClient c;
        QVERIFY(c.open(m_port));
        auto *view = m_window->sessionsPage()->view();
        QTRY_COMPARE(view->model()->rowCount(), 1);
        view->selectRow(0);
        acceptNextMessageBox();
        m_window->findChild<QPushButton *>("disconnectSession")->click();
        QTRY_VERIFY(c.received.contains("event: end\n"));
        QVERIFY2(c.received.contains("disconnected_by_operator"), c.received.constData());
        QTRY_COMPARE(m_window->sessionsModel()->rowCount(), 0);
    }

    void rollbackSwitchClosesLegacyStreams()
    {
        SseClient c;
        QVERIFY(c.open(m_port));
        QTRY_VERIFY(c.received.contains("event: endpoint"));
        QPushButton *toggle = m_window->transportBar()->httpSseSwitch();
        QVERIFY(toggle->isChecked());
        acceptNextMessageBox();
        toggle->click();
        QTRY_VERIFY(c.received.contains("transport_disabled"));
        QTRY_COMPARE(c.socket.state(), QAbstractSocket::UnconnectedState);
        QTRY_VERIFY(!toggle->isChecked());
        QVERIFY(toggle->text().contains("OFF"));
        SseClient refused;
        QVERIFY(refused.open(m_port));
        QTRY_VERIFY(refused.received.startsWith("HTTP/1.1 503"));
        screenshot("console-transport-off", m_window->tabs()->widget(0));
        toggle->click(); // turning it on needs no confirmation
        QTRY_VERIFY(toggle->isChecked());
        SseClient again;
        QVERIFY(again.open(m_port));
        QTRY_VERIFY(again.received.contains("event: endpoint"));
    }

    void overrideEditChangesToolsList()
    {
        QVERIFY(toolNames(m_port).contains("trial-site.upsert"));
        auto *model = m_window->entitiesModel();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->entityAt(r) == QLatin1String("TrialSite"))
                row = r;
        QVERIFY(row >= 0);
        QVERIFY(model->setData(model->index(row, ui::EntityOverridesModel::AllowMutations), Qt::Unchecked, Qt::CheckStateRole));
        QTRY_VERIFY(m_window->entitiesPage()->message()->text().contains("applied"));
        const QStringList names = toolNames(m_port);
        QVERIFY(!names.contains("trial-site.upsert"));
        QVERIFY(names.contains("trial-site.collection"));
        QTRY_COMPARE(model->index(row, ui::EntityOverridesModel::AllowMutations).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        // Persisted to the user's override file.
        QFile f(m_overrideFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(saved["Koan"]["Mcp"]["EntityOverrides"]["TrialSite"]["AllowMutations"].toBool(true), false);
        // Invalid input is rejected in the editor, with a message, and nothing changes.
        QVERIFY(!model->setData(model->index(row, ui::EntityOverridesModel::ToolPrefix), "Bad Name", Qt::EditRole));
        QVERIFY(m_window->entitiesPage()->message()->text().contains("lower-case"));
        QVERIFY(!model->setData(model->index(row, ui::EntityOverridesModel::EnabledTransports), "Carrier pigeon", Qt::EditRole));
        QVERIFY(m_window->entitiesPage()->message()->text().contains("Unknown transport"));
        // Streamable HTTP off for TrialSite: gone from tools/list over HTTP.
        QVERIFY(model->setData(model->index(row, ui::EntityOverridesModel::EnabledTransports), "Stdio, HttpSse, Operator", Qt::EditRole));
        QTRY_VERIFY(!toolNames(m_port).contains("trial-site.collection"));
        screenshot("console-entities", m_window->entitiesPage());
        m_window->entitiesPage()->view()->setCurrentIndex(model->index(row, 0));
        m_window->findChild<QPushButton *>("entitiesReset")->click();
        QTRY_VERIFY(toolNames(m_port).contains("trial-site.upsert"));
    }

    void invokePanelRunsTool()
    {
        ui::InvokePanel *panel = m_window->toolCallsPage()->invokePanel();
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
        QTRY_VERIFY(m_window->toolCallsModel()->rowCount() >= 1);
        const int last = m_window->toolCallsModel()->rowCount() - 1;
        QCOMPARE(m_window->toolCallsModel()->record(last).tool, QStringLiteral("trial-site.get-by-id"));
        // Re-run a past call from the history.
        panel->resultView()->clear();
        m_window->toolCallsPage()->view()->selectRow(last);
        m_window->toolCallsPage()->rerunSelected();
        QTRY_VERIFY(panel->resultView()->toPlainText().contains("Boston General Research Center"));
        QTRY_COMPARE(m_window->toolCallsModel()->rowCount(), last + 2);
        screenshot("console-tool-calls", m_window->toolCallsPage());
    }

    void authFailuresAreListed()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(s.waitForConnected(3000));
        s.write("GET /mcp/capabilities HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer not.a.jwt\r\n\r\n");
        QTRY_COMPARE(m_window->authFailuresModel()->rowCount(), 1);
        QCOMPARE(m_window->authFailuresModel()->index(0, ui::AuthFailuresModel::Reason).data().toString(), QStringLiteral("malformed"));
        QVERIFY(m_window->findChild<QLabel *>("statusAuthFailures")->text().contains("1"));
        screenshot("console-auth-failures", m_window->tabs()->widget(2));
    }

    void screenshotsOfLiveSessions()
    {
        if (qEnvironmentVariableIsEmpty("KOAN_SCREENSHOT_DIR"))
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        std::vector<std::unique_ptr<SseClient>> clients;
        for (int i = 0; i < 6; ++i) {
            clients.push_back(std::make_unique<SseClient>());
            QVERIFY(clients.back()->open(m_port));
        }
        QByteArray sid;
        toolNames(m_port);
        QTRY_VERIFY(m_window->sessionsModel()->rowCount() >= 7);
        for (int i = 0; i < 8; ++i) {
            QTest::qWait(250);
            m_window->heartbeatsPage()->sample();
        }
        screenshot("console-sessions", m_window->sessionsPage());
        screenshot("console-heartbeats", m_window->heartbeatsPage());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_host.reset();
    }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
