#include "InProcessConsoleLink.h"

namespace koan {

InProcessConsoleLink::InProcessConsoleLink(AdminController *admin, QObject *parent)
    : ConsoleLink(parent), m_admin(admin)
{
    qRegisterMetaType<koan::LogRecord>();
    qRegisterMetaType<koan::ToolCallRecord>();
    qRegisterMetaType<QList<koan::LogRecord>>();
    qRegisterMetaType<QList<koan::AuthFailure>>();
    AdminController *a = admin;
    connect(a, &AdminController::statusChanged, this, &ConsoleLink::statusChanged);
    connect(a, &AdminController::sessionsChanged, this, &ConsoleLink::sessionsChanged);
    connect(a, &AdminController::sessionHistoryChanged, this, &ConsoleLink::sessionHistoryChanged);
    connect(a, &AdminController::entitiesChanged, this, &ConsoleLink::entitiesChanged);
    connect(a, &AdminController::toolsChanged, this, &ConsoleLink::toolsChanged);
    connect(a, &AdminController::overviewChanged, this, &ConsoleLink::overviewChanged);
    connect(a, &AdminController::toolLatencyChanged, this, &ConsoleLink::toolLatencyChanged);
    connect(a, &AdminController::clusterChanged, this, &ConsoleLink::clusterChanged);
    connect(a, &AdminController::authFailuresChanged, this, &ConsoleLink::authFailuresChanged);
    connect(a, &AdminController::logsChanged, this, &ConsoleLink::logsChanged);
    connect(a, &AdminController::sessionOpened, this, &ConsoleLink::sessionOpened);
    connect(a, &AdminController::sessionUpdated, this, &ConsoleLink::sessionUpdated);
    connect(a, &AdminController::sessionClosed, this, &ConsoleLink::sessionClosed);
    connect(a, &AdminController::sessionEnded, this, &ConsoleLink::sessionEnded);
    connect(a, &AdminController::overviewSampled, this, &ConsoleLink::overviewSampled);
    connect(a, &AdminController::heartbeatSent, this, &ConsoleLink::heartbeatSent);
    connect(a, &AdminController::messageReceived, this, &ConsoleLink::messageReceived);
    connect(a, &AdminController::messageSent, this, &ConsoleLink::messageSent);
    connect(a, &AdminController::authFailureRecorded, this, &ConsoleLink::authFailureRecorded);
    connect(a, &AdminController::toolCallFinished, this, &ConsoleLink::toolCallFinished);
    connect(a, &AdminController::logRecorded, this, &ConsoleLink::logRecorded);
    connect(a, &AdminController::tasksChanged, this, &ConsoleLink::tasksChanged);
    connect(a, &AdminController::taskUpdated, this, &ConsoleLink::taskUpdated);
    connect(a, &AdminController::taskCancelAnswered, this, &ConsoleLink::taskCancelAnswered);
    connect(a, &AdminController::entityOptionsApplied, this, &ConsoleLink::entityOptionsApplied);
    connect(a, &AdminController::toolInvoked, this, &ConsoleLink::toolInvoked);
    connect(a, &AdminController::trafficFrameRecorded, this, &ConsoleLink::trafficFrameRecorded);
    connect(a, &AdminController::trafficRecordingChanged, this, &ConsoleLink::trafficRecordingChanged);
    connect(a, &AdminController::recordNewSessionsChanged, this, &ConsoleLink::recordNewSessionsChanged);
    connect(a, &AdminController::trafficExported, this, &ConsoleLink::trafficExported);
    connect(a, &AdminController::settingNotWritten, this,
            [this](const QString &, const QString &message) { emit commandFailed(tr("rollback switch"), message); });
    connect(a, &AdminController::trafficCommandRefused, this,
            [this](const QString &, const QString &error) { emit commandFailed(tr("traffic recording"), error); });
    setConnected(true, QString());
}

void InProcessConsoleLink::refresh()
{
    command([a = m_admin] { a->refresh(); });
}

void InProcessConsoleLink::setHttpSse(const HttpSseSwitch &request)
{
    command([a = m_admin, request] { a->setHttpSse(request); });
}

void InProcessConsoleLink::applyEntityOptions(const QString &entity, const EntityOptions &options)
{
    command([a = m_admin, entity, options] { a->applyEntityOptions(entity, options); });
}

void InProcessConsoleLink::resetEntityOptions(const QString &entity)
{
    command([a = m_admin, entity] { a->resetEntityOptions(entity); });
}

void InProcessConsoleLink::disconnectSession(const QString &sessionId)
{
    command([a = m_admin, sessionId] { a->disconnectSession(sessionId); });
}

void InProcessConsoleLink::invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments)
{
    command([a = m_admin, requestId, tool, arguments] { a->invokeTool(requestId, tool, arguments); });
}

void InProcessConsoleLink::cancelInvocation(const QString &requestId)
{
    command([a = m_admin, requestId] { a->cancelInvocation(requestId); });
}

void InProcessConsoleLink::cancelTask(const QString &taskId)
{
    command([a = m_admin, taskId] { a->cancelTask(taskId); });
}

void InProcessConsoleLink::setTrafficRecording(const QString &target, bool on)
{
    command([a = m_admin, target, on] { a->recordTraffic(target, on); });
}

void InProcessConsoleLink::setRecordNewSessions(bool on)
{
    command([a = m_admin, on] { a->recordNewSessions(on); });
}

void InProcessConsoleLink::requestTraffic(const QString &target)
{
    command([a = m_admin, target] { a->exportTraffic(target); });
}

} // namespace koan
