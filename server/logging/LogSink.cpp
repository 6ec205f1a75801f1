#include "LogSink.h"

#include "LogFeed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <cstdio>

namespace koan {

namespace {
LogSink::Format g_format = LogSink::Format::Plain;
QMutex g_mutex;
QList<QRegularExpression> g_redact;
thread_local QString t_session;
thread_local QString t_trace;

QString redact(QString text)
{
    // "Bearer" as a word (not the tail of "not_bearer"), followed by something token-shaped: with a
    // digit or punctuation, or 20+ characters, so "Bearer authentication" keeps its next word.
    static const QRegularExpression bearer(
        QStringLiteral("\\b(Bearer\\s+)(?=[A-Za-z0-9._~+/-]*[0-9._~+/-]|[A-Za-z]{20})[A-Za-z0-9._~+/-]+=*"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression jwt(QStringLiteral("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"));
    text.replace(bearer, QStringLiteral("\\1[redacted]"));
    text.replace(jwt, QStringLiteral("[redacted-jwt]"));
    QMutexLocker lock(&g_mutex);
    for (const auto &re : std::as_const(g_redact))
        text.replace(re, QStringLiteral("[redacted]"));
    return text;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void writeStderr(const QByteArray &bytes)
{
    fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    fflush(stderr);
}

// The fields every JSON record has.
QJsonObject jsonRecord(const QString &level, const QString &category, const QString &text)
{
    return {{QStringLiteral("ts"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("level"), level},
            {QStringLiteral("category"), category},
            {QStringLiteral("msg"), text}};
}

thread_local bool t_publishing = false;

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    writeStderr(LogSink::format(type, context.category, message, g_format, t_session, t_trace));
    if (t_publishing) // a receiver of the feed that logs itself: written, not fed back
        return;
    t_publishing = true;
    LogRecord record{QDateTime::currentDateTimeUtc(), QString::fromLatin1(levelName(type)),
                     QString::fromLatin1(context.category ? context.category : "default"), LogSink::redacted(message),
                     t_session};
    record.traceId = t_trace;
    LogFeed::instance()->publish(std::move(record));
    t_publishing = false;
}
} // namespace

QString LogSink::escapeControl(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'\n')
            out += QLatin1String("\\n");
        else if (u == u'\r')
            out += QLatin1String("\\r");
        else if (u == u'\t')
            out += QLatin1String("\\t");
        else if (u < 0x20 || (u >= 0x7f && u < 0xa0) || u == 0x2028 || u == 0x2029)
            out += QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString LogSink::redacted(const QString &message)
{
    return escapeControl(redact(message));
}

QString LogSink::secretsRedacted(const QString &text)
{
    return redact(text);
}

QByteArray LogSink::format(QtMsgType type, const char *category, const QString &message, Format fmt,
                           const QString &sessionId, const QString &traceId)
{
    // One record, one line: whatever a message carries from a request cannot forge the next record.
    QString text = escapeControl(redact(message));
    const QString cat = QString::fromLatin1(category ? category : "default");
    if (fmt == Format::Plain) {
        if (!sessionId.isEmpty() && !text.contains(sessionId))
            text += QStringLiteral(" [session %1]").arg(sessionId);
        if (!traceId.isEmpty())
            text += QStringLiteral(" [trace %1]").arg(traceId);
        return (cat == QLatin1String("default") ? text : cat + QStringLiteral(": ") + text).toUtf8() + '\n';
    }
    QJsonObject o = jsonRecord(QString::fromLatin1(levelName(type)), cat, text);
    // Only the id the server itself put in scope (SessionScope), never one guessed from the text.
    if (!sessionId.isEmpty())
        o.insert(QStringLiteral("sessionId"), sessionId);
    if (!traceId.isEmpty())
        o.insert(QStringLiteral("traceId"), traceId);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void LogSink::fatal(const QString &title, const QStringList &problems)
{
    QByteArray out;
    if (g_format == Format::Json) {
        QJsonArray list;
        for (const QString &p : problems)
            list.append(escapeControl(redact(p)));
        QJsonObject o = jsonRecord(QStringLiteral("fatal"), QStringLiteral("koan.app"), escapeControl(redact(title)));
        o.insert(QStringLiteral("problems"), list);
        out = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    } else {
        out = "koan-mcp: " + redact(title).toUtf8() + '\n';
        for (const QString &p : problems)
            out += "  - " + redact(p).toUtf8() + '\n';
    }
    writeStderr(out);
}

LogSink::SessionScope::SessionScope(const QString &sessionId) : m_previous(t_session)
{
    t_session = sessionId;
}
LogSink::SessionScope::~SessionScope()
{
    t_session = m_previous;
}
QString LogSink::currentSession()
{
    return t_session;
}

LogSink::TraceScope::TraceScope(const QString &traceId) : m_previous(t_trace)
{
    t_trace = traceId;
}
LogSink::TraceScope::~TraceScope()
{
    t_trace = m_previous;
}
QString LogSink::currentTrace()
{
    return t_trace;
}

void LogSink::install(Format format)
{
    g_format = format;
    qInstallMessageHandler(handler);
}

void LogSink::setRedactPatterns(const QStringList &patterns)
{
    QMutexLocker lock(&g_mutex);
    g_redact.clear();
    for (const QString &p : patterns)
        g_redact.append(QRegularExpression(p));
}

} // namespace koan
