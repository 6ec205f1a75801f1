#pragma once
// The task engine of the tasks extension (SEP-2663): creates tasks for tools/calls RpcBridge hands
// it, keeps their state in the store (TaskStore: koan_tasks, both backends), binds each to the
// principal that created it, enforces the running limits, keeps results for Tasks:ResultTtlSeconds,
// and reports a task that was running when this server stopped as failed ("interrupted").
//
// Ids: 192 random bits (QRandomGenerator::system), base64url. A task of another principal is
// "not found", exactly like an id nobody issued, so ids cannot be probed through the errors.
// A task does not depend on the request that created it: a client may disconnect and poll later.
// The tool runs on this (the server's) thread; tools that take long work in chunks on the event
// loop and look at the cancel flag between them (EntityToolProvider's batch and export tools).
#include "config/McpServerOptions.h"
#include "core/TaskService.h"
#include "store/TaskStore.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>

namespace koan {

class EntityStore;

class TaskManager : public QObject, public TaskService
{
    Q_OBJECT
public:
    TaskManager(EntityStore *store, TaskOptions options, QObject *parent = nullptr);
    ~TaskManager() override;

    // After the store is open: tasks this host was running when it stopped become failed
    // ("interrupted"), expired ones are removed, and the housekeeping timers start.
    bool open(QString *error);

    bool enabled() const override { return m_options.enabled; }
    std::optional<Started> start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                                 ToolFailure *refused) override;
    std::optional<QJsonObject> get(const Principal &principal, const QString &taskId, ToolFailure *error) override;
    std::optional<ToolFailure> cancel(const Principal &principal, const QString &taskId) override;
    std::optional<ToolFailure> update(const Principal &principal, const QString &taskId,
                                      const QJsonObject &inputResponses) override;
    void setObserver(Observer observer) override { m_observer = std::move(observer); }

    // The operator's view (console, admin API): every principal's tasks, newest first.
    QList<TaskRecord> tasks(int limit = 200, QString *error = nullptr) const;
    // The operator (`by`: who, for the status message) cancels any principal's task.
    enum class OperatorCancel {
        Cancelled, // it ran here: cancelled now
        Requested, // another replica runs it: it sees the request within its heartbeat
        NotFound,
        AlreadyFinished,
        StoreFailed // *error says why
    };
    // *previous: the status it had (for the audit trail).
    OperatorCancel cancelAsOperator(const QString &taskId, const QString &by, QString *previous, QString *error);
    int runningHere() const { return int(m_running.size()); }

    static QString ownerKey(const Principal &principal);
    static QString ownerLabel(const Principal &principal);
    // The wire form (DetailedTask without resultType).
    static QJsonObject toJson(const TaskRecord &task);

signals:
    // A task of this process was created ("created"), progressed or changed status ("progress": at
    // most two a second per task) or finished ("finished"), for the console.
    void taskChanged(const koan::TaskRecord &task, const QString &change);

private:
    struct Running;
    std::optional<TaskRecord> owned(const Principal &principal, const QString &taskId, ToolFailure *error);
    void persist(Running &r, bool force);
    void finish(const std::shared_ptr<Running> &r, const QString &status, const QJsonObject &result,
                const QJsonObject &error, const QString &message);
    void cancelRunning(const std::shared_ptr<Running> &r, const QString &by);
    void heartbeat();
    void purge();

    EntityStore *m_store;
    TaskOptions m_options;
    QString m_runner;
    Observer m_observer;
    QHash<QString, std::shared_ptr<Running>> m_running; // tasks this process runs
    QTimer m_heartbeat;
    QTimer m_purge;
};

} // namespace koan
