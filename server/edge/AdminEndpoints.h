#pragma once
// The admin API (Admin:Enabled): GET /admin/transports and PUT /admin/transports/http-sse
// ({"enabled": bool, "mode": "drain"|"cut", "reason": "...", "drainSeconds": n}). It
// commands the server through AdminController, the same path the console takes.
#include "HttpExchange.h"

namespace koan {

class AdminController;

class AdminEndpoints
{
public:
    struct Settings {
        QString requiredScope;      // Admin:RequiredScope
        bool requireAuthentication; // effective RequireAuthentication: else loopback callers are operators
    };
    AdminEndpoints(AdminController *admin, Settings settings) : m_admin(admin), m_settings(std::move(settings)) { }
    void mount(RequestRouter &router);

private:
    // False when it answered 403: operators hold a token with the admin scope or, with
    // authentication off, call from loopback (not through a proxy).
    bool allowed(HttpExchange &context) const;

    AdminController *m_admin;
    Settings m_settings;
};

} // namespace koan
