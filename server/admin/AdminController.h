#pragma once
// The operator's command channel into a running server. It lives on the server thread; the
// console calls its slots through queued connections and gets value snapshots and results back
// as signals, so the GUI never touches server internals across threads.
#include "SettingsWriter.h"
#include "config/McpServerOptions.h"
#include "core/McpSession.h"
#include "core/ToolCallRecord.h"
#include "entities/EntityDescriptor.h"
#include "logging/LogFeed.h"
#include "metrics/OverviewSampler.h"
#include "security/AuthAuditLog.h"
#include "sessions/SessionHistory.h"
#include "sessions/SessionInfo.h"
#include "store/AuditTrail.h"
#include "store/ClusterRegistry.h"
#include "transport/TransportState.h"

#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace koan {

class ChangeBus;
class ClusterSettings;
class EntityRegistry;
class EntityStore;
class HttpSseTransport;
class RpcBridge;
class SessionManager;
class StoreWorker;
class StreamableHttpTransport;
class TaskManager;
struct TaskRecord;

struct EntitySnapshot {
    QString entity;         // its name (EntityDescriptor::name)
    EntityOptions options;  // effective options
    EntityOptions defaults; // before overrides
};

struct ToolSnapshot {
    QString name;
    QString entity; // empty for non-entity tools
    QString description;
    QJsonObject inputSchema;
};

// A task of the tasks extension as the operator sees it (any principal's; never its result).
struct TaskSnapshot {
    QString id;
    QString tool;
    QString status; // working, input_required, completed, failed, cancelled
    QString statusMessage;
    QString reason;       // failed: the error's data.reason (e.g. "interrupted") or its message
    QString owner;        // the creating principal: its subject, "anonymous" or the local operator
    double progress = -1; // 0..1; -1 unknown
    QDateTime createdAt;
    QDateTime updatedAt;

    bool running() const { return status == QLatin1String("working") || status == QLatin1String("input_required"); }
    static TaskSnapshot from(const TaskRecord &task);
};

// What cancelling a task from the console or the admin API came to.
enum class TaskCancelOutcome {
    Cancelled, // it ran in this process: cancelled now
    Requested, // another replica runs it: cancelled within its heartbeat
    NotFound,
    AlreadyFinished,
    Failed, // the store failed, or tasks are off
    Pending // the store did not answer within Store:TimeoutSeconds: written when it answers
};
struct TaskCancelAnswer {
    TaskCancelOutcome outcome = TaskCancelOutcome::Failed;
    QString error;                     // what the operator reads when it is not (yet) Cancelled/Requested
    bool appliedOnThisReplica = false; // it ran here: its tool stopped, whatever the store answered
};
// The operator's task list, or why the store gave none.
struct TaskListAnswer {
    enum class State { Listed, Pending, Failed }; // Pending: no answer within Store:TimeoutSeconds
    State state = State::Listed;
    QList<TaskSnapshot> tasks;
    QString error;
};

// A request to flip the rollback switch, with the operator's intent. Turning it off either cuts
// (open legacy streams end now) or drains (new ones refused, open ones may finish within
// drainSeconds, then end).
struct HttpSseSwitch {
    enum class Mode { Cut, Drain };
    bool enabled = true;
    Mode mode = Mode::Cut;
    QString reason;
    int drainSeconds = 60;
    static constexpr int kMaxDrainSeconds = 3600;

    QJsonObject toJson() const; // as recorded in the audit trail
    // The admin API's body: {"enabled": bool, "mode": "drain"|"cut", "reason": "...", "drainSeconds": n};
    // a bare {"enabled": false} means cut. Empty with *error set when it is not that.
    static std::optional<HttpSseSwitch> fromJson(const QJsonObject &body, QString *error);
};

struct ServerStatus {
    QString environment;
    bool authenticationRequired = false;
    bool httpSseEnabled = true;
    bool httpSseDraining = false;
    QDateTime drainDeadline; // while draining
    int httpSseStreams = 0;  // open legacy streams
    bool streamableEnabled = true;
    bool stdioEnabled = true;
    QString baseUrl; // empty when HTTP is not listening
    QString route;
    QString bindAddress;
    int maxConnections = 0;
    int keepAliveMs = 0;
};

// What a traffic-recording command came to.
enum class TrafficCommandOutcome {
    Done,
    UnknownTarget, // neither an open session, a listed caller nor a recording
    TooManyRecordings
};

class AdminController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kClusterIntervalMs = 2000;
    // What the controller commands and observes; nothing else of the server.
    struct Parts {
        const McpServerOptions *options = nullptr;
        EntityRegistry *registry = nullptr;
        RpcBridge *bridge = nullptr;
        EntityStore *store = nullptr;
        SessionManager *sessions = nullptr;
        AuthAuditLog *authLog = nullptr;
        HttpSseTransport *httpSse = nullptr;
        StreamableHttpTransport *streamable = nullptr;
        TaskManager *tasks = nullptr;          // null: no tasks (the page stays empty)
        std::function<QString()> listeningUrl; // the base URL while HTTP listens, else empty
        ChangeBus *changes = nullptr;          // the process's hub (settings changed on other replicas)
    };
    explicit AdminController(Parts parts, QObject *parent = nullptr);
    ~AdminController() override;

    // After the store opened: on PostgreSQL the rollback switch and the entity overrides become
    // cluster-wide (ClusterSettings); false with *error when the database cannot be read.
    bool startClusterSettings(QString *error);
    // The settings' store writes and the cluster-wide settings' reads run there from now on
    // (before startClusterSettings). Not owned.
    void setStoreWorker(StoreWorker *worker);
    // PostgreSQL: the registry of the cluster's replicas and sessions (not owned).
    void setClusterRegistry(ClusterRegistry *registry);
    // The cluster as last seen by the registry; nullopt on a single node (SQLite).
    std::optional<ClusterView> cluster() const;
    // The same for the console: an empty ClusterView (no self) on a single node.
    ClusterView clusterOrSingle() const { return cluster().value_or(ClusterView{}); }

    // Entity overrides edited in the console are saved to this file (empty: not persisted).
    void setUserOverrideFile(const QString &path) { m_userOverrideFile = path; }

    QList<EntitySnapshot> entities() const;
    QList<ToolSnapshot> tools() const;
    ServerStatus status() const;
    TransportState transportState() const;

    // The runtime rollback switch (EnableHttpSseTransport), for the console and the admin API alike.
    // Off closes open legacy streams with a final event and refuses new ones with 503; STDIO keeps
    // working, and so does Streamable HTTP unless StreamableFollowsHttpSseSwitch is set. The change
    // is recorded in the audit trail as `who`. It takes effect on this replica at once; the store
    // write (the audit row and, on PostgreSQL, the value every replica follows) is queued on the
    // store worker (SettingsWriter), and `written` hears whether it was written, failed, or is still
    // pending after Store:TimeoutSeconds (then it is written when the database answers).
    void switchHttpSse(bool enabled, const WriteContext &who);
    // The same with the operator's intent (mode, reason, drain timeout), recorded with the change.
    void switchHttpSse(const HttpSseSwitch &request, const WriteContext &who, SettingsWriter::Answered written = {});
    // A drain of the switch in progress: legacy streams, and Streamable HTTP's sessions and listen
    // streams when StreamableFollowsHttpSseSwitch is set; its deadline (invalid when none).
    bool switchDraining() const;
    QDateTime drainDeadline() const;

    QList<SessionInfo> sessions() const;
    // Sessions that ended (the last 1000), oldest first.
    QList<EndedSession> sessionHistory() const;
    // The Overview's per-second samples (the last 15 minutes), oldest first.
    QList<OverviewSample> overview() const { return m_overview->samples(); }
    OverviewSampler *overviewSampler() const { return m_overview; }
    // Each tool's call latency over the last 15 minutes, most called first.
    QList<ToolLatency> toolLatency() const { return m_overview->toolLatency(); }
    // The recent auth failures (the ring of AuthAuditLog) and log records (LogFeed), oldest first.
    QList<AuthFailure> authFailures() const;
    QList<LogRecord> logRecords() const;

    // The override command with its author (the admin API passes the token's principal); false
    // with *error when the options are refused or cannot be saved. Audited like the console's.
    // Once applied (true), `written` hears about its store write as with switchHttpSse.
    bool applyEntityOptions(const QString &entity, const EntityOptions &options, const WriteContext &who,
                            QString *error, SettingsWriter::Answered written = {});
    bool resetEntityOptions(const QString &entity, const WriteContext &who, QString *error,
                            SettingsWriter::Answered written = {});
    // What an operator reads when a setting's store write did not succeed (Pending or Failed):
    // `what` is in force here, and what of it is not written.
    QString notWritten(const QString &what, const SettingsWriter::Answer &answer) const;
    // tools/call through the real dispatcher as `caller` with exactly its scopes (the admin API:
    // the token's principal, never the trusted local operator). `done` gets the JSON-RPC request,
    // the response and the duration.
    // A call that was cancelled gets an empty response (a cancelled request is never answered).
    // A non-empty `callId` names the call for cancelToolCallAs while it runs (per caller).
    using InvokeDone = std::function<void(const QJsonObject &request, const QJsonObject &response, double ms)>;
    void invokeToolAs(const Principal &caller, const QString &tool, const QJsonObject &arguments, InvokeDone done,
                      const QString &callId = {});
    // Cancels `caller`'s own running call `callId` the way a client does (notifications/cancelled):
    // the tool sees its cancel flag, and the call ends with an empty response. False when no such
    // call of that caller runs.
    bool cancelToolCallAs(const Principal &caller, const QString &callId);

    // Every principal's tasks, newest first (the last 200), from the store (on PostgreSQL: every
    // replica's), read on the store worker: `answered` within Store:TimeoutSeconds.
    static constexpr int kTaskListLimit = 200;
    static constexpr int kTaskListRetryMs = 1000;
    using TasksListed = std::function<void(const TaskListAnswer &)>;
    void listTasks(TasksListed answered);
    // `done` with the list once the store answers (asked again every kTaskListRetryMs while it does
    // not), unless `context` is gone by then.
    void whenTasksListed(QObject *context, std::function<void(const QList<TaskSnapshot> &)> done);
    // Cancels any principal's task as `who`; a cancel that takes effect is recorded in the audit
    // trail (entity "_tasks", operation "cancel") with `who` as its actor. A task running here stops
    // at once; the store writes wait for the database (TaskManager::cancelAsOperator), `answered`
    // hears within Store:TimeoutSeconds (Pending: not written yet).
    using TaskCancelAnswered = std::function<void(const TaskCancelAnswer &)>;
    void cancelTask(const QString &taskId, const WriteContext &who, TaskCancelAnswered answered);

    // Wire traffic (sessions/TrafficRecorder) of a session or stateless caller, as the console and
    // the admin API command it. Starting keeps what was recorded before; stopping keeps the frames.
    TrafficCommandOutcome setTrafficRecording(const QString &target, bool on);
    // The JSON export of a target's recording; nullopt when the id names nothing (see above).
    std::optional<QJsonObject> trafficExport(const QString &target) const;
    void setRecordNewSessions(bool on);
    // {"recordsNewSessions": bool, "recording": [ids], "limits": {...}}
    QJsonObject trafficState() const;

public slots:
    // As the local operator: answers with trafficRecordingChanged, or commandRefused.
    void recordTraffic(const QString &target, bool on);
    // Answers with trafficExported (an empty document when the id names nothing).
    void exportTraffic(const QString &target);
    void recordNewSessions(bool on);
    // Emits entitiesChanged, toolsChanged, statusChanged, sessionsChanged, sessionHistoryChanged,
    // overviewChanged, toolLatencyChanged, clusterChanged, authFailuresChanged, logsChanged, and
    // tasksChanged once the store answered with the list (whenTasksListed).
    void refresh();
    void applyEntityOptions(const QString &entity, const koan::EntityOptions &options);
    void resetEntityOptions(const QString &entity);
    // Runs tools/call through the real dispatcher as the local operator.
    void invokeTool(const QString &requestId, const QString &tool, const QJsonObject &arguments);
    // Cancels the local operator's call `requestId` while it runs; answers with toolInvoked (an
    // empty response) once the tool stopped.
    void cancelInvocation(const QString &requestId);
    void setHttpSseEnabled(bool enabled);                // as the local operator
    void setHttpSse(const koan::HttpSseSwitch &request); // as the local operator
    void disconnectSession(const QString &sessionId);
    // As the local operator; answers with taskCancelAnswered.
    void cancelTask(const QString &taskId);

signals:
    void entitiesChanged(const QList<koan::EntitySnapshot> &entities);
    void toolsChanged(const QList<koan::ToolSnapshot> &tools);
    void statusChanged(const koan::ServerStatus &status);
    void sessionsChanged(const QList<koan::SessionInfo> &sessions);
    void sessionHistoryChanged(const QList<koan::EndedSession> &ended);
    void overviewChanged(const QList<koan::OverviewSample> &samples);
    // The per-tool latency distribution: in refresh(), and live after a second with calls.
    void toolLatencyChanged(const QList<koan::ToolLatency> &tools);
    // The cluster's replicas and sessions (empty `self` on a single node): in refresh(), and live
    // every kClusterIntervalMs once something listens.
    void clusterChanged(const koan::ClusterView &cluster);
    void authFailuresChanged(const QList<koan::AuthFailure> &failures);
    void logsChanged(const QList<koan::LogRecord> &records);
    void tasksChanged(const QList<koan::TaskSnapshot> &tasks);
    void taskCancelAnswered(const QString &taskId, bool ok, const QString &error);
    void entityOptionsApplied(const QString &entity, bool ok, const QString &error);
    void toolInvoked(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                     double durationMs);
    void httpSseEnabledChanged(bool enabled);
    // The local operator's switch flip is in force here but its store write is pending or failed.
    void settingNotWritten(const QString &setting, const QString &message);
    // Wire traffic: emitted only while something records, so they cost nothing otherwise.
    void trafficRecordingChanged(const QString &target, bool recording);
    void recordNewSessionsChanged(bool on);
    void trafficFrameRecorded(const QString &target, const QJsonObject &frame);
    void trafficExported(const QString &target, const QJsonObject &document);
    void trafficCommandRefused(const QString &target, const QString &error);
    // The server's events the console shows, forwarded once something connects to them, so a
    // headless server pays nothing for them.
    void sessionOpened(const koan::SessionInfo &info);
    void sessionUpdated(const koan::SessionInfo &info);
    void sessionClosed(const QString &sessionId, const QString &reason);
    void sessionEnded(const koan::EndedSession &ended);
    void overviewSampled(const koan::OverviewSample &sample); // once a second
    void heartbeatSent(const QString &sessionId, const QDateTime &at, qint64 bytesQueued);
    void messageReceived(const QString &sessionId, const QString &method);
    void messageSent(const QString &sessionId);
    void authFailureRecorded(const koan::AuthFailure &failure);
    void toolCallFinished(const koan::ToolCallRecord &record); // every ending, with the JSON-RPC as answered
    void logRecorded(const koan::LogRecord &record);           // redacted, as the log sink wrote it
    // A task this process runs: `change` is "created", "progress" (at most two a second) or "finished".
    void taskUpdated(const koan::TaskSnapshot &task, const QString &change);

protected:
    void connectNotify(const QMetaMethod &signal) override;

private:
    bool persist(const QString &entity, QString *error) const;
    void askTaskList(); // for whenTasksListed's waiters: one listing at a time
    // Puts this replica's transports in the switch's state (drainMs: how long open streams may finish).
    void applyHttpSse(const HttpSseSwitch &request, int drainMs);
    void forwardServerEvents();
    void watchCluster(); // from any thread
    QJsonObject toolCallRequest(const QString &tool, const QJsonObject &arguments);
    // Runs `request` on `session`, tracked under (caller, callId) while it runs.
    void runCall(const SessionPtr &session, const QJsonObject &request, const QString &callId, InvokeDone done);
    struct RunningCall {
        SessionPtr session;
        QJsonValue rpcId;
    };
    QHash<QString, RunningCall> m_running; // by the caller's identity and its callId
    struct TaskListWaiter {
        QPointer<QObject> context;
        std::function<void(const QList<TaskSnapshot> &)> done;
    };
    QList<TaskListWaiter> m_taskListWaiters;
    bool m_taskListAsking = false;
    bool m_refreshWantsTasks = false; // refresh()'s tasksChanged is waiting for the store

    Parts m_parts;
    QString m_userOverrideFile;
    SessionPtr m_operator;
    SettingsWriter *m_writer;
    StoreWorker *m_worker = nullptr;
    std::unique_ptr<ClusterSettings> m_cluster;
    ClusterRegistry *m_registry = nullptr;
    OverviewSampler *m_overview;
    qint64 m_nextId = 1;
    std::once_flag m_forwarding;
    QTimer *m_clusterTimer; // clusterChanged while something listens and there is a registry
};

} // namespace koan

Q_DECLARE_METATYPE(koan::EntityOptions)
Q_DECLARE_METATYPE(koan::EntitySnapshot)
Q_DECLARE_METATYPE(koan::ToolSnapshot)
Q_DECLARE_METATYPE(koan::ServerStatus)
Q_DECLARE_METATYPE(koan::HttpSseSwitch)
Q_DECLARE_METATYPE(koan::TaskSnapshot)
