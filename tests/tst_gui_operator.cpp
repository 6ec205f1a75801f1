// The console as an operator's instrument, over a real server on its own thread and real HTTP
// clients (offscreen): the Session history page, the rollback switch with intent (drain or cut,
// a reason, the audit trail) and the Overview charts fed by the server's per-second samples.
// With KOAN_SCREENSHOT_DIR set, also saves docs/console-overview.png and
// docs/console-session-history.png from the run.
#include "MainWindow.h"
#include "McpServer.h"
#include "OverviewPage.h"
#include "RollbackDialog.h"
#include "SessionHistoryModel.h"
#include "SessionHistoryPage.h"
#include "SessionsModel.h"
#include "Sparkline.h"
#include "TransportBar.h"
#include "admin/AdminController.h"
#include "sessions/SessionManager.h"
#include "store/EntityStore.h"
#include "support/ConsoleFixture.h"
#include "support/HttpClient.h"
#include "support/ListenStream.h"
#include "support/ModernRpc.h"
#include "BarChart.h"
#include "ToolLatencyModel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTranslator>

using namespace koan;
using namespace koan::test;

namespace {
// A legacy client: GET /mcp/sse, then initialize on its endpoint.
struct LegacyClient {
    explicit LegacyClient(quint16 port) : stream(port), post(port) { }
    bool open(const QByteArray &userAgent = "legacy-agent/1")
    {
        stream.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}, {"User-Agent", userAgent}});
        SseEvent e;
        if (!stream.waitEvent("endpoint", 5000, &e))
            return false;
        endpoint = e.data;
        return true;
    }
    bool initialize(const QString &name)
    {
        const QByteArray body = rpc(1, "initialize",
                                    {{"protocolVersion", "2024-11-05"},
                                     {"capabilities", QJsonObject{}},
                                     {"clientInfo", QJsonObject{{"name", name}, {"version", "1.2"}}}});
        return post.request("POST", endpoint, jsonHeaders(), body).status == 202 && stream.waitEvent("message");
    }
    HttpClient stream, post;
    QByteArray endpoint;
};

struct StreamableClient {
    explicit StreamableClient(quint16 port) : http(port) { }
    bool initialize(const QString &name)
    {
        const HttpResponse r = http.request("POST", "/mcp", streamableHeaders(),
                                            rpc(1, "initialize",
                                                {{"protocolVersion", "2025-06-18"},
                                                 {"capabilities", QJsonObject{}},
                                                 {"clientInfo", QJsonObject{{"name", name}, {"version", "2.0"}}}}));
        sid = r.header("Mcp-Session-Id");
        return r.status == 200 && !sid.isEmpty();
    }
    QList<QPair<QByteArray, QByteArray>> headers() const { return streamableHeaders(sid); }
    HttpResponse call(int id, const QString &tool, const QJsonObject &arguments)
    {
        return http.request("POST", "/mcp", headers(),
                            rpc(id, "tools/call", {{"name", tool}, {"arguments", arguments}}));
    }
    HttpClient http;
    QByteArray sid;
};

// Drives the next modal dialog of type T once it is shown.
template<typename T> void onNextDialog(std::function<void(T *)> act)
{
    QTimer::singleShot(30, [act] {
        if (auto *d = qobject_cast<T *>(QApplication::activeModalWidget()))
            act(d);
        else
            onNextDialog<T>(act);
    });
}
} // namespace

class TestGuiOperator : public QObject
{
    Q_OBJECT
    ConsoleFixture m_console;

    // The rows the history page shows with this reason key.
    QStringList historyIds(const QString &reasonKey) const
    {
        QStringList ids;
        auto *m = m_console.window->sessionHistoryModel();
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->index(r, 0).data(ui::SessionHistoryModel::ReasonKeyRole).toString() == reasonKey)
                ids << m->index(r, 0).data(ui::SessionHistoryModel::SessionIdRole).toString();
        return ids;
    }
    // The value the last audited flip of the switch set (empty before any).
    QJsonObject lastSwitchValue()
    {
        const QList<AuditRow> rows = switchAudit();
        return rows.isEmpty() ? QJsonObject{} : rows.last().change.toArray().at(1)["value"].toObject();
    }
    QList<AuditRow> switchAudit()
    {
        QList<AuditRow> rows;
        m_console.host->invoke([&] {
            QString error;
            for (const AuditRow &r :
                 m_console.host->server()->store()->audit().since("2000-01-01T00:00:00.000000Z", &error))
                if (r.recordId == "EnableHttpSseTransport")
                    rows << r;
        });
        return rows;
    }

private slots:
    void initTestCase()
    {
        McpServerOptions o;
        o.sseKeepAliveIntervalMs = 300;
        QVERIFY2(m_console.start("operator.sqlite", o), qPrintable(m_console.problems));
        QCOMPARE(m_console.window->tabs()->widget(0), m_console.window->overviewPage()); // the first tab
        QCOMPARE(m_console.window->tabs()->tabText(2), QStringLiteral("Session history"));
    }

    void historyListsEndedSessionsWithReason()
    {
        auto *history = m_console.window->sessionHistoryModel();
        const int before = history->rowCount();
        // Client closed: a legacy client that initialized, then dropped its stream.
        LegacyClient legacy(m_console.port);
        QVERIFY(legacy.open("closing-agent/3"));
        QVERIFY(legacy.initialize("closing-client"));
        QTest::qWait(150);
        legacy.stream.socket()->abort();
        QTRY_COMPARE(history->rowCount(), before + 1);
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Reason).data().toString(), QStringLiteral("client closed"));
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Reason).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("client_disconnected")); // the server's own word
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Transport).data().toString(), QStringLiteral("HttpSse"));
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Client).data().toString(),
                 QStringLiteral("closing-client 1.2"));
        QCOMPARE(history->index(0, ui::SessionHistoryModel::MessagesIn).data().toInt(), 1);
        QCOMPARE(history->index(0, ui::SessionHistoryModel::MessagesOut).data().toInt(), 1);
        const qint64 ms = history->ended(0).durationMs();
        QVERIFY2(ms >= 150 && ms < 10000, qPrintable(QString::number(ms)));
        QVERIFY(history->index(0, ui::SessionHistoryModel::Duration).data().toString().endsWith(" s"));

        // DELETE by a Streamable client.
        StreamableClient modern(m_console.port);
        QVERIFY(modern.initialize("deleting-client"));
        QCOMPARE(modern.call(2, "trial-site.get-by-id", {{"id", "site-boston"}}).status, 200);
        const int deleted = modern.http.request("DELETE", "/mcp", modern.headers()).status;
        QVERIFY2(deleted >= 200 && deleted < 300, qPrintable(QString::number(deleted)));
        QTRY_COMPARE(history->rowCount(), before + 2);
        QCOMPARE(history->ended(0).kind, EndReason::Deleted);
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Reason).data().toString(),
                 QStringLiteral("DELETE by client"));
        QCOMPARE(history->index(0, ui::SessionHistoryModel::MessagesIn).data().toInt(), 2);

        // Disconnected by the operator from the Sessions page.
        LegacyClient dropped(m_console.port);
        QVERIFY(dropped.open());
        QString droppedId;
        QTRY_VERIFY(!(droppedId = m_console.window->sessionsModel()->sessions().isEmpty()
                                      ? QString()
                                      : m_console.window->sessionsModel()->sessions().last().id)
                         .isEmpty());
        AdminController *admin = nullptr;
        m_console.host->invoke([&] { admin = m_console.host->server()->admin(); });
        QMetaObject::invokeMethod(
            admin, [admin, droppedId] { admin->disconnectSession(droppedId); }, Qt::QueuedConnection);
        QTRY_COMPARE(history->rowCount(), before + 3);
        QCOMPARE(history->index(0, ui::SessionHistoryModel::Reason).data().toString(),
                 QStringLiteral("disconnected by the operator"));
        QCOMPARE(history->index(0, 0).data(ui::SessionHistoryModel::SessionIdRole).toString(), droppedId);

        // The page filters by reason and by text.
        ui::SessionHistoryPage *page = m_console.window->sessionHistoryPage();
        QTableView *view = page->view();
        page->reasonFilter()->setCurrentIndex(page->reasonFilter()->findData("deleted"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, ui::SessionHistoryModel::Client).data().toString(),
                 QStringLiteral("deleting-client 2.0"));
        QVERIFY(page->findChild<QLabel *>("sessionHistorySummary")->text().startsWith("1 of"));
        page->reasonFilter()->setCurrentIndex(0);
        page->textFilter()->setText("CLOSING-client");
        QCOMPARE(view->model()->rowCount(), 1);
        page->textFilter()->clear();
        QCOMPARE(view->model()->rowCount(), before + 3);

        // A console opened later gets the same history from the server's snapshot.
        QList<EndedSession> snapshot;
        m_console.host->invoke([&] { snapshot = m_console.host->server()->admin()->sessionHistory(); });
        ui::SessionHistoryModel late;
        late.reset(snapshot);
        QCOMPARE(late.rowCount(), history->rowCount());
        for (int r = 0; r < late.rowCount(); ++r)
            QCOMPARE(late.ended(r).info.id, history->ended(r).info.id);
    }

    void historyIsBounded()
    {
        ui::SessionHistoryModel model(3);
        for (int i = 0; i < 5; ++i) {
            EndedSession e;
            e.info.id = QStringLiteral("s%1").arg(i);
            e.reason = "idle_timeout";
            e.kind = SessionHistory::classify(e.reason);
            model.append(e);
        }
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.ended(0).info.id, QStringLiteral("s4")); // newest first
        QCOMPARE(model.ended(2).info.id, QStringLiteral("s2"));
        QCOMPARE(model.index(0, ui::SessionHistoryModel::Reason).data().toString(), QStringLiteral("idle timeout"));
    }

    void rollbackSwitchDrainsWithAReason()
    {
        LegacyClient a(m_console.port), b(m_console.port);
        QVERIFY(a.open());
        QVERIFY(a.initialize("drain-a"));
        QVERIFY(b.open());
        QTRY_COMPARE(m_console.window->transportBar()->httpSseSwitch()->isChecked(), true);
        QTRY_VERIFY(m_console.window->sessionsModel()->rowCount() >= 2);
        QPushButton *toggle = m_console.window->transportBar()->httpSseSwitch();
        QString question;
        bool okWithoutReason = true;
        onNextDialog<ui::RollbackDialog>([&](ui::RollbackDialog *d) {
            question = d->question();
            okWithoutReason = d->okButton()->isEnabled();
            d->drainButton()->setChecked(true);
            d->drainSeconds()->setValue(2);
            d->reasonEdit()->setText("  CHG-2041: move agents to Streamable HTTP ");
            d->okButton()->click();
        });
        toggle->click();
        QTRY_VERIFY(!question.isEmpty());
        QVERIFY2(question.contains("2 active legacy sessions will end"), qPrintable(question)); // the count, plural
        QVERIFY(!okWithoutReason);                                                              // a reason is required
        QTRY_VERIFY(!toggle->isChecked());
        QTRY_VERIFY2(toggle->text().contains("draining"), qPrintable(toggle->text()));
        QVERIFY(m_console.window->transportBar()->cutNowButton()->isVisible());
        // New streams are refused; the open ones still answer.
        HttpClient refused(m_console.port);
        QCOMPARE(refused.request("GET", "/mcp/sse").status, 503);
        QCOMPARE(a.post.request("POST", a.endpoint, jsonHeaders(), rpc(9, "ping")).status, 202);
        SseEvent answer;
        QVERIFY(a.stream.waitEvent("message", 3000, &answer));
        QVERIFY(!a.stream.closed() && !b.stream.closed());
        // At the deadline both end, with the drain's reason.
        for (LegacyClient *c : {&a, &b}) {
            SseEvent end;
            QVERIFY(c->stream.waitEvent("end", 5000, &end));
            QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(),
                     QStringLiteral("transport_drained"));
        }
        QTRY_COMPARE(historyIds("drained").size(), 2);
        QTRY_VERIFY(!toggle->text().contains("draining"));
        QVERIFY(toggle->text().contains("OFF"));
        QVERIFY(!m_console.window->transportBar()->cutNowButton()->isVisible());
        // The audit trail has the operator and the intent (written on the store worker).
        QTRY_COMPARE(lastSwitchValue()["reason"].toString(),
                     QStringLiteral("CHG-2041: move agents to Streamable HTTP"));
        const QList<AuditRow> audit = switchAudit();
        QVERIFY(!audit.isEmpty());
        const QJsonObject after = audit.last().change.toArray().at(1)["value"].toObject();
        QCOMPARE(after["mode"].toString(), QStringLiteral("drain"));
        QCOMPARE(after["drainSeconds"].toInt(), 2);
        QCOMPARE(after["reason"].toString(), QStringLiteral("CHG-2041: move agents to Streamable HTTP"));
        QVERIFY(audit.last().context.principal.startsWith("operator:"));
        toggle->click(); // on again: no questions
        QTRY_VERIFY(toggle->isChecked());
        LegacyClient again(m_console.port);
        QVERIFY(again.open());
    }

    void rollbackSwitchCutsADrainShort()
    {
        LegacyClient a(m_console.port);
        QVERIFY(a.open());
        QPushButton *toggle = m_console.window->transportBar()->httpSseSwitch();
        QTRY_VERIFY(toggle->isChecked());
        onNextDialog<ui::RollbackDialog>([](ui::RollbackDialog *d) {
            d->drainSeconds()->setValue(600);
            d->reasonEdit()->setText("long drain");
            d->okButton()->click();
        });
        toggle->click();
        QTRY_VERIFY(m_console.window->transportBar()->cutNowButton()->isVisible());
        onNextDialog<QInputDialog>([](QInputDialog *d) {
            d->setTextValue("clients stuck, cutting");
            d->accept();
        });
        m_console.window->transportBar()->cutNowButton()->click();
        SseEvent end;
        QVERIFY(a.stream.waitEvent("end", 5000, &end));
        QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(), QStringLiteral("transport_disabled"));
        QTRY_VERIFY(!m_console.window->transportBar()->cutNowButton()->isVisible());
        // The audit row is written after the switch took effect, on the store worker.
        QTRY_COMPARE(lastSwitchValue()["reason"].toString(), QStringLiteral("clients stuck, cutting"));
        const QJsonObject after = lastSwitchValue();
        QCOMPARE(after["mode"].toString(), QStringLiteral("cut"));
        QCOMPARE(after["reason"].toString(), QStringLiteral("clients stuck, cutting"));
        // Cut straight from the switch.
        toggle->click();
        QTRY_VERIFY(toggle->isChecked());
        LegacyClient b(m_console.port);
        QVERIFY(b.open());
        onNextDialog<ui::RollbackDialog>([](ui::RollbackDialog *d) {
            d->cutButton()->setChecked(true);
            QVERIFY(!d->drainSeconds()->isEnabled());
            d->reasonEdit()->setText("cut test");
            d->okButton()->click();
        });
        toggle->click();
        QVERIFY(b.stream.waitEvent("end", 5000, &end));
        QCOMPARE(QJsonDocument::fromJson(end.data).object()["reason"].toString(), QStringLiteral("transport_disabled"));
        QTRY_VERIFY(!historyIds("transport_disabled").isEmpty());
        QTRY_VERIFY(toggle->text().endsWith("OFF")); // the bar hears the switch's new state queued
        QTRY_COMPARE(lastSwitchValue()["reason"].toString(), QStringLiteral("cut test")); // written in order
        // Cancel changes nothing.
        toggle->click();
        QTRY_VERIFY(toggle->isChecked());
        QTRY_VERIFY(lastSwitchValue()["enabled"].toBool()); // the flip on is written
        onNextDialog<ui::RollbackDialog>([](ui::RollbackDialog *d) { d->reject(); });
        const int rows = switchAudit().size();
        toggle->click();
        QTest::qWait(200);
        QVERIFY(toggle->isChecked());
        QCOMPARE(switchAudit().size(), rows);
    }

    void overviewChartsRealTraffic()
    {
        ui::OverviewPage *overview = m_console.window->overviewPage();
        // Traffic: 3 legacy streams, 2 Streamable sessions with calls (one failing), auth failures.
        std::vector<std::unique_ptr<LegacyClient>> legacy;
        for (int i = 0; i < 3; ++i) {
            legacy.push_back(std::make_unique<LegacyClient>(m_console.port));
            QVERIFY(legacy.back()->open());
        }
        StreamableClient s1(m_console.port), s2(m_console.port);
        QVERIFY(s1.initialize("overview-1"));
        QVERIFY(s2.initialize("overview-2"));
        // Everything before now is in the samples already taken; count what follows.
        QTest::qWait(1100);
        const auto sum = [](const QList<double> &v, int from) {
            double t = 0;
            for (int i = from; i < v.size(); ++i)
                t += v.at(i);
            return t;
        };
        const int from = int(overview->chart(ui::OverviewPage::Calls)->series(0).size());
        for (int i = 0; i < 12; ++i)
            QCOMPARE((i % 2 ? s1 : s2).call(10 + i, "trial-site.get-by-id", {{"id", "site-boston"}}).status, 200);
        QCOMPARE(s1.call(40, "trial-site.get-by-id", {{"id", "no-such-site"}}).status, 200); // a tool error
        HttpClient bad(m_console.port);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(bad.request("GET", "/mcp/capabilities", {{"Authorization", "Bearer not.a.jwt"}}).status, 401);
        ui::Sparkline *calls = overview->chart(ui::OverviewPage::Calls);
        QTRY_COMPARE_WITH_TIMEOUT(sum(calls->series(0), from), 13.0, 5000);
        QCOMPARE(sum(calls->series(1), from), 1.0);
        QTRY_VERIFY(sum(overview->chart(ui::OverviewPage::Failures)->series(0), from) >= 2);
        ui::Sparkline *sessions = overview->chart(ui::OverviewPage::Sessions);
        QTRY_COMPARE(sessions->current(0), 3.0);
        QVERIFY(sessions->current(1) >= 2);
        QVERIFY(sessions->peak(0) >= 3);
        ui::Sparkline *latency = overview->chart(ui::OverviewPage::Latency);
        double p95 = 0;
        for (int i = from; i < latency->series(1).size(); ++i)
            p95 = qMax(p95, latency->series(1).at(i));
        QVERIFY(p95 > 0);
        QVERIFY(overview->summary()->text().contains("3 legacy"));
        // The tooltip names the time and each series.
        const QString tip = calls->toolTipAt(calls->width() - 12);
        QVERIFY2(tip.contains("calls/s:") && tip.contains("errors/s:"), qPrintable(tip));
        QVERIFY(!overview->chart(ui::OverviewPage::Queued)->series(0).isEmpty());
        // One sample a second, however busy: the ui never holds more than the 15 minutes.
        QList<OverviewSample> samples;
        m_console.host->invoke([&] { samples = m_console.host->server()->admin()->overview(); });
        QVERIFY(samples.size() >= 2 && samples.size() <= 900);
        QCOMPARE(samples.last().at.isValid(), true);
        // The per-tool latency table: the server's 15-minute aggregate, the histogram of the most called tool.
        ui::ToolLatencyModel *tools = overview->toolLatencyModel();
        QTRY_VERIFY(tools->rowOf("trial-site.get-by-id") >= 0);
        const ToolLatency &byId = tools->tool(tools->rowOf("trial-site.get-by-id"));
        QVERIFY(byId.calls >= 13);
        QVERIFY(byId.errors >= 1);
        QVERIFY(overview->toolHistogram()->title().contains("trial-site.get-by-id"));
        double histogram = 0;
        for (const ui::BarChart::Bar &b : overview->toolHistogram()->bars())
            histogram += b.value;
        QCOMPARE(histogram, double(byId.calls));
        // Auth failures by reason (the bad tokens were malformed).
        QTRY_VERIFY(!overview->authReasons()->bars().isEmpty());
        QCOMPARE(overview->authReasons()->bars().first().label, QStringLiteral("malformed"));
        // The stateless era: a 2026-07-28 caller and its listen stream.
        HttpClient modern(m_console.port), listen(m_console.port);
        QCOMPARE(modern
                     .request("POST", "/mcp", modernHeaders("tools/call", "trial-site.collection"),
                              modernRequest(50, "tools/call",
                                            {{"name", "trial-site.collection"}, {"arguments", QJsonObject{}}}))
                     .status,
                 200);
        openListen(listen, 51);
        QVERIFY(waitAcknowledged(listen));
        ui::Sparkline *stateless = overview->chart(ui::OverviewPage::Stateless);
        QTRY_COMPARE(stateless->current(0), 1.0);
        QTRY_COMPARE(stateless->current(1), 1.0);
        listen.socket()->abort();
        QTRY_COMPARE(stateless->current(1), 0.0);
        legacy.front()->stream.socket()->abort();
        QTRY_COMPARE(sessions->current(0), 2.0);
    }

    void overviewDrawsFifteenMinutesQuickly()
    {
        // 900 samples from a server with 10 000 sessions: painting the page stays short (columns of
        // pixels, not 900 points per series; the bound is loose for shared build machines).
        ui::OverviewPage page(900);
        QList<OverviewSample> samples;
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-900);
        for (int i = 0; i < 900; ++i) {
            OverviewSample s;
            s.at = start.addSecs(i);
            s.legacySessions = 4000 + i % 50;
            s.streamableSessions = 6000 - i % 70;
            s.calls = 800 + (i * 37) % 400;
            s.errors = i % 13;
            s.p50Ms = 1.5 + (i % 10) / 10.0;
            s.p95Ms = 12 + i % 30;
            s.authFailures = i % 7 == 0 ? 3 : 0;
            s.queuedBytes = 1024LL * (i % 300);
            samples << s;
        }
        page.resize(1200, 700);
        page.setSamples(samples);
        QCOMPARE(page.chart(ui::OverviewPage::Sessions)->series(1).size(), 900);
        QCOMPARE(page.chart(ui::OverviewPage::Sessions)->peak(0), 4049.0);
        page.addSample(samples.at(10)); // older than the newest: ignored
        QCOMPARE(page.sampleCount(), 900);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 5; ++i)
            (void)page.grab();
        QVERIFY2(t.elapsed() / 5 < 500, qPrintable(QString::number(t.elapsed() / 5)));
        QVERIFY(page.chart(ui::OverviewPage::Latency)->format(12.0) == QStringLiteral("12 ms"));
    }

    void germanStringsAreTranslated()
    {
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), "koan", "_", ":/i18n"));
        for (const auto &[context, source] :
             {std::pair{"koan::ui::MainWindow", "Overview"}, std::pair{"koan::ui::MainWindow", "Session history"},
              std::pair{"koan::ui::SessionHistoryModel", "client closed"},
              std::pair{"koan::ui::SessionHistoryModel", "Era"}, // the identity cells are SessionsModel's
              std::pair{"koan::ui::SessionsModel", "stateless caller (%1)"},
              std::pair{"koan::ui::SessionsModel", "%1 (issuer %2)"}, std::pair{"koan::ui::RollbackDialog", "&Drain"},
              std::pair{"koan::ui::OverviewPage", "Tool calls per second"},
              std::pair{"koan::ui::HeartbeatsPage", "heartbeats per sample"},
              std::pair{"koan::ui::HeartbeatsPage", "Last %1 s (one sample every %2 s)"},
              std::pair{"koan::ui::Sparkline", "%1: %2 (peak %3)"}}) {
            const QString t = de.translate(context, source);
            QVERIFY2(!t.isEmpty() && t != QLatin1String(source),
                     qPrintable(QStringLiteral("%1 / %2").arg(context, source)));
        }
        QVERIFY(de.translate("koan::ui::RollbackDialog",
                             "Turn EnableHttpSseTransport off?\n\n%n active legacy session(s) will end. New HTTP+SSE "
                             "requests get 503 until it is turned on again; STDIO keeps working.",
                             nullptr, 2)
                    .contains("aktive Legacy-Sitzungen werden beendet")); // the plural form
    }

    void screenshotOfOverview()
    {
        if (qEnvironmentVariableIsEmpty("KOAN_SCREENSHOT_DIR"))
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        // 45 s of real traffic: legacy clients arriving and leaving, Streamable clients calling at a
        // changing rate (some calls fail), a burst of bad tokens.
        ui::OverviewPage *overview = m_console.window->overviewPage();
        m_console.window->tabs()->setCurrentWidget(overview);
        std::vector<std::unique_ptr<LegacyClient>> legacy;
        std::vector<std::unique_ptr<StreamableClient>> modern;
        for (int i = 0; i < 4; ++i) {
            modern.push_back(std::make_unique<StreamableClient>(m_console.port));
            QVERIFY(modern.back()->initialize(QStringLiteral("agent-%1").arg(i)));
        }
        HttpClient bad(m_console.port);
        // The stateless era beside them: two listen streams and a 2026-07-28 caller.
        HttpClient listen1(m_console.port), listen2(m_console.port), stateless(m_console.port);
        openListen(listen1, 1);
        openListen(listen2, 2);
        QElapsedTimer t;
        t.start();
        int id = 100;
        for (int second = 0; second < 45; ++second) {
            if (second % 3 == 0 && legacy.size() < 12) {
                legacy.push_back(std::make_unique<LegacyClient>(m_console.port));
                QVERIFY(legacy.back()->open(QByteArray("claude-desktop/0.") + QByteArray::number(second)));
            }
            if (second == 30)
                for (int i = 0; i < 5 && !legacy.empty(); ++i) {
                    legacy.back()->stream.socket()->abort();
                    legacy.pop_back();
                }
            const int rate = 4 + (second % 15) * 2;
            for (int i = 0; i < rate; ++i) {
                const bool fail = (second + i) % 17 == 0;
                modern.at(i % modern.size())
                    ->call(id++,
                           fail ? "trial-site.get-by-id" : (i % 3 ? "trial-site.get-by-id" : "trial-site.collection"),
                           fail ? QJsonObject{{"id", "no-such-site"}}
                                : (i % 3 ? QJsonObject{{"id", "site-boston"}} : QJsonObject{}));
            }
            if (second % 2 == 0)
                stateless.request(
                    "POST", "/mcp", modernHeaders("tools/call", "participant-visit.collection"),
                    modernRequest(id++, "tools/call",
                                  {{"name", "participant-visit.collection"}, {"arguments", QJsonObject{}}}));
            if (second >= 20 && second < 24)
                for (int i = 0; i < 3; ++i)
                    bad.request("GET", "/mcp/capabilities",
                                {{"Authorization", i == 2 ? "Bearer " : "Bearer not.a.jwt"}});
            const qint64 wait = (second + 1) * 1000 - t.elapsed();
            if (wait > 0)
                QTest::qWait(int(wait));
        }
        // Tall enough to show the per-tool latency table below the charts.
        const QSize size = m_console.window->size();
        m_console.window->resize(1280, 1240);
        QVERIFY(m_console.screenshot("console-overview", overview));
        m_console.window->resize(size);
        for (auto &c : legacy)
            c->stream.socket()->abort();
    }

    void screenshotOfHistory()
    {
        if (qEnvironmentVariableIsEmpty("KOAN_SCREENSHOT_DIR"))
            QSKIP("KOAN_SCREENSHOT_DIR not set");
        // A few more endings for a telling picture: an initialized client that leaves, a DELETE.
        for (int i = 0; i < 3; ++i) {
            LegacyClient c(m_console.port);
            QVERIFY(c.open(QByteArray("claude-desktop/0.") + QByteArray::number(9 + i)));
            QVERIFY(c.initialize(QStringLiteral("agent-%1").arg(i + 1)));
            QTest::qWait(300);
            c.stream.socket()->abort();
        }
        StreamableClient d(m_console.port);
        QVERIFY(d.initialize("mcp-inspector"));
        d.call(2, "trial-site.collection", {});
        d.http.request("DELETE", "/mcp", d.headers());
        // The operator drops one, a short drain ends two, a cut ends one.
        AdminController *admin = nullptr;
        m_console.host->invoke([&] { admin = m_console.host->server()->admin(); });
        LegacyClient dropped(m_console.port);
        QVERIFY(dropped.open("cursor/1.4"));
        QVERIFY(dropped.initialize("cursor"));
        QTest::qWait(400);
        QString id;
        m_console.host->invoke([&] {
            for (const SessionInfo &s : m_console.host->server()->sessions()->snapshot())
                if (s.clientName == "cursor")
                    id = s.id;
        });
        m_console.host->invoke([&] { admin->disconnectSession(id); });
        std::vector<std::unique_ptr<LegacyClient>> draining;
        for (int i = 0; i < 2; ++i) {
            draining.push_back(std::make_unique<LegacyClient>(m_console.port));
            QVERIFY(draining.back()->open("windsurf/1.2"));
            QVERIFY(draining.back()->initialize(QStringLiteral("legacy-bot-%1").arg(i + 1)));
        }
        HttpSseSwitch drain;
        drain.enabled = false;
        drain.mode = HttpSseSwitch::Mode::Drain;
        drain.drainSeconds = 1;
        drain.reason = "screenshot";
        m_console.host->invoke([&] { admin->setHttpSse(drain); });
        for (auto &c : draining)
            QVERIFY(c->stream.waitEvent("end", 5000));
        m_console.host->invoke([&] { admin->setHttpSseEnabled(true); });
        LegacyClient cut(m_console.port);
        QVERIFY(cut.open("zed/0.3"));
        QVERIFY(cut.initialize("zed"));
        QTest::qWait(300);
        m_console.host->invoke([&] { admin->setHttpSseEnabled(false); });
        QVERIFY(cut.stream.waitEvent("end", 5000));
        m_console.host->invoke([&] { admin->setHttpSseEnabled(true); });
        QTest::qWait(300);
        QVERIFY(m_console.screenshot("console-session-history", m_console.window->sessionHistoryPage()));
    }

    void shutdownEndsTheRest()
    {
        LegacyClient c(m_console.port);
        QVERIFY(c.open());
        QTRY_VERIFY(m_console.window->sessionsModel()->rowCount() >= 1);
        m_console.host->invoke([&] { m_console.host->server()->stopHttp(); });
        QTRY_VERIFY(!historyIds("shutdown").isEmpty());
    }

    void cleanupTestCase() { m_console.stop(); }
};

QTEST_MAIN(TestGuiOperator)
#include "tst_gui_operator.moc"
