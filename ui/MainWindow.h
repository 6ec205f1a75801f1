#pragma once
// The admin console: sessions, heartbeats, auth failures, entity overrides, tool calls, and
// the transport switch, all fed by server signals.
#include "ServerLink.h"
#include "sessions/SessionInfo.h"

#include <QMainWindow>

class QLabel;
class QTabWidget;

namespace koan::ui {

class AuthFailuresModel;
class EntitiesPage;
class EntityOverridesModel;
class HeartbeatsPage;
class SessionsModel;
class SessionsPage;
class ToolCallsModel;
class ToolCallsPage;
class TransportBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `initial*` are snapshots taken on the server thread before the window opens.
    MainWindow(ServerLink link, const ServerStatus &status, const QList<koan::SessionInfo> &sessions,
               const QList<koan::EntitySnapshot> &entities, const QList<koan::ToolSnapshot> &tools,
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

private:
    void setStatus(const ServerStatus &status);
    void updateStatusBar();

    ServerLink m_link;
    ServerStatus m_status;
    SessionsModel *m_sessions;
    AuthFailuresModel *m_authFailures;
    ToolCallsModel *m_toolCalls;
    EntityOverridesModel *m_entities;
    QTabWidget *m_tabs;
    TransportBar *m_transportBar;
    SessionsPage *m_sessionsPage;
    HeartbeatsPage *m_heartbeatsPage;
    EntitiesPage *m_entitiesPage;
    ToolCallsPage *m_toolCallsPage;
    QLabel *m_statusServer;
    QLabel *m_statusSessions;
    QLabel *m_statusAuth;
};

} // namespace koan::ui
