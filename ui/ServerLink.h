#pragma once
// What the console holds of the server: its AdminController, for the server's events (signals,
// queued across threads) and for commands (always queued calls). Nothing else of the server.
#include "admin/AdminController.h"

#include <QMetaObject>

namespace koan::ui {

struct ServerLink {
    AdminController *admin = nullptr;

    template<typename F> void command(F &&fn) const
    {
        QMetaObject::invokeMethod(admin, std::forward<F>(fn), Qt::QueuedConnection);
    }
};

} // namespace koan::ui
