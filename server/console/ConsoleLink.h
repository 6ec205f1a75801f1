#pragma once
// The console's one interface to a server: snapshots and live events as signals, commands as
// calls that answer through signals. Two implementations: InProcessConsoleLink (the server in
// this process, over AdminController) and RemoteConsoleLink (a headless server over the admin
// HTTP API), so every page of the console works both ways.
#include "admin/AdminController.h"

#include <QJsonObject>
#include <QObject>

namespace koan {

class ConsoleLink : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual bool isRemote() const = 0;
    virtual QString target() const = 0; // what the console is attached to, for the title and status bar
    bool isConnected() const { return m_connected; }

    // Every snapshot signal once more (status, sessions, history, entities, tools, overview, tool
    // latency, cluster, auth failures, logs, tasks).
    virtual void refresh() = 0;
    virtual void setHttpSse(const koan::HttpSseSwitch &request) = 0;
    virtual void applyEntityOptions(const QString &entity, const koan::EntityOptions &options) = 0;
    virtual void resetEntityOptions(const QString &entity) = 0;
    virtual void disconnectSession(const QString &sessionId) = 0;
    // Answers with toolInvoked(requestId, ...).
    virtual void invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments) = 0;
    // Cancels that call while it runs (notifications/cancelled on the server); toolInvoked then
    // answers with an empty response.
    virtual void cancelInvocation(const QString &requestId) = 0;
    // Cancels any principal's task; answers with taskCancelAnswered.
    virtual void cancelTask(const QString &taskId) = 0;
    // Wire traffic of a session or stateless caller (off by default): start or stop recording it
    // (answers trafficRecordingChanged or commandFailed), record every new session, fetch the
    // recording (answers trafficExported with the JSON export; empty when the id names nothing).
    virtual void setTrafficRecording(const QString &target, bool on) = 0;
    virtual void setRecordNewSessions(bool on) = 0;
    virtual void requestTraffic(const QString &target) = 0;

signals:
    // Snapshots.
    void statusChanged(const koan::ServerStatus &status);
    void sessionsChanged(const QList<koan::SessionInfo> &sessions);
    void sessionHistoryChanged(const QList<koan::EndedSession> &ended);
    void entitiesChanged(const QList<koan::EntitySnapshot> &entities);
    void toolsChanged(const QList<koan::ToolSnapshot> &tools);
    void overviewChanged(const QList<koan::OverviewSample> &samples);
    void toolLatencyChanged(const QList<koan::ToolLatency> &tools); // also live
    void clusterChanged(const koan::ClusterView &cluster);          // also live; empty `self`: single node
    void authFailuresChanged(const QList<koan::AuthFailure> &failures);
    void logsChanged(const QList<koan::LogRecord> &records);
    void tasksChanged(const QList<koan::TaskSnapshot> &tasks);
    // Live events.
    void sessionOpened(const koan::SessionInfo &info);
    void sessionUpdated(const koan::SessionInfo &info);
    void sessionClosed(const QString &sessionId, const QString &reason);
    void sessionEnded(const koan::EndedSession &ended);
    void overviewSampled(const koan::OverviewSample &sample);
    void heartbeatSent(const QString &sessionId, const QDateTime &at, qint64 bytesQueued);
    void messageReceived(const QString &sessionId, const QString &method);
    void messageSent(const QString &sessionId);
    void authFailureRecorded(const koan::AuthFailure &failure);
    void toolCallFinished(const koan::ToolCallRecord &record);
    void logRecorded(const koan::LogRecord &record);
    void taskUpdated(const koan::TaskSnapshot &task, const QString &change); // created, progress, finished
    // Wire traffic: one recorded frame (TrafficFrame::toJson), recording switched, the export.
    void trafficFrameRecorded(const QString &target, const QJsonObject &frame);
    void trafficRecordingChanged(const QString &target, bool recording);
    void recordNewSessionsChanged(bool on);
    void trafficExported(const QString &target, const QJsonObject &document);
    // Command results.
    void entityOptionsApplied(const QString &entity, bool ok, const QString &error);
    void toolInvoked(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                     double durationMs);
    // ok: the cancel took effect (in the store, or on the replica running it: then `error` says
    // what of it the store does not have yet); else `error` says why not.
    void taskCancelAnswered(const QString &taskId, bool ok, const QString &error);
    void commandFailed(const QString &command, const QString &error); // remote: the request was refused
    // Remote: the event stream is up (after its snapshot) or lost (`detail` says why; it reconnects).
    void connectionChanged(bool connected, const QString &detail);

protected:
    void setConnected(bool connected, const QString &detail)
    {
        const bool changed = connected != m_connected;
        m_connected = connected;
        if (changed || !connected)
            emit connectionChanged(connected, detail);
    }

private:
    bool m_connected = false;
};

} // namespace koan
