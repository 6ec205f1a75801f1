#pragma once
// The admin API (Admin:Enabled), scope Admin:RequiredScope (koan:admin) or, with authentication
// off, a loopback caller. It commands the server through AdminController, the same path the
// console takes, so an attached console (koan-mcp console --attach) sees and does what the local
// one does:
//   GET  /admin/transports                 the transport state
//   PUT  /admin/transports/http-sse        {"enabled": bool, "mode": "drain"|"cut", "reason": "...", "drainSeconds": n}
//                                          (in force here at once; 503 store_timeout when its store write is pending)
//   GET  /admin/snapshot                   server, status, sessions, history, entities, tools, overview, auth failures, logs, tasks
//                                          (the store does not answer in time: "tasks": [] and "tasksError")
//   GET  /admin/events                     the same snapshot, then live events (AdminEventStream)
//   POST /admin/sessions/disconnect        {"sessionId": "..."}
//   POST /admin/entities/options           {"entity": "...", "options": {...}}
//   POST /admin/entities/reset             {"entity": "..."}
//   GET  /admin/tasks                      every principal's tasks (the last 200), newest first
//                                          (503 store_timeout after Store:TimeoutSeconds, 500 store_error)
//   POST /admin/tasks/{taskId}/cancel      cancels any principal's task, audited with the caller as actor
//                                          (503 store_timeout with appliedOnThisReplica while its write is pending)
//   POST /admin/tools/call                 {"tool": "...", "arguments": {...}}: as the caller, with its scopes
//   GET  /admin/traffic                    {"recordsNewSessions", "recording": [ids], "limits"}
//   POST /admin/traffic                    {"recordNewSessions": bool}
//   GET  /admin/sessions/{id}/traffic      a session's or caller's recorded wire traffic (the JSON export)
//   POST /admin/sessions/{id}/traffic      {"enabled": bool}: start or stop recording it
#include "HttpExchange.h"
#include "admin/SettingsWriter.h"
#include "store/AuditTrail.h"

#include <QJsonObject>
#include <functional>
#include <memory>
#include <optional>

namespace koan {

class AdminController;
class AdminEventStream;
struct TaskCancelAnswer;
struct TaskListAnswer;

class AdminEndpoints
{
public:
    struct Settings {
        QString requiredScope;                   // Admin:RequiredScope
        bool requireAuthentication;              // effective RequireAuthentication: else loopback callers are operators
        int keepAliveMs = 15000;                 // SseKeepAliveInterval, for /admin/events
        qint64 maxQueuedBytes = 8 * 1024 * 1024; // MaxQueuedBytesPerStream
    };
    AdminEndpoints(AdminController *admin, Settings settings);
    ~AdminEndpoints();
    void mount(RequestRouter &router);
    // Ends the event streams with a final `shutdown` event (before the server stops listening).
    void closeStreams();

    // What GET /admin/snapshot answers and every event stream starts with: `done` once the store
    // answered with the task list (tasksListed), or failed to within Store:TimeoutSeconds: then
    // "tasks" is empty and "tasksError" says why.
    void snapshot(std::function<void(const QJsonObject &snapshot, bool tasksListed)> done) const;

private:
    // False when it answered 403: operators hold a token with the admin scope or, with
    // authentication off, call from loopback (not through a proxy).
    bool allowed(HttpExchange &context) const;
    // The JSON object body, or empty after answering 400.
    std::optional<QJsonObject> body(HttpExchange &context) const;
    static WriteContext author(const HttpExchange &context);
    QJsonObject snapshotOf(const TaskListAnswer &tasks) const;
    void answerCancel(HttpResponder *responder, const QString &taskId, const TaskCancelAnswer &answer) const;
    // The answer to a settings command once its store write answered: 200 with `answer`; 503
    // store_timeout (still pending) or 500 store_error with `answer` (its members, or as member
    // `nestAs`), appliedOnThisReplica and stored.
    void answerWrite(HttpResponder *responder, const SettingsWriter::Answer &written, const QString &what,
                     const QJsonObject &answer, const char *nestAs = nullptr) const;
    // answerWrite for the entity override commands (body: the entities), unless the client left.
    SettingsWriter::Answered entitiesWritten(HttpResponder *responder) const;

    AdminController *m_admin;
    Settings m_settings;
    std::unique_ptr<AdminEventStream> m_events;
};

} // namespace koan
