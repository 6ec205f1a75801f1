#include "MainWindow.h"

#include "AboutDialog.h"
#include "AuthFailuresModel.h"
#include "AuthFailuresPage.h"
#include "ClusterPage.h"
#include "EntitiesPage.h"
#include "EntityOverridesModel.h"
#include "HeartbeatsPage.h"
#include "InvokePanel.h"
#include "LogsModel.h"
#include "LogsPage.h"
#include "OverviewPage.h"
#include "SessionHistoryModel.h"
#include "SessionHistoryPage.h"
#include "SessionsModel.h"
#include "SessionsPage.h"
#include "TasksModel.h"
#include "TasksPage.h"
#include "ToolCallsModel.h"
#include "ToolCallsPage.h"
#include "TrafficPage.h"
#include "TransportBar.h"
#include "WindowSettings.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextEdit>
#include <QVBoxLayout>

namespace koan::ui {

MainWindow::MainWindow(ConsoleLink *link, const ServerStatus &status, const QList<SessionInfo> &sessions,
                       const QList<EntitySnapshot> &entities, const QList<ToolSnapshot> &tools, QWidget *parent)
    : QMainWindow(parent), m_link(link), m_sessions(new SessionsModel(this)),
      m_authFailures(new AuthFailuresModel(2000, this)), m_toolCalls(new ToolCallsModel(1000, this)),
      m_entities(new EntityOverridesModel(this)), m_history(new SessionHistoryModel(1000, this)),
      m_logs(new LogsModel(5000, this)), m_tasks(new TasksModel(this)), m_tabs(new QTabWidget(this)),
      m_transportBar(new TransportBar(link, this)), m_connection(new QLabel(this)), m_statusServer(new QLabel(this)),
      m_statusSessions(new QLabel(this)), m_statusAuth(new QLabel(this))
{
    setWindowTitle(link->isRemote() ? tr("Koan MCP console — attached to %1").arg(link->target())
                                    : tr("Koan MCP console"));
    m_sessions->setKeepAliveInterval(status.keepAliveMs);
    m_sessions->reset(sessions);
    m_entities->setEntities(entities);

    // The pages, in tab order; a new page is one line here and its connections below.
    m_overviewPage = new OverviewPage(900, this);
    m_sessionsPage = new SessionsPage(link, m_sessions, this);
    m_historyPage = new SessionHistoryPage(m_history, this);
    m_authFailuresPage = new AuthFailuresPage(m_authFailures, this);
    m_heartbeatsPage = new HeartbeatsPage(m_sessions, this);
    m_entitiesPage = new EntitiesPage(link, m_entities, this);
    m_toolCallsPage = new ToolCallsPage(link, m_toolCalls, this);
    m_toolCallsPage->invokePanel()->setTools(tools);
    m_logsPage = new LogsPage(m_logs, this);
    m_tasksPage = new TasksPage(link, m_tasks, this);
    m_clusterPage = new ClusterPage(this);
    m_trafficPage = new TrafficPage(link, m_sessions, this);
    m_tabs->addTab(m_overviewPage, tr("Overview"));
    m_tabs->addTab(m_sessionsPage, tr("Sessions"));
    m_tabs->addTab(m_historyPage, tr("Session history"));
    m_tabs->addTab(m_heartbeatsPage, tr("Heartbeats"));
    m_tabs->addTab(m_authFailuresPage, tr("Auth failures"));
    m_tabs->addTab(m_entitiesPage, tr("Entities && overrides"));
    m_tabs->addTab(m_toolCallsPage, tr("Tool calls"));
    m_tabs->addTab(m_logsPage, tr("Logs"));
    m_tabs->addTab(m_tasksPage, tr("Tasks"));
    m_tabs->addTab(m_trafficPage, tr("Wire traffic"));
    m_tabs->addTab(m_clusterPage, tr("Cluster"));

    m_connection->setObjectName(QStringLiteral("connectionBanner"));
    m_connection->setWordWrap(true);
    m_connection->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3e0; color: #5d4037; border: 1px solid #ffb74d; padding: 6px; }"));
    m_connection->setVisible(false);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_connection);
    layout->addWidget(m_transportBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    m_statusServer->setObjectName(QStringLiteral("statusServer"));
    m_statusSessions->setObjectName(QStringLiteral("statusSessions"));
    m_statusAuth->setObjectName(QStringLiteral("statusAuthFailures"));
    statusBar()->addWidget(m_statusServer, 1);
    statusBar()->addPermanentWidget(m_statusAuth);
    statusBar()->addPermanentWidget(m_statusSessions);

    // Server -> console. In-process, every connection crosses threads and Qt queues it.
    connect(link, &ConsoleLink::sessionOpened, m_sessions, &SessionsModel::sessionOpened);
    connect(link, &ConsoleLink::sessionUpdated, m_sessions, &SessionsModel::sessionUpdated);
    connect(link, &ConsoleLink::sessionClosed, m_sessions, &SessionsModel::sessionClosed);
    connect(link, &ConsoleLink::sessionEnded, m_history, &SessionHistoryModel::append);
    connect(link, &ConsoleLink::overviewSampled, m_overviewPage, &OverviewPage::addSample);
    connect(link, &ConsoleLink::sessionHistoryChanged, m_history, &SessionHistoryModel::reset);
    connect(link, &ConsoleLink::overviewChanged, m_overviewPage, &OverviewPage::setSamples);
    connect(link, &ConsoleLink::toolLatencyChanged, m_overviewPage, &OverviewPage::setToolLatency);
    connect(link, &ConsoleLink::clusterChanged, m_clusterPage, &ClusterPage::setView);
    connect(link, &ConsoleLink::heartbeatSent, m_sessions, &SessionsModel::heartbeatSent);
    connect(link, &ConsoleLink::messageReceived, m_sessions, &SessionsModel::messageReceived);
    connect(link, &ConsoleLink::messageSent, m_sessions, &SessionsModel::messageSent);
    connect(link, &ConsoleLink::authFailureRecorded, m_authFailures, &AuthFailuresModel::append);
    connect(link, &ConsoleLink::authFailuresChanged, m_authFailures, &AuthFailuresModel::reset);
    connect(link, &ConsoleLink::toolCallFinished, m_toolCalls, &ToolCallsModel::toolCallFinished);
    connect(link, &ConsoleLink::logRecorded, m_logs, &LogsModel::append);
    connect(link, &ConsoleLink::logsChanged, m_logs, &LogsModel::reset);
    connect(link, &ConsoleLink::tasksChanged, m_tasks, &TasksModel::reset);
    connect(link, &ConsoleLink::taskUpdated, m_tasks, &TasksModel::update);
    connect(link, &ConsoleLink::taskCancelAnswered, m_tasksPage, &TasksPage::cancelAnswered);
    connect(link, &ConsoleLink::entitiesChanged, m_entities, &EntityOverridesModel::setEntities);
    connect(link, &ConsoleLink::entityOptionsApplied, m_entitiesPage, &EntitiesPage::applied);
    connect(link, &ConsoleLink::toolsChanged, m_toolCallsPage->invokePanel(), &InvokePanel::setTools);
    connect(link, &ConsoleLink::toolInvoked, m_toolCallsPage->invokePanel(), &InvokePanel::showResult);
    connect(link, &ConsoleLink::statusChanged, this, &MainWindow::setStatus);
    connect(link, &ConsoleLink::sessionsChanged, m_sessions, &SessionsModel::reset);
    connect(link, &ConsoleLink::connectionChanged, this, &MainWindow::connectionChanged);
    connect(link, &ConsoleLink::commandFailed, this, [this](const QString &command, const QString &error) {
        statusBar()->showMessage(tr("%1 refused: %2").arg(command, error), 15000);
    });
    connect(m_sessions, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatusBar);
    connect(m_sessions, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateStatusBar);
    connect(m_authFailures, &AuthFailuresModel::totalChanged, this, &MainWindow::updateStatusBar);
    connect(m_sessions, &QAbstractItemModel::modelReset, this, &MainWindow::updateStatusBar);
    // In-process, the snapshot passed in was taken before these connections existed: a session
    // that opened or closed in between would be missing or linger. Ask again now that nothing can
    // slip by. Attached, the event stream's snapshot does this.
    if (!link->isRemote())
        link->refresh();
    else
        connectionChanged(link->isConnected(), tr("connecting…"));

    setStatus(status);
    buildMenus();
    resize(1200, 720);
    WindowSettings::restore(this, m_tabs);
}

// Standard key sequences where the platform has one; the fallback is what they are on Linux desktops.
static void setShortcuts(QAction *action, QKeySequence::StandardKey standard, const QKeySequence &fallback)
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(standard);
    if (!keys.contains(fallback))
        keys.append(fallback);
    action->setShortcuts(keys);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    m_quit->setObjectName(QStringLiteral("actionQuit"));
    setShortcuts(m_quit, QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q));

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_copy = edit->addAction(tr("&Copy"), this, &MainWindow::copyFromPage);
    m_copy->setObjectName(QStringLiteral("actionCopy"));
    m_copy->setToolTip(tr("Copy the selected rows of the current table as text"));
    setShortcuts(m_copy, QKeySequence::Copy, QKeySequence(Qt::CTRL | Qt::Key_C));
    m_find = edit->addAction(tr("&Find"), this, &MainWindow::findInPage);
    m_find->setObjectName(QStringLiteral("actionFind"));
    m_find->setToolTip(tr("Go to the current page's search or filter field"));
    setShortcuts(m_find, QKeySequence::Find, QKeySequence(Qt::CTRL | Qt::Key_F));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *page = view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        page->setObjectName(QStringLiteral("actionPage%1").arg(i + 1));
        if (i < 9)
            page->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        else if (i == 9)
            page->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0)); // the tenth page
        m_pageActions.append(page);
    }
    view->addSeparator();
    m_refresh = view->addAction(tr("&Refresh"), m_link, &ConsoleLink::refresh);
    m_refresh->setObjectName(QStringLiteral("actionRefresh"));
    m_refresh->setToolTip(tr("Ask the server again for sessions, status and history"));
    setShortcuts(m_refresh, QKeySequence::Refresh, QKeySequence(Qt::Key_F5));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    m_about = help->addAction(tr("&About…"), this, &MainWindow::showAbout);
    m_about->setObjectName(QStringLiteral("actionAbout"));
    m_about->setMenuRole(QAction::AboutRole);
    menuBar()->setAccessibleName(tr("Main menu"));
    file->setAccessibleName(tr("File menu"));
    edit->setAccessibleName(tr("Edit menu"));
    view->setAccessibleName(tr("View menu"));
    help->setAccessibleName(tr("Help menu"));
}

void MainWindow::findInPage()
{
    // The page's field marked findField, else its first visible line edit of its own (not a spin
    // box's or a combo box's): pages need not register anything to be searchable.
    QWidget *page = m_tabs->currentWidget();
    if (!page)
        return;
    QLineEdit *target = nullptr;
    for (QLineEdit *edit : page->findChildren<QLineEdit *>()) {
        if (!edit->isVisibleTo(page) || !edit->isEnabled() || qobject_cast<QAbstractSpinBox *>(edit->parentWidget())
            || qobject_cast<QComboBox *>(edit->parentWidget()))
            continue;
        if (edit->property("findField").toBool()) {
            target = edit;
            break;
        }
        if (!target)
            target = edit;
    }
    if (!target)
        return;
    target->setFocus(Qt::ShortcutFocusReason);
    target->selectAll();
}

void MainWindow::copyFromPage()
{
    // A text field with the focus copies its own selection.
    QWidget *focus = QApplication::focusWidget();
    if (auto *line = qobject_cast<QLineEdit *>(focus))
        return line->copy();
    if (auto *text = qobject_cast<QPlainTextEdit *>(focus))
        return text->copy();
    if (auto *text = qobject_cast<QTextEdit *>(focus))
        return text->copy();
    QWidget *page = m_tabs->currentWidget();
    if (!page)
        return;
    QTableView *table = qobject_cast<QTableView *>(focus);
    if (!table || !page->isAncestorOf(table))
        for (QTableView *candidate : page->findChildren<QTableView *>())
            if (candidate->isVisibleTo(page)) {
                table = candidate;
                break;
            }
    if (!table || !table->selectionModel())
        return;
    QModelIndexList rows = table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    const QAbstractItemModel *model = table->model();
    QStringList lines;
    QStringList header;
    for (int c = 0; c < model->columnCount(); ++c)
        if (!table->isColumnHidden(c))
            header << model->headerData(c, Qt::Horizontal).toString();
    lines << header.join(QLatin1Char('\t'));
    for (const QModelIndex &row : std::as_const(rows)) {
        QStringList cells;
        for (int c = 0; c < model->columnCount(); ++c)
            if (!table->isColumnHidden(c))
                cells << model->index(row.row(), c).data().toString().replace(QLatin1Char('\t'), QLatin1Char(' '));
        lines << cells.join(QLatin1Char('\t'));
    }
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    statusBar()->showMessage(tr("%n row(s) copied", nullptr, int(rows.size())), 5000);
}

void MainWindow::showAbout()
{
    auto *about = new AboutDialog(m_link, this);
    about->setObjectName(QStringLiteral("aboutDialog"));
    about->setAttribute(Qt::WA_DeleteOnClose);
    about->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    WindowSettings::save(this, m_tabs);
    QMainWindow::closeEvent(event);
}

void MainWindow::connectionChanged(bool connected, const QString &detail)
{
    m_connection->setVisible(!connected);
    m_transportBar->setEnabled(connected);
    if (!connected)
        m_connection->setText(tr("Not connected to %1: %2. Reconnecting…").arg(m_link->target(), detail));
}

void MainWindow::setStatus(const ServerStatus &status)
{
    m_status = status;
    m_sessions->setKeepAliveInterval(status.keepAliveMs);
    m_transportBar->setStatus(status);
    m_toolCallsPage->setServerStatus(status);
    const QString where = m_link->isRemote()         ? tr("attached to %1").arg(m_link->target())
                          : status.baseUrl.isEmpty() ? tr("HTTP not listening")
                                                     : status.baseUrl + status.route;
    m_statusServer->setText(
        tr("%1 · environment %2 · authentication %3")
            .arg(where, status.environment, status.authenticationRequired ? tr("required") : tr("off")));
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
