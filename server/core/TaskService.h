#pragma once
// The tasks extension (io.modelcontextprotocol/tasks, SEP-2663) as RpcBridge sees it: create a
// task for a tools/call, read, update and cancel it. RpcBridge owns the wire (capability checks,
// envelopes, headers); the implementation (tasks/TaskManager) owns ids, ownership, limits,
// persistence and expiry.
#include "McpSession.h"
#include "Principal.h"
#include "ToolProvider.h"

#include <QJsonObject>
#include <QString>
#include <functional>
#include <optional>

namespace koan {

class TaskService
{
public:
    virtual ~TaskService() = default;

    static QString extensionId() { return QStringLiteral("io.modelcontextprotocol/tasks"); }

    // What a started task gives the tool that runs it and the caller that asked for it.
    struct Started {
        QJsonObject created;  // the CreateTaskResult's Task fields (without resultType)
        CancelFlag cancelled; // set by tasks/cancel
        std::function<void(const QString &method, const QJsonObject &params)> notify; // progress
        std::function<void(const QString &method, const QJsonObject &params,
                           std::function<void(const QJsonObject &response)> onResponse)>
            request; // an input request (input_required until tasks/update answers it)
        std::function<void(const QJsonObject &result)> complete;
        std::function<void(const ToolFailure &failure)> fail;
    };

    virtual bool enabled() const = 0;
    // Every call below may answer later (the task rows are read and written off the event loop,
    // on the store worker): `done` runs exactly once, on the caller's thread. A store that does not
    // answer in time gives an InternalError with data.reason "store_timeout".
    using Admitted = std::function<void(const std::optional<ToolFailure> &refused)>;
    using Found = std::function<void(const std::optional<QJsonObject> &task, const ToolFailure &error)>;
    using Acked = std::function<void(const std::optional<ToolFailure> &error)>;
    // Creates a task for `tool`, owned by `principal`: the task's handles at once, `admitted` once
    // it is durable (tasks/get resolves it) with nullopt, or with the refusal (a limit, or the store
    // failed; its handles then do nothing and its cancel flag is set). Nothing of the tool may run
    // before `admitted` says yes.
    virtual Started start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                          Admitted admitted)
        = 0;
    // The DetailedTask of the caller's task (another principal's task is not found).
    virtual void get(const Principal &principal, const QString &taskId, Found done) = 0;
    // Of `taskIds`, those the caller owns (and that have not expired), for a listen's filter.
    virtual void owned(const Principal &principal, const QStringList &taskIds,
                       std::function<void(const QStringList &owned)> done)
        = 0;
    virtual void cancel(const Principal &principal, const QString &taskId, Acked done) = 0;
    virtual void update(const Principal &principal, const QString &taskId, const QJsonObject &inputResponses,
                        Acked done)
        = 0;
    // Every change of a task's state, as the DetailedTask tasks/get would show (notifications/tasks).
    using Observer = std::function<void(const QString &taskId, const QJsonObject &detailedTask)>;
    virtual void setObserver(Observer observer) = 0;
};

} // namespace koan
