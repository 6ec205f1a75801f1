// libFuzzer target: the request framing gatekeeper (HttpFramingParser, which RequestSizeGuard
// feeds every byte of every connection before Qt parses it), fed raw connection bytes.
// Input: byte 0 picks the limits (odd: small ones, so every limit is reachable), byte 1 seeds how
// the rest is cut into segments (TCP may deliver any split), the rest is the connection's bytes.
// Invariants: the verdict and the number of framed requests do not depend on the segmentation;
// a refusal carries a known status, a code and a message, and the parser stays refused; no more
// requests are framed than there are complete heads; a complete first head with two
// Content-Length fields, or Content-Length and Transfer-Encoding, is never let through.
#include "FuzzSupport.h"
#include "http/HttpFramingParser.h"

#include <QList>

using koan::HttpFramingParser;

namespace {

struct Outcome {
    HttpFramingParser::Verdict verdict;
    qint64 completed = 0;
    HttpFramingParser::Phase phase = HttpFramingParser::Phase::Idle;
};

Outcome run(const HttpFramingParser::Limits &limits, const QByteArray &bytes, quint32 seed)
{
    HttpFramingParser parser(limits);
    Outcome out;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        qsizetype len = bytes.size() - pos;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u; // any cheap PRNG: only the cut points matter
            len = qMin<qsizetype>(len, 1 + (seed >> 16) % 97);
        }
        out.verdict = parser.feed(QByteArrayView(bytes).sliced(pos, len));
        pos += len;
        if (!out.verdict.ok()) {
            FUZZ_CHECK(parser.phase() == HttpFramingParser::Phase::Rejected);
            // Refused stays refused, whatever follows.
            FUZZ_CHECK(!parser.feed("GET / HTTP/1.1\r\n\r\n").ok());
            break;
        }
    }
    out.completed = parser.requestsCompleted();
    out.phase = parser.phase();
    return out;
}

// Independent look at the first request head: its field names, if the head is complete.
bool firstHeadAmbiguous(const QByteArray &bytes)
{
    qsizetype start = 0;
    while (start < bytes.size() && (bytes.at(start) == '\r' || bytes.at(start) == '\n'))
        ++start;
    const qsizetype end = bytes.indexOf("\r\n\r\n", start);
    if (end < 0)
        return false;
    const QList<QByteArray> lines = bytes.mid(start, end - start).split('\n');
    int contentLengths = 0, transferEncodings = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray name = lines.at(i).left(lines.at(i).indexOf(':') + 1).toLower();
        contentLengths += name == "content-length:";
        transferEncodings += name == "transfer-encoding:";
    }
    return contentLengths > 1 || (contentLengths > 0 && transferEncodings > 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    HttpFramingParser::Limits limits; // the server's defaults
    if (data[0] & 1) {
        limits.maxBodyBytes = 64;
        limits.maxHeaderBytes = 256;
        limits.maxHeaderCount = 4;
    }
    const quint32 seed = data[1] | 0x100u; // never 0: that means "one piece"
    const QByteArray bytes = fuzz::bytes(data + 2, size - 2);

    const Outcome whole = run(limits, bytes, 0);
    const Outcome pieces = run(limits, bytes, seed);
    FUZZ_CHECK(whole.verdict.status == pieces.verdict.status);
    FUZZ_CHECK(whole.verdict.code == pieces.verdict.code);
    FUZZ_CHECK(whole.completed == pieces.completed);
    FUZZ_CHECK(whole.phase == pieces.phase);

    const int status = whole.verdict.status;
    FUZZ_CHECK(status == 0 || status == 400 || status == 413 || status == 431 || status == 505);
    FUZZ_CHECK(status == 0 || (!whole.verdict.code.isEmpty() && !whole.verdict.message.isEmpty()));
    FUZZ_CHECK(whole.completed <= bytes.count("\r\n\r\n"));
    if (firstHeadAmbiguous(bytes))
        FUZZ_CHECK(status != 0 && whole.completed == 0);
    return 0;
}
