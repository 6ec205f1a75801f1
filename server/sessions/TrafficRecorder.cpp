#include "TrafficRecorder.h"

#include "http/HttpResponder.h"
#include "logging/LogSink.h"

#include <QJsonArray>
#include <QPointer>

namespace koan {

namespace {
QString directionName(TrafficFrame::Direction d)
{
    return d == TrafficFrame::Direction::In ? QStringLiteral("in") : QStringLiteral("out");
}

// Names whose whole value is a credential; Authorization keeps its scheme word.
bool secretHeader(const QByteArray &name)
{
    const QByteArray n = name.toLower();
    return n == "cookie" || n == "set-cookie" || n.contains("token") || n.contains("secret") || n.contains("api-key")
           || n.contains("apikey") || n.contains("password");
}

bool secretParameter(const QString &name)
{
    static const QStringList names{
        QStringLiteral("access_token"),  QStringLiteral("token"),  QStringLiteral("id_token"),
        QStringLiteral("refresh_token"), QStringLiteral("code"),   QStringLiteral("client_secret"),
        QStringLiteral("api_key"),       QStringLiteral("apikey"), QStringLiteral("password")};
    return names.contains(name.toLower());
}

QByteArray masked(const QByteArray &text)
{
    return LogSink::secretsRedacted(QString::fromUtf8(text)).toUtf8();
}

QByteArray field(const QByteArray &frame, const QByteArray &name)
{
    for (const QByteArray &line : frame.split('\n'))
        if (line.startsWith(name + ':'))
            return line.mid(name.size() + 1).trimmed();
    return {};
}
} // namespace

QString TrafficFrame::kindName(Kind kind)
{
    switch (kind) {
    case Kind::HttpRequest:
        return QStringLiteral("http-request");
    case Kind::HttpResponse:
        return QStringLiteral("http-response");
    case Kind::SseEvent:
        return QStringLiteral("sse-event");
    case Kind::KeepAlive:
        return QStringLiteral("keep-alive");
    case Kind::Priming:
        return QStringLiteral("priming");
    case Kind::Replay:
        return QStringLiteral("replay");
    case Kind::Endpoint:
        return QStringLiteral("endpoint");
    }
    return {};
}

QString TrafficFrame::summary() const
{
    switch (kind) {
    case Kind::HttpRequest:
        return QString::fromLatin1(method) + QLatin1Char(' ') + path;
    case Kind::HttpResponse: {
        QByteArray type;
        if (const QByteArray *t = findHeader(headers, "Content-Type"))
            type = *t;
        return QStringLiteral("%1 %2%3").arg(status).arg(
            QString::fromLatin1(HttpResponder::reasonPhrase(status)),
            type.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromLatin1(type)));
    }
    case Kind::KeepAlive:
        return QString::fromUtf8(body.trimmed());
    default:
        break;
    }
    QString out = event.isEmpty() ? QStringLiteral("data") : QStringLiteral("event: ") + QString::fromUtf8(event);
    if (!eventId.isEmpty())
        out += QStringLiteral(" · id ") + QString::fromUtf8(eventId);
    const QByteArray data = field(body, "data");
    if (!data.isEmpty())
        out += QStringLiteral(" · ") + QString::fromUtf8(data.left(120));
    return out;
}

QJsonObject TrafficFrame::toJson() const
{
    QJsonObject o{{QStringLiteral("seq"), double(seq)},
                  {QStringLiteral("time"), time.toUTC().toString(Qt::ISODateWithMs)},
                  {QStringLiteral("direction"), directionName(direction)},
                  {QStringLiteral("kind"), kindName(kind)}};
    if (kind == Kind::HttpRequest) {
        o.insert(QStringLiteral("method"), QString::fromLatin1(method));
        o.insert(QStringLiteral("path"), path);
    }
    if (kind == Kind::HttpResponse) {
        o.insert(QStringLiteral("status"), status);
        o.insert(QStringLiteral("stream"), stream);
    }
    if (kind == Kind::HttpRequest || kind == Kind::HttpResponse) {
        QJsonArray h;
        for (const auto &[name, value] : headers)
            h.append(QJsonArray{QString::fromLatin1(name), QString::fromUtf8(value)});
        o.insert(QStringLiteral("headers"), h);
    }
    if (!event.isEmpty())
        o.insert(QStringLiteral("event"), QString::fromUtf8(event));
    if (!eventId.isEmpty())
        o.insert(QStringLiteral("eventId"), QString::fromUtf8(eventId));
    o.insert(QStringLiteral("body"), QString::fromUtf8(body));
    o.insert(QStringLiteral("bodyBytes"), double(bodyBytes));
    o.insert(QStringLiteral("truncated"), truncated);
    return o;
}

TrafficRecorder::TrafficRecorder(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<koan::TrafficFrame>();
}

bool TrafficRecorder::isRecording(const QString &target) const
{
    const auto it = m_rings.constFind(target);
    return it != m_rings.constEnd() && it->recording;
}

QStringList TrafficRecorder::recordingTargets() const
{
    QStringList out;
    for (auto it = m_rings.cbegin(); it != m_rings.cend(); ++it)
        if (it->recording)
            out.append(it.key());
    return out;
}

bool TrafficRecorder::setRecording(const QString &target, bool on)
{
    auto it = m_rings.find(target);
    if (it == m_rings.end()) {
        if (!on)
            return true;
        if (m_rings.size() >= qMax(1, m_limits.targets)) {
            // Room from the longest idle target that no longer records; none: refused.
            auto oldest = m_rings.end();
            for (auto r = m_rings.begin(); r != m_rings.end(); ++r)
                if (!r->recording && (oldest == m_rings.end() || r->touched < oldest->touched))
                    oldest = r;
            if (oldest == m_rings.end())
                return false;
            m_rings.erase(oldest);
        }
        it = m_rings.insert(target, Ring{});
        it->touched = QDateTime::currentDateTimeUtc();
    }
    if (it->recording == on)
        return true;
    it->recording = on;
    updateActive();
    emit recordingChanged(target, on);
    return true;
}

void TrafficRecorder::setRecordNewSessions(bool on)
{
    if (m_recordNew == on)
        return;
    m_recordNew = on;
    updateActive();
    emit recordNewSessionsChanged(on);
}

void TrafficRecorder::updateActive()
{
    bool any = m_recordNew;
    for (auto it = m_rings.cbegin(); !any && it != m_rings.cend(); ++it)
        any = it->recording;
    m_active = any;
}

HttpHeaders TrafficRecorder::maskHeaders(const HttpHeaders &headers)
{
    HttpHeaders out;
    out.reserve(headers.size());
    for (const auto &[name, value] : headers) {
        const QByteArray lower = name.toLower();
        if (lower == "authorization" || lower == "proxy-authorization") {
            const qsizetype space = value.indexOf(' ');
            out.append(qMakePair(name, (space > 0 ? value.left(space + 1) : QByteArray()) + "[redacted]"));
        } else if (secretHeader(name)) {
            out.append(qMakePair(name, QByteArray("[redacted]")));
        } else {
            out.append(qMakePair(name, masked(value)));
        }
    }
    return out;
}

QString TrafficRecorder::maskedTarget(const HttpRequest &request)
{
    QString out = request.path;
    const auto items = request.query.queryItems(QUrl::FullyDecoded);
    for (qsizetype i = 0; i < items.size(); ++i) {
        out += QLatin1Char(i == 0 ? '?' : '&') + items.at(i).first + QLatin1Char('=');
        out += secretParameter(items.at(i).first) ? QStringLiteral("[redacted]") : items.at(i).second;
    }
    return LogSink::secretsRedacted(out);
}

void TrafficRecorder::setBody(TrafficFrame &frame, const QByteArray &body) const
{
    frame.bodyBytes = body.size();
    const qsizetype bound = qMax(0, m_limits.bodyBytes);
    // Masked before the cut (a little beyond it), so half a token at the edge is masked as well.
    QByteArray text = masked(body.size() > bound + 4096 ? body.left(bound + 4096) : body);
    frame.truncated = text.size() > bound || body.size() > bound + 4096;
    if (text.size() > bound)
        text.truncate(bound);
    frame.body = text;
}

void TrafficRecorder::append(Ring &ring, const QString &target, TrafficFrame frame)
{
    frame.seq = ring.nextSeq++;
    if (!frame.time.isValid())
        frame.time = QDateTime::currentDateTimeUtc();
    ring.touched = frame.time;
    ring.frames.append(frame);
    while (ring.frames.size() > qMax(1, m_limits.framesPerTarget)) {
        ring.frames.removeFirst();
        ++ring.dropped;
    }
    emit frameRecorded(target, frame);
}

void TrafficRecorder::recordExchange(const QString &target, const HttpRequest &request, HttpResponder *responder)
{
    const auto it = m_rings.find(target);
    if (it == m_rings.end() || !it->recording)
        return;
    TrafficFrame f;
    f.direction = TrafficFrame::Direction::In;
    f.kind = TrafficFrame::Kind::HttpRequest;
    f.method = request.method;
    f.path = maskedTarget(request);
    f.headers = maskHeaders(request.headers);
    setBody(f, request.body);
    append(*it, target, f);
    if (!responder)
        return;
    // The answer belongs to the exchange even if recording stops before it is written.
    responder->observe([self = QPointer<TrafficRecorder>(this), target](int status, const HttpHeaders &headers,
                                                                        const QByteArray &body, bool stream) {
        if (self)
            self->recordResponse(target, status, headers, body, stream);
    });
}

void TrafficRecorder::recordResponse(const QString &target, int status, const HttpHeaders &headers,
                                     const QByteArray &body, bool stream)
{
    const auto it = m_rings.find(target);
    if (it == m_rings.end())
        return;
    TrafficFrame f;
    f.direction = TrafficFrame::Direction::Out;
    f.kind = TrafficFrame::Kind::HttpResponse;
    f.status = status;
    f.stream = stream;
    f.headers = maskHeaders(headers);
    const QByteArray *type = findHeader(headers, "Content-Type");
    const bool sse = type && type->startsWith("text/event-stream");
    if (sse && !stream) {
        // A complete SSE answer (priming event and message in one body): one frame per event.
        f.bodyBytes = body.size();
        append(*it, target, f);
        qsizetype start = 0;
        while (start < body.size()) {
            qsizetype end = body.indexOf("\n\n", start);
            end = end < 0 ? body.size() : end + 2;
            appendSse(*it, target, body.mid(start, end - start), false);
            start = end;
        }
        return;
    }
    setBody(f, body);
    append(*it, target, f);
}

void TrafficRecorder::recordSse(const QString &target, const QByteArray &frame, bool replayed)
{
    const auto it = m_rings.find(target);
    if (it != m_rings.end() && it->recording)
        appendSse(*it, target, frame, replayed);
}

void TrafficRecorder::appendSse(Ring &ring, const QString &target, const QByteArray &frame, bool replayed)
{
    TrafficFrame f;
    f.direction = TrafficFrame::Direction::Out;
    if (frame.startsWith(':')) {
        f.kind = TrafficFrame::Kind::KeepAlive;
    } else {
        f.event = field(frame, "event");
        f.eventId = field(frame, "id");
        if (replayed)
            f.kind = TrafficFrame::Kind::Replay;
        else if (f.event == "endpoint")
            f.kind = TrafficFrame::Kind::Endpoint;
        else if (f.event.isEmpty() && frame.contains("\nretry:") && field(frame, "data").isEmpty())
            f.kind = TrafficFrame::Kind::Priming; // an id, a retry hint and empty data (SEP-1699)
        else
            f.kind = TrafficFrame::Kind::SseEvent;
    }
    setBody(f, frame);
    append(ring, target, f);
}

QList<TrafficFrame> TrafficRecorder::frames(const QString &target) const
{
    return m_rings.value(target).frames;
}

QJsonObject TrafficRecorder::exportJson(const QString &target) const
{
    const Ring ring = m_rings.value(target);
    QJsonArray frames;
    for (const TrafficFrame &f : ring.frames)
        frames.append(f.toJson());
    return {{QStringLiteral("target"), target},
            {QStringLiteral("recording"), ring.recording},
            {QStringLiteral("recordsNewSessions"), m_recordNew},
            {QStringLiteral("limits"), QJsonObject{{QStringLiteral("framesPerTarget"), m_limits.framesPerTarget},
                                                   {QStringLiteral("bodyBytes"), m_limits.bodyBytes}}},
            {QStringLiteral("dropped"), double(ring.dropped)},
            {QStringLiteral("exportedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("frames"), frames}};
}

} // namespace koan
