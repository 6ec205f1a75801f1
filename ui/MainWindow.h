#pragma once
// The admin console: overview charts, sessions and their history, heartbeats, auth failures, entity overrides, tool calls,
// logs, tasks and the transport switch, all fed by one ConsoleLink: the server in this process or one attached over the admin API.
#include "console/ConsoleLink.h"
#include "sessions/SessionInfo.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QTabWidget;

namespace koan::ui {

class AuthFailuresModel;
class EntitiesPage;
class EntityOverridesModel;
class HeartbeatsPage;
class LogsModel;
class LogsPage;
class AuthFailuresPage;
class ClusterPage;
class OverviewPage;
class SessionHistoryModel;
class SessionHistoryPage;
class SessionsModel;
class SessionsPage;
class TasksModel;
class TasksPage;
class TrafficPage;
class ToolCallsModel;
class ToolCallsPage;
class TransportBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // The snapshots, when given, were taken before the window opens (in-process); an attached
    // console gets them from the link's first snapshot.
    MainWindow(ConsoleLink *link, const ServerStatus &status = {}, const QList<koan::SessionInfo> &sessions = {},
               const QList<koan::EntitySnapshot> &entities = {}, const QList<koan::ToolSnapshot> &tools = {},
               QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    SessionsModel *sessionsModel() const { return m_sessions; }
    AuthFailuresModel *authFailuresModel() const { return m_authFailures; }
    ToolCallsModel *toolCallsModel() const { return m_toolCalls; }
    EntityOverridesModel *entitiesModel() const { return m_entities; }
    TransportBar *transportBar() const { return m_transportBar; }
    SessionsPage *sessionsPage() const { return m_sessionsPage; }
    EntitiesPage *entitiesPage() const { return m_entitiesPage; }
    ToolCallsPage *toolCallsPage() const { return m_toolCallsPage; }
    HeartbeatsPage *heartbeatsPage() const { return m_heartbeatsPage; }
    AuthFailuresPage *authFailuresPage() const { return m_authFailuresPage; }
    OverviewPage *overviewPage() const { return m_overviewPage; }
    SessionHistoryModel *sessionHistoryModel() const { return m_history; }
    SessionHistoryPage *sessionHistoryPage() const { return m_historyPage; }
    LogsModel *logsModel() const { return m_logs; }
    LogsPage *logsPage() const { return m_logsPage; }
    TasksModel *tasksModel() const { return m_tasks; }
    TasksPage *tasksPage() const { return m_tasksPage; }
    ClusterPage *clusterPage() const { return m_clusterPage; }
    TrafficPage *trafficPage() const { return m_trafficPage; }
    QLabel *connectionBanner() const { return m_connection; } // attached: shown while the server is unreachable
    QAction *quitAction() const { return m_quit; }
    QAction *refreshAction() const { return m_refresh; }
    QAction *aboutAction() const { return m_about; }
    QAction *findAction() const { return m_find; } // Edit: Ctrl+F, the current page's search field
    QAction *copyAction() const { return m_copy; } // Edit: Ctrl+C, the current table's selected rows as text
    QList<QAction *> pageActions() const { return m_pageActions; } // View: one per tab, Ctrl+1...

protected:
    void closeEvent(QCloseEvent *event) override; // remembers geometry, page, splitters and columns

private:
    void buildMenus();
    void showAbout();
    void findInPage();
    void copyFromPage();
    void setStatus(const ServerStatus &status);
    void updateStatusBar();
    void connectionChanged(bool connected, const QString &detail);

    ConsoleLink *m_link;
    ServerStatus m_status;
    SessionsModel *m_sessions;
    AuthFailuresModel *m_authFailures;
    ToolCallsModel *m_toolCalls;
    EntityOverridesModel *m_entities;
    SessionHistoryModel *m_history;
    LogsModel *m_logs;
    TasksModel *m_tasks;
    QTabWidget *m_tabs;
    TransportBar *m_transportBar;
    SessionsPage *m_sessionsPage;
    HeartbeatsPage *m_heartbeatsPage;
    AuthFailuresPage *m_authFailuresPage;
    OverviewPage *m_overviewPage;
    SessionHistoryPage *m_historyPage;
    EntitiesPage *m_entitiesPage;
    ToolCallsPage *m_toolCallsPage;
    LogsPage *m_logsPage;
    TasksPage *m_tasksPage;
    ClusterPage *m_clusterPage;
    TrafficPage *m_trafficPage;
    QLabel *m_connection;
    QLabel *m_statusServer;
    QLabel *m_statusSessions;
    QLabel *m_statusAuth;
    QAction *m_quit = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_about = nullptr;
    QAction *m_find = nullptr;
    QAction *m_copy = nullptr;
    QList<QAction *> m_pageActions;
};

} // namespace koan::ui
