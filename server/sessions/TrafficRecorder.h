#pragma once
// The wire traffic of the sessions (and 2026-07-28 callers) an operator chose to record: HTTP
// requests and responses, SSE frames (the legacy `endpoint` event, keep-alives, priming and
// replayed events), each with its time and direction. Off by default; each recorded target keeps
// a bounded ring of frames, its bodies truncated at a bound and its secrets masked with the log
// sink's redaction. While nothing records, every hook the transports call is one inline check.
#include "http/HttpRequest.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>

namespace koan {

class HttpResponder;

struct TrafficFrame {
    enum class Direction { In, Out };
    enum class Kind { HttpRequest, HttpResponse, SseEvent, KeepAlive, Priming, Replay, Endpoint };

    qint64 seq = 0; // per target, from 1; gaps never (a dropped frame left the ring's front)
    QDateTime time;
    Direction direction = Direction::Out;
    Kind kind = Kind::SseEvent;
    QByteArray method;    // requests
    QString path;         // requests: path and query, secrets masked
    int status = 0;       // responses
    bool stream = false;  // a response whose body is an SSE stream (its frames follow as their own)
    HttpHeaders headers;  // masked
    QByteArray event;     // SSE: the event name ("message", "endpoint", "end"), empty for none
    QByteArray eventId;   // SSE: the id line
    QByteArray body;      // masked, at most the body bound; an SSE frame's bytes as written
    qint64 bodyBytes = 0; // the size before truncation
    bool truncated = false;

    QJsonObject toJson() const;
    static QString kindName(Kind kind); // http-request, http-response, sse-event, keep-alive, priming, replay, endpoint
    // A one-line description for a table ("POST /mcp tools/call", "200 text/event-stream", "event: endpoint").
    QString summary() const;
};

class TrafficRecorder : public QObject
{
    Q_OBJECT
public:
    struct Limits {
        int framesPerTarget = 500; // the ring: the oldest frame makes room
        int bodyBytes = 8192;      // bodies and SSE frames beyond this are cut (truncated: true)
        int targets = 32;          // recorded sessions kept; the longest idle non-recording one makes room
    };
    explicit TrafficRecorder(QObject *parent = nullptr);
    void setLimits(Limits limits) { m_limits = limits; }
    Limits limits() const { return m_limits; }

    // True while anything records (a target, or new sessions): the one check of every hook.
    bool active() const { return m_active; }
    bool isRecording(const QString &target) const;
    // Starts (keeping what was recorded) or stops recording a session or caller id. False when
    // starting would exceed the bound on recorded targets while all of them still record.
    bool setRecording(const QString &target, bool on);
    QStringList recordingTargets() const;
    // Every session (and stateless caller) opened while this is on records from its first request:
    // the only way to see a legacy stream's `endpoint` event, which goes out as the stream opens.
    bool recordsNewSessions() const { return m_recordNew; }
    void setRecordNewSessions(bool on);

    // SessionManager's: a session or caller appeared / ended (recording stops, frames stay).
    void sessionOpened(const QString &id)
    {
        if (m_recordNew)
            setRecording(id, true);
    }
    void sessionEnded(const QString &id)
    {
        if (m_active)
            setRecording(id, false);
    }

    // The transports' hooks. An HTTP exchange of `target`: the request now, its response (head,
    // whole body or stream head) when the responder writes it.
    void exchange(const QString &target, const HttpRequest &request, HttpResponder *responder)
    {
        if (m_active)
            recordExchange(target, request, responder);
    }
    // One SSE frame (or comment) written on a stream of `target`; `replayed`: a resumption's replay.
    void sseFrame(const QString &target, const QByteArray &frame, bool replayed = false)
    {
        if (m_active)
            recordSse(target, frame, replayed);
    }

    bool has(const QString &target) const { return m_rings.contains(target); }
    QList<TrafficFrame> frames(const QString &target) const;
    // {"target", "recording", "limits": {...}, "dropped", "exportedAt", "frames": [...]}: the export.
    QJsonObject exportJson(const QString &target) const;

    static HttpHeaders maskHeaders(const HttpHeaders &headers);
    static QString maskedTarget(const HttpRequest &request); // path and query, token-like parameters masked

signals:
    void frameRecorded(const QString &target, const koan::TrafficFrame &frame);
    void recordingChanged(const QString &target, bool recording);
    void recordNewSessionsChanged(bool on);

private:
    struct Ring {
        QList<TrafficFrame> frames;
        qint64 nextSeq = 1;
        qint64 dropped = 0;
        bool recording = false;
        QDateTime touched;
    };
    void recordExchange(const QString &target, const HttpRequest &request, HttpResponder *responder);
    void recordResponse(const QString &target, int status, const HttpHeaders &headers, const QByteArray &body,
                        bool stream);
    void recordSse(const QString &target, const QByteArray &frame, bool replayed);
    void appendSse(Ring &ring, const QString &target, const QByteArray &frame, bool replayed);
    void append(Ring &ring, const QString &target, TrafficFrame frame);
    void setBody(TrafficFrame &frame, const QByteArray &body) const;
    void updateActive();

    Limits m_limits;
    QHash<QString, Ring> m_rings;
    bool m_recordNew = false;
    bool m_active = false;
};

} // namespace koan

Q_DECLARE_METATYPE(koan::TrafficFrame)
