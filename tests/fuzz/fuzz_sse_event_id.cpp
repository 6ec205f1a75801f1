// libFuzzer target: the Streamable HTTP event ids (parseEventId reads a client's Last-Event-ID,
// formatEventId writes the id: lines) and SseStream::frame. Input: 4 + 8 bytes (stream, seq), a
// Last-Event-ID value up to the first '\n', then the event name up to the next '\n', then data.
// Invariants: a Last-Event-ID is accepted only as <integer>_<integer> and always when it is one
// in range; every written id reads back to its numbers; a frame read back by an SSE parser written
// from the WHATWG rules gives exactly one event with the same name, data and id.
#include "FuzzSupport.h"
#include "transport/SseStream.h"

#include <QList>
#include <cstring>

using namespace koan;

namespace {

bool plainInteger(const QByteArray &s, int maxDigits)
{
    const qsizetype start = s.startsWith('-') ? 1 : 0;
    if (s.size() == start || s.size() - start > maxDigits)
        return false;
    for (qsizetype i = start; i < s.size(); ++i)
        if (s.at(i) < '0' || s.at(i) > '9')
            return false;
    return true;
}

bool looseInteger(QByteArray s) // what a numeric parser may reasonably accept: [ws][+-]digits[ws]
{
    s = s.trimmed();
    if (s.startsWith('+') || s.startsWith('-'))
        s = s.mid(1);
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

struct SseEvent {
    QByteArray type, data, id;
};

// The event-stream interpretation from the HTML standard (server-sent events, 9.2.6).
QList<SseEvent> readStream(const QByteArray &stream)
{
    QList<SseEvent> events;
    QByteArray type, data, lastId;
    qsizetype pos = 0;
    while (pos < stream.size()) {
        qsizetype end = pos;
        while (end < stream.size() && stream.at(end) != '\n' && stream.at(end) != '\r')
            ++end;
        if (end == stream.size())
            break; // an unterminated last line is not processed
        const QByteArray line = stream.mid(pos, end - pos);
        pos = end + 1;
        if (stream.at(end) == '\r' && pos < stream.size() && stream.at(pos) == '\n')
            ++pos;
        if (line.isEmpty()) {
            if (!data.isEmpty()) {
                data.chop(1);
                events.append({type.isEmpty() ? QByteArray("message") : type, data, lastId});
            }
            type.clear();
            data.clear();
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value = value.mid(1);
        if (field == "event")
            type = value;
        else if (field == "data")
            data += value + '\n';
        else if (field == "id" && !value.contains('\0'))
            lastId = value;
    }
    return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    int stream = 0;
    qint64 seq = 0;
    std::memcpy(&stream, data, sizeof stream);
    std::memcpy(&seq, data + 4, sizeof seq);
    const QList<QByteArray> rest = fuzz::bytes(data + 12, size - 12).split('\n');
    const QByteArray lastEventId = rest.value(0);
    const QByteArray event = rest.value(1);
    const QByteArray payload = rest.mid(2).join('\n');

    // Written ids read back.
    const QByteArray written = formatEventId(stream, seq);
    const auto back = parseEventId(written);
    FUZZ_CHECK(back && back->stream == stream && back->seq == seq);
    FUZZ_CHECK(!written.contains('\n') && !written.contains('\r'));

    // Client-sent ids: only <int>_<int>, and always when plainly one.
    const auto parsed = parseEventId(lastEventId);
    const QList<QByteArray> parts = lastEventId.split('_');
    // Qt's number parsing stops at a NUL; header values never hold one (HttpFramingParser refuses
    // control characters), so only NUL-free values are held to the rule.
    if (parsed && !lastEventId.contains('\0')) {
        FUZZ_CHECK(parts.size() == 2 && looseInteger(parts.at(0)) && looseInteger(parts.at(1)));
        const auto again = parseEventId(formatEventId(parsed->stream, parsed->seq));
        FUZZ_CHECK(again && again->stream == parsed->stream && again->seq == parsed->seq);
    }
    if (parts.size() == 2 && plainInteger(parts.at(0), 9) && plainInteger(parts.at(1), 18))
        FUZZ_CHECK(parsed && parsed->stream == parts.at(0).toInt() && parsed->seq == parts.at(1).toLongLong());

    // frame(): our payloads are compact JSON (no raw CR, which SSE would also end a line at) and
    // event names are ours (one line).
    if (payload.contains('\r') || event.contains('\r'))
        return 0;
    const QList<SseEvent> events = readStream(SseStream::frame(event, payload, written));
    FUZZ_CHECK(events.size() == 1);
    FUZZ_CHECK(events.first().type == (event.isEmpty() ? QByteArray("message") : event));
    FUZZ_CHECK(events.first().data == payload);
    const auto resumed = parseEventId(events.first().id);
    FUZZ_CHECK(resumed && resumed->stream == stream && resumed->seq == seq);
    return 0;
}
