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
    // Creates (durably: tasks/get resolves it once this returns) a task for `tool`, owned by
    // `principal`. nullopt with *refused set: a limit, or the store failed.
    virtual std::optional<Started> start(const Principal &principal, const QString &tool, const QJsonObject &arguments,
                                         ToolFailure *refused)
        = 0;
    // The DetailedTask of the caller's task (another principal's task is not found).
    virtual std::optional<QJsonObject> get(const Principal &principal, const QString &taskId, ToolFailure *error) = 0;
    virtual std::optional<ToolFailure> cancel(const Principal &principal, const QString &taskId) = 0;
    virtual std::optional<ToolFailure> update(const Principal &principal, const QString &taskId,
                                              const QJsonObject &inputResponses)
        = 0;
    // Every change of a task's state, as the DetailedTask tasks/get would show (notifications/tasks).
    using Observer = std::function<void(const QString &taskId, const QJsonObject &detailedTask)>;
    virtual void setObserver(Observer observer) = 0;
};

} // namespace koan
