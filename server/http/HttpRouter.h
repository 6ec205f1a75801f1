#pragma once
// The route table: method + exact path -> handler, each route with the access class the request
// pipeline applies to it. A path that is known but asked with another method resolves to the
// one 405 answer (with Allow); an unknown path to the missing-route handler (404).
#include "HttpRequest.h"

#include <QHash>
#include <functional>

namespace koan {

class HttpResponder;

// How far the request pipeline checks a request before its route runs.
enum class RouteAccess {
    Probe,        // liveness/readiness: no Host check, plain HTTP even with RequireHttps, no auth
    Public,       // Host/Origin and HTTPS checked; no authentication, no rate limit
    Authenticated // every stage: authentication (anonymous allowed where the server allows it), rate limit
};

template<typename Context> class HttpRouter
{
public:
    using Handler = std::function<void(Context &context)>;
    struct Match {
        const Handler *handler = nullptr; // null: the route is the 405 or 404 answer
        RouteAccess access = RouteAccess::Authenticated;
        QByteArray allow; // when the path is known but not for this method
    };

    // `method` empty: any method (the handler answers 405 itself, e.g. a transport endpoint).
    void add(const QByteArray &method, const QString &path, RouteAccess access, Handler handler)
    {
        Path &p = m_paths[path];
        p.access = access;
        p.methods.append(Method{method, std::move(handler)});
    }

    Match match(const QByteArray &method, const QString &path) const
    {
        const auto it = m_paths.constFind(path);
        if (it == m_paths.constEnd())
            return {};
        Match m;
        m.access = it->access;
        for (const Method &candidate : it->methods) {
            if (candidate.method.isEmpty() || candidate.method == method) {
                m.handler = &candidate.handler;
                m.allow.clear();
                return m;
            }
            m.allow += (m.allow.isEmpty() ? "" : ", ") + candidate.method;
        }
        return m;
    }

private:
    struct Method {
        QByteArray method;
        Handler handler;
    };
    struct Path {
        RouteAccess access = RouteAccess::Authenticated;
        QList<Method> methods;
    };
    QHash<QString, Path> m_paths;
};

} // namespace koan
