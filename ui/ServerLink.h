#pragma once
// What the console holds of the server: the server object for its signals (queued across
// threads) and the AdminController for commands. Commands are always queued calls.
#include "admin/AdminController.h"

#include <QMetaObject>

namespace koan {
class McpServer;
}

namespace koan::ui {

struct ServerLink {
    McpServer *server = nullptr;
    AdminController *admin = nullptr;

    template<typename F> void command(F &&fn) const
    {
        QMetaObject::invokeMethod(admin, std::forward<F>(fn), Qt::QueuedConnection);
    }
};

} // namespace koan::ui
