#pragma once
// Log output on stderr (never stdout: STDIO mode owns it): plain text, or one JSON object per
// line with level, category, message and session id. Bearer tokens and JWT-looking strings are
// always redacted, plus any configured patterns.
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
    // The formatted line for one message (exposed for tests).
    static QByteArray format(QtMsgType type, const char *category, const QString &message, Format format);
};

} // namespace koan
