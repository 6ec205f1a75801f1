#include "AdminJson.h"

namespace koan::adminjson {

namespace {
QString time(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}
QDateTime time(const QJsonValue &v)
{
    return v.toString().isEmpty() ? QDateTime() : QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}
QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}
TransportKind kind(const QString &name)
{
    TransportSet set;
    if (!parseTransportName(name, &set))
        return TransportKind::None;
    for (TransportKind k :
         {TransportKind::Stdio, TransportKind::HttpSse, TransportKind::StreamableHttp, TransportKind::Operator})
        if (set == TransportSet(k))
            return k;
    return TransportKind::None;
}
} // namespace

QJsonObject toJson(const SessionInfo &s)
{
    return {{QStringLiteral("id"), s.id},
            {QStringLiteral("kind"), sessionKindName(s.kind)},
            {QStringLiteral("transport"), transportName(s.transport)},
            {QStringLiteral("clientName"), s.clientName},
            {QStringLiteral("clientVersion"), s.clientVersion},
            {QStringLiteral("protocolVersion"), s.protocolVersion},
            {QStringLiteral("subject"), s.subject},
            {QStringLiteral("issuer"), s.issuer},
            {QStringLiteral("remote"), s.remote},
            {QStringLiteral("userAgent"), s.userAgent},
            {QStringLiteral("created"), time(s.created)},
            {QStringLiteral("lastActivity"), time(s.lastActivity)},
            {QStringLiteral("lastHeartbeat"), time(s.lastHeartbeat)},
            {QStringLiteral("messagesIn"), double(s.messagesIn)},
            {QStringLiteral("messagesOut"), double(s.messagesOut)},
            {QStringLiteral("bytesQueued"), double(s.bytesQueued)},
            {QStringLiteral("openStreams"), s.openStreams}};
}

SessionInfo sessionFromJson(const QJsonObject &o)
{
    SessionInfo s;
    s.id = str(o, "id");
    s.kind = parseSessionKind(str(o, "kind"));
    s.transport = kind(str(o, "transport"));
    s.clientName = str(o, "clientName");
    s.clientVersion = str(o, "clientVersion");
    s.protocolVersion = str(o, "protocolVersion");
    s.subject = str(o, "subject");
    s.issuer = str(o, "issuer");
    s.remote = str(o, "remote");
    s.userAgent = str(o, "userAgent");
    s.created = time(o.value(QLatin1String("created")));
    s.lastActivity = time(o.value(QLatin1String("lastActivity")));
    s.lastHeartbeat = time(o.value(QLatin1String("lastHeartbeat")));
    s.messagesIn = qint64(o.value(QLatin1String("messagesIn")).toDouble());
    s.messagesOut = qint64(o.value(QLatin1String("messagesOut")).toDouble());
    s.bytesQueued = qint64(o.value(QLatin1String("bytesQueued")).toDouble());
    s.openStreams = o.value(QLatin1String("openStreams")).toInt();
    return s;
}

QJsonObject toJson(const ToolCallRecord &r)
{
    QJsonObject rpcResponse = r.response;
    rpcResponse.remove(QLatin1String("result"));
    return {{QStringLiteral("time"), time(r.time)},
            {QStringLiteral("sessionId"), r.sessionId},
            {QStringLiteral("caller"), r.caller},
            {QStringLiteral("transport"), transportName(r.transport)},
            {QStringLiteral("era"), r.era == ProtocolEra::Modern ? QStringLiteral("modern") : QStringLiteral("legacy")},
            {QStringLiteral("protocolVersion"), r.protocolVersion},
            {QStringLiteral("subject"), r.subject},
            {QStringLiteral("tool"), r.tool},
            {QStringLiteral("arguments"), r.arguments},
            {QStringLiteral("response"), r.result},
            {QStringLiteral("durationMs"), r.durationMs},
            {QStringLiteral("outcome"), r.outcome},
            {QStringLiteral("traceId"), r.traceId},
            {QStringLiteral("requestId"), r.requestId},
            {QStringLiteral("rpcRequest"), r.request},
            {QStringLiteral("rpcResponse"), rpcResponse}};
}

ToolCallRecord toolCallFromJson(const QJsonObject &o)
{
    ToolCallRecord r;
    r.time = time(o.value(QLatin1String("time")));
    if (!r.time.isValid())
        r.time = QDateTime::currentDateTimeUtc(); // an older server's event: it is happening now
    r.sessionId = str(o, "sessionId");
    r.caller = str(o, "caller");
    r.transport = kind(str(o, "transport"));
    r.era = str(o, "era") == QLatin1String("modern") ? ProtocolEra::Modern : ProtocolEra::Legacy;
    r.protocolVersion = str(o, "protocolVersion");
    r.subject = str(o, "subject");
    r.tool = str(o, "tool");
    r.arguments = o.value(QLatin1String("arguments")).toObject();
    r.result = o.value(QLatin1String("response")).toObject();
    r.durationMs = o.value(QLatin1String("durationMs")).toDouble();
    r.outcome = str(o, "outcome");
    r.traceId = str(o, "traceId");
    r.requestId = o.value(QLatin1String("requestId"));
    r.request = o.value(QLatin1String("rpcRequest")).toObject();
    r.response = o.value(QLatin1String("rpcResponse")).toObject();
    if (!r.response.isEmpty() && !r.response.contains(QLatin1String("error")))
        r.response.insert(QStringLiteral("result"), r.result);
    return r;
}

QJsonObject toJson(const EndedSession &e)
{
    return {{QStringLiteral("session"), toJson(e.info)},
            {QStringLiteral("ended"), time(e.ended)},
            {QStringLiteral("reason"), e.reason}};
}

EndedSession endedFromJson(const QJsonObject &o)
{
    EndedSession e;
    e.info = sessionFromJson(o.value(QLatin1String("session")).toObject());
    e.ended = time(o.value(QLatin1String("ended")));
    e.reason = str(o, "reason");
    e.kind = SessionHistory::classify(e.reason);
    return e;
}

QJsonObject toJson(const OverviewSample &s)
{
    QJsonObject reasons;
    for (auto it = s.authFailuresByReason.cbegin(); it != s.authFailuresByReason.cend(); ++it)
        reasons.insert(it.key(), it.value());
    return {{QStringLiteral("at"), time(s.at)},
            {QStringLiteral("legacySessions"), s.legacySessions},
            {QStringLiteral("streamableSessions"), s.streamableSessions},
            {QStringLiteral("statelessCallers"), s.statelessCallers},
            {QStringLiteral("listenStreams"), s.listenStreams},
            {QStringLiteral("calls"), s.calls},
            {QStringLiteral("errors"), s.errors},
            {QStringLiteral("p50Ms"), s.p50Ms},
            {QStringLiteral("p95Ms"), s.p95Ms},
            {QStringLiteral("authFailures"), s.authFailures},
            {QStringLiteral("authFailuresByReason"), reasons},
            {QStringLiteral("queuedBytes"), double(s.queuedBytes)}};
}

OverviewSample sampleFromJson(const QJsonObject &o)
{
    OverviewSample s;
    s.at = time(o.value(QLatin1String("at")));
    s.legacySessions = o.value(QLatin1String("legacySessions")).toInt();
    s.streamableSessions = o.value(QLatin1String("streamableSessions")).toInt();
    s.statelessCallers = o.value(QLatin1String("statelessCallers")).toInt();
    s.listenStreams = o.value(QLatin1String("listenStreams")).toInt();
    s.calls = o.value(QLatin1String("calls")).toInt();
    s.errors = o.value(QLatin1String("errors")).toInt();
    s.p50Ms = o.value(QLatin1String("p50Ms")).toDouble();
    s.p95Ms = o.value(QLatin1String("p95Ms")).toDouble();
    s.authFailures = o.value(QLatin1String("authFailures")).toInt();
    const QJsonObject reasons = o.value(QLatin1String("authFailuresByReason")).toObject();
    for (auto it = reasons.constBegin(); it != reasons.constEnd(); ++it)
        s.authFailuresByReason.insert(it.key(), it.value().toInt());
    s.queuedBytes = qint64(o.value(QLatin1String("queuedBytes")).toDouble());
    return s;
}

QJsonObject toJson(const ToolLatency &t)
{
    QJsonArray buckets;
    for (int n : t.buckets)
        buckets.append(n);
    return {{QStringLiteral("tool"), t.tool},     {QStringLiteral("calls"), t.calls},
            {QStringLiteral("errors"), t.errors}, {QStringLiteral("p50Ms"), t.p50Ms},
            {QStringLiteral("p95Ms"), t.p95Ms},   {QStringLiteral("maxMs"), t.maxMs},
            {QStringLiteral("buckets"), buckets}};
}

ToolLatency toolLatencyFromJson(const QJsonObject &o)
{
    ToolLatency t;
    t.tool = str(o, "tool");
    t.calls = o.value(QLatin1String("calls")).toInt();
    t.errors = o.value(QLatin1String("errors")).toInt();
    t.p50Ms = o.value(QLatin1String("p50Ms")).toDouble();
    t.p95Ms = o.value(QLatin1String("p95Ms")).toDouble();
    t.maxMs = o.value(QLatin1String("maxMs")).toDouble();
    for (const QJsonValue &n : o.value(QLatin1String("buckets")).toArray())
        t.buckets.append(n.toInt());
    return t;
}

QJsonObject toJson(const AuthFailure &f)
{
    return {{QStringLiteral("time"), time(f.time)}, {QStringLiteral("remote"), f.remote},
            {QStringLiteral("reason"), f.reason},   {QStringLiteral("subject"), f.subject},
            {QStringLiteral("path"), f.path},       {QStringLiteral("description"), f.description},
            {QStringLiteral("issuer"), f.issuer}};
}

AuthFailure authFailureFromJson(const QJsonObject &o)
{
    return AuthFailure{time(o.value(QLatin1String("time"))),
                       str(o, "remote"),
                       str(o, "reason"),
                       str(o, "subject"),
                       str(o, "path"),
                       str(o, "description"),
                       str(o, "issuer")};
}

QJsonObject toJson(const LogRecord &r)
{
    QJsonObject o{{QStringLiteral("ts"), time(r.time)},
                  {QStringLiteral("level"), r.level},
                  {QStringLiteral("category"), r.category},
                  {QStringLiteral("msg"), r.message},
                  {QStringLiteral("seq"), double(r.seq)}};
    if (!r.sessionId.isEmpty())
        o.insert(QStringLiteral("sessionId"), r.sessionId);
    if (!r.traceId.isEmpty())
        o.insert(QStringLiteral("traceId"), r.traceId);
    return o;
}

LogRecord logFromJson(const QJsonObject &o)
{
    return LogRecord{time(o.value(QLatin1String("ts"))),
                     str(o, "level"),
                     str(o, "category"),
                     str(o, "msg"),
                     str(o, "sessionId"),
                     qint64(o.value(QLatin1String("seq")).toDouble()),
                     str(o, "traceId")};
}

QJsonObject toJson(const EntityOptions &e)
{
    QJsonObject o{
        {QStringLiteral("name"), e.name},
        {QStringLiteral("description"), e.description},
        {QStringLiteral("allowMutations"), e.allowMutations},
        {QStringLiteral("requireExpectedVersion"), e.requireExpectedVersion},
        {QStringLiteral("requiredScopes"), QJsonArray::fromStringList(e.requiredScopes)},
        {QStringLiteral("enabledTransports"), QJsonArray::fromStringList(transportNames(e.enabledTransports))}};
    if (e.requireAuthentication)
        o.insert(QStringLiteral("requireAuthentication"), *e.requireAuthentication);
    return o;
}

EntityOptions optionsFromJson(const QJsonObject &o)
{
    EntityOptions e;
    e.name = str(o, "name");
    e.description = str(o, "description");
    e.allowMutations = o.value(QLatin1String("allowMutations")).toBool(true);
    e.requireExpectedVersion = o.value(QLatin1String("requireExpectedVersion")).toBool(true);
    if (o.value(QLatin1String("requireAuthentication")).isBool())
        e.requireAuthentication = o.value(QLatin1String("requireAuthentication")).toBool();
    e.requiredScopes.clear();
    for (const QJsonValue &v : o.value(QLatin1String("requiredScopes")).toArray())
        e.requiredScopes << v.toString();
    if (o.contains(QLatin1String("enabledTransports"))) {
        TransportSet set;
        for (const QJsonValue &v : o.value(QLatin1String("enabledTransports")).toArray()) {
            TransportSet one;
            if (parseTransportName(v.toString(), &one))
                set |= one;
        }
        e.enabledTransports = set;
    }
    return e;
}

QJsonObject toJson(const EntitySnapshot &e)
{
    return {{QStringLiteral("entity"), e.entity},
            {QStringLiteral("options"), toJson(e.options)},
            {QStringLiteral("defaults"), toJson(e.defaults)}};
}

EntitySnapshot entityFromJson(const QJsonObject &o)
{
    return EntitySnapshot{str(o, "entity"), optionsFromJson(o.value(QLatin1String("options")).toObject()),
                          optionsFromJson(o.value(QLatin1String("defaults")).toObject())};
}

QJsonObject toJson(const ToolSnapshot &t)
{
    return {{QStringLiteral("name"), t.name},
            {QStringLiteral("entity"), t.entity},
            {QStringLiteral("description"), t.description},
            {QStringLiteral("inputSchema"), t.inputSchema}};
}

ToolSnapshot toolFromJson(const QJsonObject &o)
{
    return ToolSnapshot{str(o, "name"), str(o, "entity"), str(o, "description"),
                        o.value(QLatin1String("inputSchema")).toObject()};
}

QJsonObject toJson(const TaskSnapshot &t)
{
    QJsonObject o{{QStringLiteral("taskId"), t.id},
                  {QStringLiteral("tool"), t.tool},
                  {QStringLiteral("status"), t.status},
                  {QStringLiteral("owner"), t.owner},
                  {QStringLiteral("createdAt"), time(t.createdAt)},
                  {QStringLiteral("updatedAt"), time(t.updatedAt)},
                  // null while unknown: a number is always a fraction 0..1
                  {QStringLiteral("progress"), t.progress >= 0 ? QJsonValue(t.progress) : QJsonValue()}};
    if (!t.statusMessage.isEmpty())
        o.insert(QStringLiteral("statusMessage"), t.statusMessage);
    if (!t.reason.isEmpty())
        o.insert(QStringLiteral("reason"), t.reason);
    return o;
}

TaskSnapshot taskFromJson(const QJsonObject &o)
{
    TaskSnapshot t;
    t.id = str(o, "taskId");
    t.tool = str(o, "tool");
    t.status = str(o, "status");
    t.owner = str(o, "owner");
    t.statusMessage = str(o, "statusMessage");
    t.reason = str(o, "reason");
    t.progress = o.value(QLatin1String("progress")).toDouble(-1);
    t.createdAt = time(o.value(QLatin1String("createdAt")));
    t.updatedAt = time(o.value(QLatin1String("updatedAt")));
    return t;
}

QJsonObject toJson(const ServerStatus &s)
{
    return {{QStringLiteral("environment"), s.environment},
            {QStringLiteral("authenticationRequired"), s.authenticationRequired},
            {QStringLiteral("httpSseEnabled"), s.httpSseEnabled},
            {QStringLiteral("httpSseDraining"), s.httpSseDraining},
            {QStringLiteral("drainDeadline"), time(s.drainDeadline)},
            {QStringLiteral("httpSseStreams"), s.httpSseStreams},
            {QStringLiteral("streamableEnabled"), s.streamableEnabled},
            {QStringLiteral("stdioEnabled"), s.stdioEnabled},
            {QStringLiteral("baseUrl"), s.baseUrl},
            {QStringLiteral("route"), s.route},
            {QStringLiteral("bindAddress"), s.bindAddress},
            {QStringLiteral("maxConnections"), s.maxConnections},
            {QStringLiteral("keepAliveMs"), s.keepAliveMs}};
}

ServerStatus statusFromJson(const QJsonObject &o)
{
    ServerStatus s;
    s.environment = str(o, "environment");
    s.authenticationRequired = o.value(QLatin1String("authenticationRequired")).toBool();
    s.httpSseEnabled = o.value(QLatin1String("httpSseEnabled")).toBool(true);
    s.httpSseDraining = o.value(QLatin1String("httpSseDraining")).toBool();
    s.drainDeadline = time(o.value(QLatin1String("drainDeadline")));
    s.httpSseStreams = o.value(QLatin1String("httpSseStreams")).toInt();
    s.streamableEnabled = o.value(QLatin1String("streamableEnabled")).toBool(true);
    s.stdioEnabled = o.value(QLatin1String("stdioEnabled")).toBool(true);
    s.baseUrl = str(o, "baseUrl");
    s.route = str(o, "route");
    s.bindAddress = str(o, "bindAddress");
    s.maxConnections = o.value(QLatin1String("maxConnections")).toInt();
    s.keepAliveMs = o.value(QLatin1String("keepAliveMs")).toInt();
    return s;
}

QJsonObject toJson(const ClusterView &c)
{
    QJsonArray replicas, sessions;
    for (const RegisteredReplica &r : c.replicas)
        replicas.append(QJsonObject{{QStringLiteral("id"), r.id},
                                    {QStringLiteral("host"), r.host},
                                    {QStringLiteral("version"), r.version},
                                    {QStringLiteral("startedAt"), r.startedAt},
                                    {QStringLiteral("heartbeatAt"), r.heartbeatAt},
                                    {QStringLiteral("sessions"), r.sessions},
                                    {QStringLiteral("self"), r.self}});
    for (const RegisteredSession &s : c.sessions)
        sessions.append(QJsonObject{{QStringLiteral("id"), s.id},
                                    {QStringLiteral("replica"), s.replica},
                                    {QStringLiteral("transport"), s.transport},
                                    {QStringLiteral("subject"), s.subject},
                                    {QStringLiteral("createdAt"), s.createdAt},
                                    {QStringLiteral("expiresAt"), s.expiresAt}});
    return {{QStringLiteral("self"), c.self},       {QStringLiteral("current"), c.current},
            {QStringLiteral("takenAt"), c.takenAt}, {QStringLiteral("replicas"), replicas},
            {QStringLiteral("sessions"), sessions}, {QStringLiteral("totalSessions"), c.totalSessions}};
}

ClusterView clusterFromJson(const QJsonObject &o)
{
    ClusterView c;
    c.self = str(o, "self");
    c.current = o.value(QLatin1String("current")).toBool();
    c.takenAt = str(o, "takenAt");
    c.totalSessions = o.value(QLatin1String("totalSessions")).toInt();
    for (const QJsonValue &v : o.value(QLatin1String("replicas")).toArray()) {
        const QJsonObject r = v.toObject();
        c.replicas << RegisteredReplica{str(r, "id"),
                                        str(r, "host"),
                                        str(r, "version"),
                                        str(r, "startedAt"),
                                        str(r, "heartbeatAt"),
                                        r.value(QLatin1String("sessions")).toInt(),
                                        r.value(QLatin1String("self")).toBool()};
    }
    for (const QJsonValue &v : o.value(QLatin1String("sessions")).toArray()) {
        const QJsonObject r = v.toObject();
        c.sessions << RegisteredSession{str(r, "id"),      str(r, "replica"),   str(r, "transport"),
                                        str(r, "subject"), str(r, "createdAt"), str(r, "expiresAt")};
    }
    return c;
}

} // namespace koan::adminjson
