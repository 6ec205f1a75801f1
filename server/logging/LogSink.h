#pragma once
// Log output on stderr (never stdout: STDIO mode owns it): plain text, or one JSON object per
// line with level, category, message, session id and trace id. Bearer tokens and JWT-looking strings are
// always redacted, plus any configured patterns. Once installed, every record also goes to
// LogFeed (the console's Logs page, live).
//
// The session id of a record is never read from the message text (a client could put a
// 32-hex string into anything that gets logged): code that logs on behalf of a session opens a
// LogSink::SessionScope with the server's own id for that session.
#include <QStringList>

namespace koan {

class LogSink
{
public:
    enum class Format { Plain, Json };
    static void install(Format format);
    static void setRedactPatterns(const QStringList &patterns); // regular expressions
    // Escapes control characters (\n -> "\\n", other C0/C1 -> "\\xNN"), so request data such as an
    // unverified subject or a decoded path cannot start a forged log line.
    static QString escapeControl(const QString &text);
    // A message as every output shows it: tokens and configured patterns redacted, control
    // characters escaped (the log lines, the console's Logs page, the admin event stream).
    static QString redacted(const QString &message);
    // The same redaction with control characters kept: a recorded HTTP body or SSE frame shown as
    // it was sent, its secrets masked (sessions/TrafficRecorder).
    static QString secretsRedacted(const QString &text);
    // The formatted line for one message (exposed for tests).
    static QByteArray format(QtMsgType type, const char *category, const QString &message, Format format,
                             const QString &sessionId = QString(), const QString &traceId = QString());
    // A fatal startup error (configuration, command line) on stderr, in the installed format:
    // a JSON line with level "fatal" and a "problems" array, or the plain "koan-mcp: title" block.
    static void fatal(const QString &title, const QStringList &problems);

    // While it lives, every record logged on this thread carries this session id ("sessionId" in
    // JSON, "[session <id>]" in plain text unless the message already names it). Scopes nest.
    class SessionScope
    {
    public:
        explicit SessionScope(const QString &sessionId);
        ~SessionScope();
        SessionScope(const SessionScope &) = delete;
        SessionScope &operator=(const SessionScope &) = delete;

    private:
        QString m_previous;
    };
    static QString currentSession();

    // While it lives, every record logged on this thread carries this W3C trace id ("traceId" in
    // JSON, "[trace <id>]" in plain text): the one a request's _meta.traceparent named, already
    // validated (32 lowercase hex), so a client cannot put anything else into a record this way.
    // Empty: the records carry none. Scopes nest.
    class TraceScope
    {
    public:
        explicit TraceScope(const QString &traceId);
        ~TraceScope();
        TraceScope(const TraceScope &) = delete;
        TraceScope &operator=(const TraceScope &) = delete;

    private:
        QString m_previous;
    };
    static QString currentTrace();
};

} // namespace koan
