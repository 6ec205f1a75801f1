#pragma once
// The admin API's JSON shapes of what the console shows (snapshots and live events), written by
// the server (AdminEndpoints, the admin event stream) and read back by an attached console, so
// both sides agree by construction. Readers accept what writers produce; missing fields default.
#include "AdminController.h"

#include <QJsonArray>
#include <QJsonObject>

namespace koan::adminjson {

QJsonObject toJson(const SessionInfo &s);
SessionInfo sessionFromJson(const QJsonObject &o);
QJsonObject toJson(const EndedSession &e);
EndedSession endedFromJson(const QJsonObject &o);
QJsonObject toJson(const OverviewSample &s);
OverviewSample sampleFromJson(const QJsonObject &o);
// {"tool", "calls", "errors", "p50Ms", "p95Ms", "maxMs", "buckets": [n, ...]} (ToolLatencyTable's bounds)
QJsonObject toJson(const ToolLatency &t);
ToolLatency toolLatencyFromJson(const QJsonObject &o);
QJsonObject toJson(const AuthFailure &f);
AuthFailure authFailureFromJson(const QJsonObject &o);
QJsonObject toJson(const LogRecord &r);
LogRecord logFromJson(const QJsonObject &o);
QJsonObject toJson(const EntityOptions &o);
EntityOptions optionsFromJson(const QJsonObject &o);
QJsonObject toJson(const EntitySnapshot &e);
EntitySnapshot entityFromJson(const QJsonObject &o);
QJsonObject toJson(const ToolSnapshot &t);
ToolSnapshot toolFromJson(const QJsonObject &o);
// The tool-call event: the old keys (sessionId, tool, arguments, response = the CallToolResult,
// durationMs, outcome) and the workbench's; rpcResponse leaves out the result already under response.
QJsonObject toJson(const ToolCallRecord &r);
ToolCallRecord toolCallFromJson(const QJsonObject &o);
QJsonObject toJson(const TaskSnapshot &t);
TaskSnapshot taskFromJson(const QJsonObject &o);
QJsonObject toJson(const ServerStatus &s);
ServerStatus statusFromJson(const QJsonObject &o);
// {"self", "current", "takenAt", "replicas": [{"id", "host", "version", "startedAt", "heartbeatAt",
// "sessions", "self"}], "sessions": [{"id", "replica", "transport", "subject", "createdAt", "expiresAt"}],
// "totalSessions"}
QJsonObject toJson(const ClusterView &c);
ClusterView clusterFromJson(const QJsonObject &o);

template<typename T> QJsonArray toArray(const QList<T> &items)
{
    QJsonArray a;
    for (const T &item : items)
        a.append(toJson(item));
    return a;
}
template<typename T, typename F> QList<T> fromArray(const QJsonValue &array, F read)
{
    QList<T> out;
    for (const QJsonValue &v : array.toArray())
        out.append(read(v.toObject()));
    return out;
}

} // namespace koan::adminjson
