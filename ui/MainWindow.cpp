#include "MainWindow.h"

#include "AuthFailuresModel.h"
#include "AuthFailuresPage.h"
#include "EntitiesPage.h"
#include "EntityOverridesModel.h"
#include "HeartbeatsPage.h"
#include "InvokePanel.h"
#include "OverviewPage.h"
#include "SessionHistoryModel.h"
#include "SessionHistoryPage.h"
#include "SessionsModel.h"
#include "SessionsPage.h"
#include "ToolCallsModel.h"
#include "ToolCallsPage.h"
#include "TransportBar.h"

#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace koan::ui {

MainWindow::MainWindow(ServerLink link, const ServerStatus &status, const QList<SessionInfo> &sessions,
                       const QList<EntitySnapshot> &entities, const QList<ToolSnapshot> &tools, QWidget *parent)
    : QMainWindow(parent), m_link(link), m_sessions(new SessionsModel(this)),
      m_authFailures(new AuthFailuresModel(2000, this)), m_toolCalls(new ToolCallsModel(1000, this)),
      m_entities(new EntityOverridesModel(this)), m_history(new SessionHistoryModel(1000, this)),
      m_tabs(new QTabWidget(this)), m_transportBar(new TransportBar(link, this)), m_statusServer(new QLabel(this)),
      m_statusSessions(new QLabel(this)), m_statusAuth(new QLabel(this))
{
    setWindowTitle(tr("Koan MCP console"));
    m_sessions->setKeepAliveInterval(status.keepAliveMs);
    m_sessions->reset(sessions);
    m_entities->setEntities(entities);

    m_overviewPage = new OverviewPage(900, this);
    m_sessionsPage = new SessionsPage(link, m_sessions, this);
    m_historyPage = new SessionHistoryPage(m_history, this);
    m_authFailuresPage = new AuthFailuresPage(m_authFailures, this);
    m_heartbeatsPage = new HeartbeatsPage(m_sessions, this);
    m_entitiesPage = new EntitiesPage(link, m_entities, this);
    m_toolCallsPage = new ToolCallsPage(link, m_toolCalls, this);
    m_toolCallsPage->invokePanel()->setTools(tools);
    m_tabs->addTab(m_overviewPage, tr("Overview"));
    m_tabs->addTab(m_sessionsPage, tr("Sessions"));
    m_tabs->addTab(m_historyPage, tr("Session history"));
    m_tabs->addTab(m_heartbeatsPage, tr("Heartbeats"));
    m_tabs->addTab(m_authFailuresPage, tr("Auth failures"));
    m_tabs->addTab(m_entitiesPage, tr("Entities && overrides"));
    m_tabs->addTab(m_toolCallsPage, tr("Tool calls"));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_transportBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    m_statusServer->setObjectName(QStringLiteral("statusServer"));
    m_statusSessions->setObjectName(QStringLiteral("statusSessions"));
    m_statusAuth->setObjectName(QStringLiteral("statusAuthFailures"));
    statusBar()->addWidget(m_statusServer, 1);
    statusBar()->addPermanentWidget(m_statusAuth);
    statusBar()->addPermanentWidget(m_statusSessions);

    // Server -> console: every connection crosses threads, so Qt queues it.
    AdminController *events = link.admin;
    connect(events, &AdminController::sessionOpened, m_sessions, &SessionsModel::sessionOpened);
    connect(events, &AdminController::sessionUpdated, m_sessions, &SessionsModel::sessionUpdated);
    connect(events, &AdminController::sessionClosed, m_sessions, &SessionsModel::sessionClosed);
    connect(events, &AdminController::sessionEnded, m_history, &SessionHistoryModel::append);
    connect(events, &AdminController::overviewSampled, m_overviewPage, &OverviewPage::addSample);
    connect(link.admin, &AdminController::sessionHistoryChanged, m_history, &SessionHistoryModel::reset);
    connect(link.admin, &AdminController::overviewChanged, m_overviewPage, &OverviewPage::setSamples);
    connect(events, &AdminController::heartbeatSent, m_sessions, &SessionsModel::heartbeatSent);
    connect(events, &AdminController::messageReceived, m_sessions, &SessionsModel::messageReceived);
    connect(events, &AdminController::messageSent, m_sessions, &SessionsModel::messageSent);
    connect(events, &AdminController::authFailureRecorded, m_authFailures, &AuthFailuresModel::append);
    connect(events, &AdminController::toolCallFinished, m_toolCalls, &ToolCallsModel::toolCallFinished);
    connect(link.admin, &AdminController::entitiesChanged, m_entities, &EntityOverridesModel::setEntities);
    connect(link.admin, &AdminController::entityOptionsApplied, m_entitiesPage, &EntitiesPage::applied);
    connect(link.admin, &AdminController::toolsChanged, m_toolCallsPage->invokePanel(), &InvokePanel::setTools);
    connect(link.admin, &AdminController::toolInvoked, m_toolCallsPage->invokePanel(), &InvokePanel::showResult);
    connect(link.admin, &AdminController::statusChanged, this, &MainWindow::setStatus);
    connect(m_sessions, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatusBar);
    connect(m_sessions, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateStatusBar);
    connect(m_authFailures, &AuthFailuresModel::totalChanged, this, &MainWindow::updateStatusBar);
    connect(link.admin, &AdminController::sessionsChanged, m_sessions, &SessionsModel::reset);
    connect(m_sessions, &QAbstractItemModel::modelReset, this, &MainWindow::updateStatusBar);
    // The snapshot passed in was taken before these connections existed: a session that opened
    // or closed in between would be missing or linger. Ask again now that nothing can slip by.
    AdminController *admin = link.admin;
    link.command([admin] { admin->refresh(); });

    setStatus(status);
    resize(1200, 720);
}

void MainWindow::setStatus(const ServerStatus &status)
{
    m_status = status;
    m_transportBar->setStatus(status);
    m_statusServer->setText(
        tr("%1 · environment %2 · authentication %3")
            .arg(status.baseUrl.isEmpty() ? tr("HTTP not listening") : status.baseUrl + status.route,
                 status.environment, status.authenticationRequired ? tr("required") : tr("off")));
    updateStatusBar();
}

void MainWindow::updateStatusBar()
{
    int legacy = 0;
    for (const auto &s : m_sessions->sessions())
        legacy += s.transport == TransportKind::HttpSse ? 1 : 0;
    m_transportBar->setLegacySessionCount(legacy);
    m_statusSessions->setText(tr("sessions %1 / %2").arg(m_sessions->rowCount()).arg(m_status.maxConnections));
    m_statusAuth->setText(tr("auth failures %1").arg(m_authFailures->total()));
}

} // namespace koan::ui
