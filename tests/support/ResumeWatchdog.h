#pragma once
// Resumes a paused PostgreSQL (PostgresServer::pause) from another thread after `ms` unless
// destroyed first: a server that blocks on the paused database - the bug the store worker suites
// catch - then fails them on their timings instead of hanging the suite.
#include "PostgresServer.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace koan::test {

class ResumeWatchdog
{
public:
    ResumeWatchdog(PostgresServer *pg, int ms)
        : m_thread([this, pg, ms] {
              std::unique_lock<std::mutex> lock(m_mutex);
              if (!m_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_done; }))
                  pg->resume();
          })
    { }
    ~ResumeWatchdog()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    ResumeWatchdog(const ResumeWatchdog &) = delete;
    ResumeWatchdog &operator=(const ResumeWatchdog &) = delete;

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
    std::thread m_thread; // last: started once the members it uses exist
};

} // namespace koan::test
