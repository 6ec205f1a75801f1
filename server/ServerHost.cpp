#include "ServerHost.h"

#include "runtime/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <openssl/crypto.h>

namespace koan {

ServerHost::ServerHost(McpServerOptions options, EntityCatalog catalog, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_catalog(std::move(catalog))
{
    m_thread.setObjectName(QStringLiteral("koan-server"));
    // OpenSSL keeps per-thread state (RNG, error queue) that only the main thread's atexit
    // cleanup frees: release this thread's as its last act, or LSan reports it at exit.
    // Deferred deletes (sockets) run first, since they may still use OpenSSL.
    connect(
        &m_thread, &QThread::finished, &m_thread,
        [] {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            OPENSSL_thread_stop();
        },
        Qt::DirectConnection);
}

ServerHost::~ServerHost()
{
    stop();
}

void ServerHost::invoke(const std::function<void()> &fn) const
{
    if (!m_server || QThread::currentThread() == &m_thread)
        return fn();
    QMetaObject::invokeMethod(m_server, fn, Qt::BlockingQueuedConnection);
}

bool ServerHost::start(bool http, QStringList *errors, const std::function<void(McpServer *)> &setup)
{
    // epoll instead of Qt's poll()-every-socket dispatchers (bench/README.md).
    if (auto *dispatcher = EpollEventDispatcher::createUnlessDisabled())
        m_thread.setEventDispatcher(dispatcher);
    m_thread.start();
    // The server object is created on the worker thread so its children live there.
    auto *context = new QObject;
    context->moveToThread(&m_thread);
    bool ok = false;
    QMetaObject::invokeMethod(
        context,
        [&] {
            m_server = new McpServer(m_options, m_catalog);
            if (setup)
                setup(m_server);
            ok = m_server->initialize(errors) && (!http || m_server->startHttp(errors));
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater();
    return ok;
}

void ServerHost::stop()
{
    if (!m_thread.isRunning())
        return;
    if (m_server) {
        McpServer *server = m_server;
        QMetaObject::invokeMethod(
            server,
            [server] {
                server->stopHttp(QStringLiteral("server_shutdown"));
                delete server;
            },
            Qt::BlockingQueuedConnection);
        m_server = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
}

} // namespace koan
