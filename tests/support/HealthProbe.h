#pragma once
// /healthz polled while the store is paused or blocked: the suites that stall the database prove
// with it that the server thread still answers at once.
#include "HttpClient.h"

#include <QElapsedTimer>
#include <QTest>

namespace koan::test {

// Polls /healthz every 50 ms for `forMs`: how many answered 200 and the slowest answer.
inline void healthStaysQuick(quint16 port, int forMs, int *answers, qint64 *slowestMs)
{
    QElapsedTimer total;
    total.start();
    *answers = 0;
    *slowestMs = 0;
    while (total.elapsed() < forMs) {
        HttpClient c(port);
        QElapsedTimer t;
        t.start();
        const HttpResponse r = c.request("GET", "/healthz", {}, {}, 1000);
        *slowestMs = qMax(*slowestMs, t.elapsed());
        if (r.status == 200)
            ++*answers;
        QTest::qWait(50);
    }
}

} // namespace koan::test
