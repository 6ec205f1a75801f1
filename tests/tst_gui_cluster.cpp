// The console's Cluster page (#17, #18): with PostgreSQL the console of any replica lists the
// cluster's replicas (this one marked) and their sessions, in-process and attached over the admin
// API, refreshed live; on SQLite it says it is a single node. Two real servers on one real
// PostgreSQL database (tests/support/PostgresServer.h), real legacy and Streamable clients.
// With KOAN_SCREENSHOT_DIR set, also saves docs/console-cluster.png from the run.
#include "ClusterModels.h"
#include "ClusterPage.h"
#include "MainWindow.h"
#include "console/InProcessConsoleLink.h"
#include "console/RemoteConsoleLink.h"
#include "store/ClusterRegistry.h"
#include "support/HttpClient.h"
#include "support/PostgresServer.h"
#include "support/ServerFixture.h"

#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace koan;
using namespace koan::test;

namespace {
AttachOptions loopback(quint16 port)
{
    AttachOptions o;
    o.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    o.reconnectMs = 300;
    return o;
}

// The rows of the page's replica table whose id is `id`, and whether they say "this replica".
int rowOf(const ui::ClusterPage *page, const QString &id)
{
    for (int r = 0; r < page->replicas()->rowCount(); ++r)
        if (page->replicas()->replica(r).id == id)
            return r;
    return -1;
}

QString cell(const QAbstractItemModel *m, int row, int column)
{
    return m->index(row, column).data().toString();
}
} // namespace

class TestGuiCluster : public QObject
{
    Q_OBJECT

private slots:
    void singleNodeOnSqlite()
    {
        ServerFixture f;
        QVERIFY2(f.ok, qPrintable(f.problems));
        InProcessConsoleLink link(f.server->admin());
        ui::MainWindow window(&link);
        ui::ClusterPage *page = window.clusterPage();
        QCOMPARE(window.tabs()->indexOf(page) >= 0, true);
        QTRY_VERIFY(page->status()->text().contains("Single node (SQLite)"));
        QVERIFY(!page->isClustered());
        QCOMPARE(page->replicas()->rowCount(), 0);
        QVERIFY(!page->replicasView()->isEnabled());

        RemoteConsoleLink remote(loopback(f.port));
        ui::MainWindow attached(&remote);
        remote.start();
        QTRY_VERIFY(remote.isConnected());
        QTRY_VERIFY(attached.clusterPage()->status()->text().contains("Single node (SQLite)"));
        QVERIFY(!attached.clusterPage()->isClustered());
    }

    void twoReplicasInProcessAndAttached()
    {
        KOAN_FRESH_POSTGRES(url);
        McpServerOptions o;
        o.databaseUrl = url;
        ServerFixture one(o);
        auto two = std::make_unique<ServerFixture>(o);
        QVERIFY2(one.ok && two->ok, qPrintable(one.problems + two->problems));
        const QString idOne = one.server->cluster()->replicaId(), idTwo = two->server->cluster()->replicaId();

        // A 2025 Streamable session on one, a legacy stream on two.
        HttpClient streamable(one.port);
        const HttpResponse init
            = streamable.request("POST", "/mcp", streamableHeaders(), rpc(1, "initialize", initParams("2025-11-25")));
        const QString sid = QString::fromLatin1(init.header("Mcp-Session-Id"));
        QVERIFY(!sid.isEmpty());
        HttpClient legacy(two->port);
        legacy.send("GET", "/mcp/sse", {{"Accept", "text/event-stream"}});
        QVERIFY(legacy.waitEvent("endpoint"));

        // In-process on one.
        InProcessConsoleLink link(one.server->admin());
        ui::MainWindow window(&link);
        window.resize(1280, 760);
        ui::ClusterPage *page = window.clusterPage();
        QTRY_COMPARE_WITH_TIMEOUT(page->replicas()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page->sessions()->rowCount(), 2, 10000);
        QVERIFY(page->isClustered());
        const int self = rowOf(page, idOne), other = rowOf(page, idTwo);
        QVERIFY(self >= 0 && other >= 0);
        QVERIFY(page->replicas()->replica(self).self);
        QCOMPARE(cell(page->replicas(), self, ui::ClusterReplicasModel::Replica), idOne + " (this replica)");
        QCOMPARE(cell(page->replicas(), self, ui::ClusterReplicasModel::State), QStringLiteral("this replica"));
        QCOMPARE(cell(page->replicas(), other, ui::ClusterReplicasModel::State), QStringLiteral("live"));
        QVERIFY(!cell(page->replicas(), other, ui::ClusterReplicasModel::LastHeartbeat).isEmpty());
        QVERIFY2(page->status()->text().contains("2 replica"), qPrintable(page->status()->text()));
        // Selecting two shows its legacy stream only.
        page->replicasView()->selectRow(other);
        const QAbstractItemModel *shown = page->sessionsView()->model();
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(cell(shown, 0, ui::ClusterSessionsModel::Replica), idTwo);
        QCOMPARE(cell(shown, 0, ui::ClusterSessionsModel::Transport), QStringLiteral("HTTP+SSE (2024-11-05)"));
        page->replicasView()->selectRow(self);
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(cell(shown, 0, ui::ClusterSessionsModel::Session), sid);
        page->showReplica({});
        QCOMPARE(shown->rowCount(), 2);

        // Attached to two: the same cluster, two marked as this replica.
        RemoteConsoleLink remote(loopback(two->port));
        ui::MainWindow attached(&remote);
        remote.start();
        ui::ClusterPage *remotePage = attached.clusterPage();
        QTRY_COMPARE_WITH_TIMEOUT(remotePage->replicas()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(remotePage->sessions()->rowCount(), 2, 10000);
        QVERIFY(remotePage->replicas()->replica(rowOf(remotePage, idTwo)).self);
        QVERIFY(!remotePage->replicas()->replica(rowOf(remotePage, idOne)).self);

        if (const QString dir = qEnvironmentVariable("KOAN_SCREENSHOT_DIR"); !dir.isEmpty()) {
            window.tabs()->setCurrentWidget(page);
            QTest::qWait(200);
            QVERIFY(window.grab().save(dir + QStringLiteral("/console-cluster.png")));
        }

        // Live: the legacy stream ends on two; both consoles drop it without a refresh.
        legacy.socket()->abort();
        QTRY_COMPARE_WITH_TIMEOUT(page->sessions()->rowCount(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(remotePage->sessions()->rowCount(), 1, 10000);
        // Two stops: one's console lists one replica, itself.
        two.reset();
        QTRY_COMPARE_WITH_TIMEOUT(page->replicas()->rowCount(), 1, 15000);
        QCOMPARE(page->replicas()->replica(0).id, idOne);
        QTRY_VERIFY(remote.isConnected() == false);
    }
};

QTEST_MAIN(TestGuiCluster)
#include "tst_gui_cluster.moc"
