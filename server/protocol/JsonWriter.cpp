#include "JsonWriter.h"

#include <QLocale>
#include <limits>

namespace koan::json {

namespace {
void appendString(QByteArray &out, QStringView s)
{
    // Worst case six bytes per UTF-16 unit (\u00XX); shrunk to the real size at the end.
    const qsizetype start = out.size();
    out.resize(start + s.size() * 6 + 2);
    char *d = out.data() + start;
    *d++ = '"';
    const char16_t *p = s.utf16(), *end = p + s.size();
    static const char hex[] = "0123456789abcdef";
    while (p < end) {
        const char16_t c = *p++;
        if (c < 0x80) {
            if (c >= 0x20 && c != u'"' && c != u'\\') {
                *d++ = char(c);
                continue;
            }
            *d++ = '\\';
            switch (c) {
            case u'"':
                *d++ = '"';
                break;
            case u'\\':
                *d++ = '\\';
                break;
            case u'\b':
                *d++ = 'b';
                break;
            case u'\f':
                *d++ = 'f';
                break;
            case u'\n':
                *d++ = 'n';
                break;
            case u'\r':
                *d++ = 'r';
                break;
            case u'\t':
                *d++ = 't';
                break;
            default:
                *d++ = 'u';
                *d++ = '0';
                *d++ = '0';
                *d++ = hex[c >> 4];
                *d++ = hex[c & 0xf];
            }
        } else if (c < 0x800) {
            *d++ = char(0xc0 | (c >> 6));
            *d++ = char(0x80 | (c & 0x3f));
        } else if (QChar::isHighSurrogate(c) && p < end && QChar::isLowSurrogate(*p)) {
            const char32_t u = QChar::surrogateToUcs4(c, *p++);
            *d++ = char(0xf0 | (u >> 18));
            *d++ = char(0x80 | ((u >> 12) & 0x3f));
            *d++ = char(0x80 | ((u >> 6) & 0x3f));
            *d++ = char(0x80 | (u & 0x3f));
        } else {
            // A lone surrogate is not UTF-8: U+FFFD, as QString::toUtf8() does.
            const char16_t u = QChar::isSurrogate(c) ? char16_t(0xfffd) : c;
            *d++ = char(0xe0 | (u >> 12));
            *d++ = char(0x80 | ((u >> 6) & 0x3f));
            *d++ = char(0x80 | (u & 0x3f));
        }
    }
    *d++ = '"';
    out.resize(d - out.constData());
}

void appendNumber(QByteArray &out, const QJsonValue &v)
{
    // Integral values as integers (exact beyond 2^53), others in the shortest form that reads back.
    constexpr qint64 kNone = std::numeric_limits<qint64>::min();
    const qint64 n = v.toInteger(kNone);
    const double d = v.toDouble();
    if (n != kNone || d == double(kNone))
        out += QByteArray::number(n);
    else if (qIsFinite(d))
        out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
    else
        out += "null"; // JSON has no NaN or infinity
}
} // namespace

void append(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        appendNumber(out, value);
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array:
        append(out, value.toArray());
        break;
    case QJsonValue::Object:
        append(out, value.toObject());
        break;
    }
}

void append(QByteArray &out, const QJsonObject &object)
{
    out += '{';
    bool first = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!first)
            out += ',';
        first = false;
        appendString(out, it.key());
        out += ':';
        append(out, it.value());
    }
    out += '}';
}

void append(QByteArray &out, const QJsonArray &array)
{
    out += '[';
    bool first = true;
    for (const QJsonValue &v : array) {
        if (!first)
            out += ',';
        first = false;
        append(out, v);
    }
    out += ']';
}

namespace {
template<typename Json> QByteArray compactOf(const Json &json)
{
    QByteArray out;
    out.reserve(256);
    append(out, json);
    return out;
}
} // namespace

QByteArray compact(const QJsonValue &value)
{
    return compactOf(value);
}
QByteArray compact(const QJsonObject &object)
{
    return compactOf(object);
}
QByteArray compact(const QJsonArray &array)
{
    return compactOf(array);
}

} // namespace koan::json
